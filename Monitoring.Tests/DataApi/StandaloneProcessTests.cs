using Monitoring.Tests.Infrastructure;

namespace Monitoring.Tests.DataApi;

/// <summary>
/// The DataApi run on its own, the way <c>dotnet run --project Monitoring.DataApi</c> runs it; each subclass runs the
/// cases on one build (JIT or native AOT).
/// </summary>
public abstract class StandaloneProcessTests
{
    protected abstract DataApiBuild Build { get; }

    [Theory]
    [InlineData("PORT", "abc")]
    [InlineData("PORT", "0")]
    [InlineData("PORT", "70000")]
    [InlineData("HOST", "not-an-address")]
    [InlineData("METRICS_COLLECTION_INTERVAL", "0")]
    [InlineData("METRICS_COLLECTION_INTERVAL", "soon")]
    [InlineData("ENABLE_SYSTEM_METRICS", "maybe")]
    [InlineData("METRICS_ENABLED", "perhaps")]
    [InlineData("DATA_MIN_FREE_BYTES", "-1")]
    [InlineData("DATA_MIN_FREE_BYTES", "lots")]
    [InlineData("API_KEY", "short-key")]
    [InlineData("METRICS_ALLOWED_NETWORKS", "10.0.0.0/8,not-a-network")]
    [InlineData("APP_NAME", " ")]
    [InlineData("ConnectionStrings__data", "Foo=bar")]
    [InlineData("ConnectionStrings__data", "Data Source=/tmp")]
    [InlineData("ConnectionStrings__data", "Data Source=:memory:")]
    [InlineData("ConnectionStrings__data", "Data Source=shared;Mode=Memory;Cache=Shared")]
    [InlineData("ConnectionStrings__data", "Data Source=file::memory:?cache=shared")]
    [InlineData("ConnectionStrings__data", "Host=127.0.0.1;Port=1;Database=data;Username=nobody;Timeout=5")]
    [InlineData("ConnectionStrings__data", "Host=127.0.0.1;Frobnicate=yes")]
    [InlineData("DATA_STORE", "postgres")]
    [InlineData("DATA_STORE", "mysql")]
    [InlineData("DATA_WRITE_QUEUE_LIMIT", "0")]
    [InlineData("DATA_WRITE_QUEUE_LIMIT", "unbounded")]
    [InlineData("DATA_PATH", "/proc/nope/data.db")]
    [InlineData("DATA_PATH", "/dev/null")]
    [InlineData("DATA_PATH", "/tmp")]
    [InlineData("MAX_CONCURRENT_CONNECTIONS", "-1")]
    [InlineData("MAX_CONCURRENT_CONNECTIONS", "many")]
    [InlineData("KEEP_ALIVE_TIMEOUT", "0")]
    [InlineData("KEEP_ALIVE_TIMEOUT", "later")]
    public async Task A_bad_setting_stops_the_process_with_one_line_naming_the_variable(string variable, string value)
    {
        using var directory = new TemporaryDirectory();
        await using var process = DataApiProcess.Start(new Dictionary<string, string>
        {
            ["DATA_PATH"] = Path.Combine(directory.Path, "data.db"),
            ["PORT"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            [variable] = value,
        }, build: Build);

        var exitCode = await process.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, exitCode);
        var lines = process.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var line = Assert.Single(lines);
        Assert.StartsWith("Invalid configuration:", line, StringComparison.Ordinal);
        Assert.Contains(variable, line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", process.StandardOutput, StringComparison.Ordinal);
        if (variable == "API_KEY")
        {
            Assert.DoesNotContain(value, process.StandardError + process.StandardOutput, StringComparison.Ordinal);
        }
    }

    /// <summary>The container image clears the base image's ASPNETCORE_HTTP_PORTS=8080 so that PORT applies.</summary>
    [Fact]
    public async Task An_empty_ASPNETCORE_HTTP_PORTS_leaves_HOST_and_PORT_in_charge()
    {
        using var directory = new TemporaryDirectory();
        var environment = DataApiProcess.OnLoopback(Path.Combine(directory.Path, "data.db"));
        environment["ASPNETCORE_HTTP_PORTS"] = string.Empty;

        await using var process = await DataApiProcess.StartReadyAsync(environment, build: Build);

        Assert.Equal(HttpStatusCode.OK, (await process.Client.GetAsync("/health/live")).StatusCode);
    }

    /// <summary>Kestrel, unlike the in-memory test server, hands over the request target as the client sent it.</summary>
    [Fact]
    public async Task Keys_with_percent_signs_round_trip_and_stay_distinct_from_their_escapes()
    {
        using var directory = new TemporaryDirectory();
        await using var process = await DataApiProcess.StartReadyAsync(DataApiProcess.OnLoopback(Path.Combine(directory.Path, "data.db")), build: Build);
        var client = process.Client;

        foreach (var key in new[] { "a%2Fb", "a/b", "100%", "%", "with space+plus", "a/b/../c", "tenant/α β?#" })
        {
            var created = await client.PostAsJsonAsync("/data", new { key, value = key });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }
        foreach (var key in new[] { "a%2Fb", "a/b", "100%", "%", "with space+plus", "a/b/../c", "tenant/α β?#" })
        {
            var item = await client.GetFromJsonAsync<System.Text.Json.JsonElement>("/data/" + Uri.EscapeDataString(key));
            Assert.Equal(key, item.GetProperty("value").GetString());
        }
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/data/a%252Fb")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/data/a%2Fb")).StatusCode);
    }

    [Fact]
    public async Task It_listens_on_HOST_and_PORT_and_its_metrics_pass_promtool()
    {
        using var directory = new TemporaryDirectory();
        await using var process = await DataApiProcess.StartReadyAsync(DataApiProcess.OnLoopback(Path.Combine(directory.Path, "data.db")), build: Build);
        var client = process.Client;

        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/data", new { key = "k", value = 1 })).StatusCode);
        foreach (var path in new[] { "/", "/health", "/health/live", "/data", "/data/k" })
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(path)).StatusCode);
        }
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/data/k")).StatusCode);

        var exposition = await client.GetStringAsync("/metrics");
        var metrics = PrometheusText.Parse(exposition);
        Assert.Contains(metrics.Types.Keys, name => name.StartsWith("kestrel_", StringComparison.Ordinal));
        // Said already by the contract's http_* metrics: dropped by the DataApi (FrameworkHttpMetrics).
        Assert.DoesNotContain(metrics.Types.Keys, name => name.StartsWith("http_server_", StringComparison.Ordinal));
        // Recorded on every buffer Kestrel rents, read by nothing: dropped by the service defaults.
        Assert.DoesNotContain(metrics.Types.Keys, name => name.StartsWith("aspnetcore_memory_pool_", StringComparison.Ordinal));
        Assert.Equal(1, metrics.Value("http_requests_total", ("method", "DELETE"), ("endpoint", "/data/{key}"), ("status_code", "204")));

        var (exitCode, output) = await Promtool.RunAsync("check metrics", standardInput: exposition);
        Assert.True(exitCode == 0, $"promtool check metrics failed: {output}");
    }
}

public sealed class JitStandaloneProcessTests : StandaloneProcessTests
{
    protected override DataApiBuild Build => DataApiBuild.Jit;
}

/// <summary>The native executable: the container image's build.</summary>
public sealed class AotStandaloneProcessTests : StandaloneProcessTests
{
    protected override DataApiBuild Build => DataApiBuild.Aot;
}
