using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Monitoring.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Monitoring.Tests.Reliability;

/// <summary>Generated requests against the DataApi as a real process, so that Kestrel's own parsing is in the way too.</summary>
[Collection(AloneCollection.Name)]
public sealed class FuzzTests(ITestOutputHelper output)
{
    private const int Cases = 10_000;
    private const int Workers = 8;
    public const string SeedVariable = "RELIABILITY_FUZZ_SEED";
    public const string CaseVariable = "RELIABILITY_FUZZ_CASE";

    [Fact]
    public async Task Generated_requests_never_get_a_5xx_and_every_4xx_is_a_problem()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable(SeedVariable), CultureInfo.InvariantCulture, out var chosen)
            ? chosen
            : Random.Shared.Next();
        output.WriteLine($"seed {seed} (replay with {SeedVariable}={seed}, one case with {CaseVariable}=<index> too)");
        var cases = int.TryParse(Environment.GetEnvironmentVariable(CaseVariable), CultureInfo.InvariantCulture, out var only)
            ? [only]
            : Enumerable.Range(0, Cases).ToArray();

        using var directory = new TemporaryDirectory();
        var environment = DataApiProcess.OnLoopback(Path.Combine(directory.Path, "data.db"));
        var port = int.Parse(environment["PORT"], CultureInfo.InvariantCulture);
        await using var process = await DataApiProcess.StartReadyAsync(environment);
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Workers, AllowAutoRedirect = false, UseCookies = false })
        {
            BaseAddress = process.Client.BaseAddress,
            Timeout = TimeSpan.FromSeconds(60),
        };

        var failures = new ConcurrentQueue<string>();
        var statuses = new ConcurrentDictionary<int, int>();
        var kestrelRefusals = 0;
        var rawCases = 0;
        var retries = 0;
        long bytesSent = 0;
        var clock = Stopwatch.StartNew();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(4));

        await Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = Workers, CancellationToken = deadline.Token },
            async (index, cancellationToken) =>
            {
                var fuzzCase = RequestFuzzer.Generate(seed, index);
                Interlocked.Add(ref bytesSent, fuzzCase.RawRequest?.Length ?? fuzzCase.Body?.Length ?? 0);
                ResponseSummary? response;
                try
                {
                    if (fuzzCase.RawRequest is { } raw)
                    {
                        Interlocked.Increment(ref rawCases);
                        response = await RawHttpExchange.SendAsync(port, raw, TimeSpan.FromSeconds(60)) is { } answer
                            ? new ResponseSummary(answer.Status, answer.MediaType, answer.Body)
                            : null;
                    }
                    else
                    {
                        try
                        {
                            response = await SendAsync(client, fuzzCase, cancellationToken);
                        }
                        catch (HttpRequestException exception) when (exception.HttpRequestError is HttpRequestError.ResponseEnded)
                        {
                            // The server may close an idle keep-alive connection at the moment the client reuses it
                            // (RFC 9112 §9.3.1). Retried once and counted; a second failure is a failure.
                            Interlocked.Increment(ref retries);
                            response = await SendAsync(client, fuzzCase, cancellationToken);
                        }
                    }
                }
                catch (Exception exception) when (exception is HttpRequestException or IOException or System.Net.Sockets.SocketException or TaskCanceledException)
                {
                    failures.Enqueue($"{fuzzCase}: no response ({exception.GetType().Name}: {exception.Message} {exception.InnerException?.Message})");
                    return;
                }

                if (response is null)
                {
                    failures.Enqueue($"{fuzzCase}: the connection closed without a response");
                    return;
                }
                statuses.AddOrUpdate(response.Status, 1, (_, count) => count + 1);
                if (IsKestrelRefusal(fuzzCase, response))
                {
                    Interlocked.Increment(ref kestrelRefusals);
                }
                else if (Check(fuzzCase, response) is { } problem)
                {
                    failures.Enqueue($"{fuzzCase}: {problem}");
                }
            });
        clock.Stop();

        output.WriteLine($"{cases.Length} requests ({rawCases} raw) in {clock.Elapsed.TotalSeconds:F1} s, {cases.Length / clock.Elapsed.TotalSeconds:F0} req/s, {bytesSent / ResidentMemory.Mebibyte:F0} MiB sent");
        output.WriteLine("statuses: " + string.Join(", ", statuses.OrderBy(pair => pair.Key).Select(pair => $"{pair.Key}×{pair.Value}")));
        output.WriteLine($"HttpClient requests retried once after the server closed a reused connection: {retries}");
        output.WriteLine($"refused by Kestrel before the application (bare 4xx, Kestrel may refuse cases only): {kestrelRefusals}");
        if (!failures.IsEmpty)
        {
            var log = process.StandardOutput;
            output.WriteLine("DataApi output (end):\n" + log[Math.Max(0, log.Length - 20_000)..]);
        }
        Assert.True(failures.IsEmpty, $"{failures.Count} failures with seed {seed}; first ones:\n" + string.Join('\n', failures.Take(20)));
        Assert.True(retries <= cases.Length / 1000, $"{retries} connections closed under a request: more than a rare race");

        Assert.False(process.HasExited, "The DataApi exited during the run");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
        var written = await client.PostAsJsonAsync("/data", new { key = "after-fuzz", value = new { seed } });
        Assert.True(written.IsSuccessStatusCode, $"POST after the run: {written.StatusCode}");
        var read = await client.GetFromJsonAsync<JsonElement>("/data/after-fuzz");
        Assert.Equal(seed, read.GetProperty("value").GetProperty("seed").GetInt32());
    }

    private static async Task<ResponseSummary> SendAsync(HttpClient client, FuzzCase fuzzCase, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(new HttpMethod(fuzzCase.Method), new Uri(client.BaseAddress!.GetLeftPart(UriPartial.Authority) + fuzzCase.Target));
        foreach (var (name, value) in fuzzCase.Headers)
        {
            if (name == "Expect")
            {
                request.Headers.ExpectContinue = true;
            }
            else if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                // Content-Encoding and the like belong to the content, when there is one.
                request.Content ??= new ByteArrayContent([]);
                request.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }
        if (fuzzCase.Body is { } body)
        {
            var content = new ByteArrayContent(body);
            foreach (var header in request.Content?.Headers ?? Enumerable.Empty<KeyValuePair<string, IEnumerable<string>>>())
            {
                content.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
            request.Content = content;
            request.Headers.TransferEncodingChunked = fuzzCase.Chunked;
        }
        if (fuzzCase.ContentType is { } contentType)
        {
            request.Content ??= new ByteArrayContent([]);
            request.Content.Headers.Remove("Content-Type");
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        using var response = await client.SendAsync(request, cancellationToken);
        var responseBody = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return new ResponseSummary((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, responseBody);
    }

    /// <summary>
    /// Kestrel answers a request that breaks HTTP/1.1 itself, before any middleware, with a bare 4xx and closes the
    /// connection; no application code can shape that answer. Accepted only for the cases built to break the protocol.
    /// </summary>
    private static bool IsKestrelRefusal(FuzzCase fuzzCase, ResponseSummary response) =>
        fuzzCase.KestrelMayRefuse && response.Status is >= 400 and < 500 && response.MediaType is null && response.Body.Length == 0;

    private static string? Check(FuzzCase fuzzCase, ResponseSummary response)
    {
        if (response.Status >= 500)
        {
            return $"{response.Status}: {System.Text.Encoding.UTF8.GetString(response.Body)}";
        }
        if (response.Status < 400)
        {
            return null;
        }
        if (response.MediaType != "application/problem+json")
        {
            return $"{response.Status} with Content-Type {response.MediaType ?? "(none)"} and {response.Body.Length} bytes";
        }
        if (fuzzCase.IsHead && response.Body.Length == 0)
        {
            return null;
        }
        try
        {
            using var problem = JsonDocument.Parse(response.Body);
            return problem.RootElement.TryGetProperty("status", out var status) && status.TryGetInt32(out var value) && value == response.Status
                ? null
                : $"{response.Status} whose problem has another status: {System.Text.Encoding.UTF8.GetString(response.Body)}";
        }
        catch (JsonException)
        {
            return $"{response.Status} whose body is not JSON: {System.Text.Encoding.UTF8.GetString(response.Body)}";
        }
    }

    private sealed record ResponseSummary(int Status, string? MediaType, byte[] Body);
}
