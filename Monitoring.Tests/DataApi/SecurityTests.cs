using System.Text;
using Monitoring.Tests.Infrastructure;

namespace Monitoring.Tests.DataApi;

/// <summary>Headers and limits as a client meets them: the DataApi as a real process behind Kestrel.</summary>
public sealed class SecurityTests(SecurityTests.RunningDataApi dataApi) : IClassFixture<SecurityTests.RunningDataApi>
{
    private readonly TemporaryDirectory _directory = dataApi.Directory;
    private readonly DataApiProcess _process = dataApi.Process;
    private readonly Dictionary<string, string> _environment = dataApi.Environment;

    /// <summary>One process for the whole class: these tests only read.</summary>
    public sealed class RunningDataApi : IAsyncLifetime
    {
        public TemporaryDirectory Directory { get; } = new();

        public DataApiProcess Process { get; private set; } = null!;

        public Dictionary<string, string> Environment { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Environment = DataApiProcess.OnLoopback(Path.Combine(Directory.Path, "data.db"));
            Process = await DataApiProcess.StartReadyAsync(Environment);
        }

        public async Task DisposeAsync()
        {
            await Process.DisposeAsync();
            Directory.Dispose();
        }
    }

    [Theory]
    [InlineData("GET", "/")]
    [InlineData("GET", "/data/missing")]
    [InlineData("POST", "/data")]
    [InlineData("PATCH", "/data")]
    [InlineData("GET", "/metrics")]
    [InlineData("GET", "/health/ready")]
    [InlineData("GET", "/data/%ff")]
    [InlineData("HEAD", "/data")]
    public async Task Every_response_carries_the_security_headers_and_no_server_banner(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST")
        {
            request.Content = new StringContent("{not json", Encoding.UTF8, "application/json");
        }

        using var response = await _process.Client.SendAsync(request);

        foreach (var (name, value) in SecurityHeaders)
        {
            Assert.Equal(value, Header(response, name));
        }
        Assert.False(response.Headers.Contains("Server"), "Kestrel's Server header names the stack");
    }

    /// <summary>A problem the exception handler writes follows a response whose headers it cleared.</summary>
    [Fact]
    public async Task A_problem_written_by_the_exception_handler_carries_the_security_headers()
    {
        var port = int.Parse(_environment["PORT"], System.Globalization.CultureInfo.InvariantCulture);
        var request = RawHttpExchange.Compose("POST /data HTTP/1.1",
            ["Host: x", "Content-Type: application/json", "Transfer-Encoding: chunked"], "FFFFFFFFFFFFFFFF\r\n{"u8.ToArray());

        var response = await RawHttpExchange.SendAsync(port, request, TimeSpan.FromSeconds(10));

        Assert.Equal(400, response?.Status);
        foreach (var (name, value) in SecurityHeaders)
        {
            Assert.Equal(value, response!.Headers.GetValueOrDefault(name));
        }
        Assert.False(response!.Headers.ContainsKey("Server"), "Kestrel's Server header names the stack");
    }

    /// <summary>Every header docs/reliability.md promises on every response.</summary>
    private static readonly (string Name, string Value)[] SecurityHeaders =
    [
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "no-referrer"),
        ("Cross-Origin-Resource-Policy", "same-origin"),
        ("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"),
    ];

    [Fact]
    public async Task Oversized_headers_and_request_lines_are_refused_by_the_server_which_keeps_serving()
    {
        var tooLongHeader = await SendRawAsync("GET / HTTP/1.1", [$"X-Big: {new string('a', 20 * 1024)}"]);
        var tooManyHeaders = await SendRawAsync("GET / HTTP/1.1", Enumerable.Range(0, 80).Select(i => $"X-H{i}: v"));
        var tooLongTarget = await SendRawAsync($"GET /data/{new string('k', 10 * 1024)} HTTP/1.1", []);

        Assert.Equal(431, tooLongHeader);
        Assert.Equal(431, tooManyHeaders);
        Assert.Equal(414, tooLongTarget);
        Assert.Equal(HttpStatusCode.OK, (await _process.Client.GetAsync("/health/ready")).StatusCode);
    }

    [Fact]
    public async Task No_error_response_names_a_file_a_connection_string_or_a_stack_frame()
    {
        var client = _process.Client;
        var responses = new List<HttpResponseMessage>
        {
            await client.PostAsync("/data", new StringContent("{\"key\":", Encoding.UTF8, "application/json")),
            await client.PostAsync("/data", new StringContent("<xml/>", Encoding.UTF8, "application/xml")),
            await client.PostAsync("/data", new ByteArrayContent([0xC3, 0x28]) { Headers = { { "Content-Type", "application/json" } } }),
            await client.GetAsync("/data?limit=-1"),
            await client.GetAsync("/data/%00"),
            await client.GetAsync("/no/such/route"),
            await client.DeleteAsync("/data"),
        };

        foreach (var response in responses)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True((int)response.StatusCode is >= 400 and < 500, $"{response.RequestMessage} -> {(int)response.StatusCode}");
            Assert.DoesNotContain(_directory.Path, body, StringComparison.Ordinal);
            Assert.DoesNotContain("Data Source", body, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("   at ", body, StringComparison.Ordinal);
            Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
            Assert.DoesNotContain("/work/", body, StringComparison.Ordinal);
        }
    }

    private async Task<int?> SendRawAsync(string requestLine, IEnumerable<string> headers)
    {
        var port = int.Parse(_environment["PORT"], System.Globalization.CultureInfo.InvariantCulture);
        var request = RawHttpExchange.Compose(requestLine, ["Host: x", .. headers], []);
        return (await RawHttpExchange.SendAsync(port, request, TimeSpan.FromSeconds(10)))?.Status;
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(",", values)
            : null;
}
