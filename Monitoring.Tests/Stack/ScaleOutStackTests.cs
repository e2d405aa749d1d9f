using System.Globalization;
using System.Text;
using System.Text.Json;
using Monitoring.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Monitoring.Tests.Stack;

/// <summary>
/// Three DataApi replicas on one PostgreSQL, each scraped by Prometheus as its own target (see
/// <see cref="ScaleOutStackFixture"/>). Every fact but the last reads what the fixture's traffic left; the last kills a replica.
/// </summary>
[Collection(ScaleOutStackCollection.Name)]
public sealed class ScaleOutStackTests(ScaleOutStackFixture stack, ITestOutputHelper output)
{
    private const int Kill = 9;

    private const string DataEndpoints = """job="dataapi",endpoint=~"/data|/data/\\{key\\}" """;

    [Fact]
    public void The_replicas_are_three_processes_on_three_ports()
    {
        Assert.Equal(ScaleOutStackFixture.ReplicaCount, stack.Replicas.Count);
        Assert.Equal(ScaleOutStackFixture.ReplicaCount, stack.Replicas.Select(replica => replica.ResourceId).Distinct().Count());
        Assert.Equal(ScaleOutStackFixture.ReplicaCount, stack.Replicas.Select(replica => replica.Port).Distinct().Count());
        Assert.Equal(ScaleOutStackFixture.ReplicaCount, stack.Replicas.Select(replica => replica.ProcessId).Distinct().Count());
    }

    [Fact]
    public void A_write_through_one_replica_is_read_through_each_of_the_others()
    {
        Assert.Equal(ScaleOutStackFixture.ReplicaCount * ScaleOutStackFixture.WritesPerReplica, stack.CrossReads.Count);
        foreach (var crossRead in stack.CrossReads)
        {
            Assert.Equal(HttpStatusCode.Created, crossRead.WriteStatus);
            Assert.Equal(
                stack.Replicas.Where(replica => replica != crossRead.Writer).Select(replica => replica.ResourceId),
                crossRead.Reads.Select(read => read.Reader.ResourceId));
            foreach (var (reader, status, value) in crossRead.Reads)
            {
                Assert.True(status == HttpStatusCode.OK, $"{crossRead.Key}, written through {crossRead.Writer.ResourceId}: {reader.ResourceId} answered {status}");
                Assert.Equal(crossRead.Value, value);
            }
        }
    }

    [Fact]
    public async Task Prometheus_scrapes_each_replica_as_its_own_target_and_all_three_are_up()
    {
        var up = await stack.Prometheus.QueryAtAsync("up{job=\"dataapi\"}", stack.CountedAt);

        Assert.Null(up.Error);
        Assert.Equal(
            stack.Replicas.Select(replica => $"{replica.Instance} 1").Order(),
            up.Series.Select(series => $"{Instance(series)} {Value(series).ToString(CultureInfo.InvariantCulture)}").Order());
    }

    [Fact]
    public async Task The_requests_counted_over_the_replicas_are_the_requests_sent()
    {
        // Only the data endpoints the traffic used: Aspire's health probes and Prometheus's scrapes are counted too, on their own endpoints.
        var total = await stack.Prometheus.QueryAtAsync($"sum(http_requests_total{{{DataEndpoints}}})", stack.CountedAt);
        var byLabels = await stack.Prometheus.QueryAtAsync(
            $"sum by (instance, method, endpoint, status_code) (http_requests_total{{{DataEndpoints}}})", stack.CountedAt);

        Assert.Null(total.Error);
        Assert.Null(byLabels.Error);
        var sent = stack.Sent.Values.Sum();
        Assert.Equal(ScaleOutStackFixture.ReplicaCount * ScaleOutStackFixture.WritesPerReplica * ReplicaCountWithWriter, sent);
        Assert.Equal(sent, total.FirstValue);
        Assert.Equal(
            stack.Sent.Select(pair => $"{pair.Key.Instance} {pair.Key.Method} {pair.Key.Endpoint} {pair.Key.Status}: {pair.Value}").Order(),
            byLabels.Series.Select(series =>
            {
                var metric = series.GetProperty("metric");
                return $"{Label(metric, "instance")} {Label(metric, "method")} {Label(metric, "endpoint")} {Label(metric, "status_code")}: {Value(series)}";
            }).Order());
    }

    /// <summary>Each write is one POST to its writer and one GET to each other replica.</summary>
    private const int ReplicaCountWithWriter = ScaleOutStackFixture.ReplicaCount;

    [Fact]
    public async Task A_killed_replica_is_down_in_Prometheus_DataApiDown_is_pending_and_the_others_keep_serving()
    {
        using var cancellation = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var victim = stack.Replicas[^1];
        var survivors = stack.Replicas.Take(stack.Replicas.Count - 1).ToList();
        var states = new List<string>();
        var watching = WatchStatesAsync(victim.ResourceId, states, cancellation.Token);

        var server = ListeningProcess(victim);
        var killedAt = DateTimeOffset.UtcNow;
        PosixSignal.Send(server, Kill);
        output.WriteLine($"SIGKILL {server} ({victim.ResourceId}, {victim.Instance}) at {killedAt:O}");

        var instance = $"instance=\"{victim.Instance}\"";
        double? victimUp = null;
        bool everDown = false, pending = false, everPending = false, survivorsUp = true;
        // Long enough for the AppHost to see the replica exit, rewrite the targets file, and Prometheus to reread it
        // (file_sd refresh 5 s, discovery updates at most every 5 s) and scrape again: a target dropped by then is gone.
        var settled = TimeSpan.FromSeconds(15);
        while (DateTimeOffset.UtcNow - killedAt < TimeSpan.FromSeconds(45) && !(everDown && everPending && DateTimeOffset.UtcNow - killedAt > settled))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellation.Token);
            var up = await stack.Prometheus.QueryAsync("up{job=\"dataapi\"}", cancellation.Token);
            Assert.Null(up.Error);
            victimUp = up.Series.FirstOrDefault(series => Instance(series) == victim.Instance) is { ValueKind: JsonValueKind.Object } series ? Value(series) : null;
            everDown |= victimUp == 0;
            survivorsUp &= survivors.All(survivor => up.Series.Any(candidate => Instance(candidate) == survivor.Instance && Value(candidate) == 1));
            var alert = await stack.Prometheus.QueryAsync($"ALERTS{{alertname=\"DataApiDown\",alertstate=\"pending\",{instance}}}", cancellation.Token);
            Assert.Null(alert.Error);
            pending = alert.Series.Count > 0;
            everPending |= pending;
        }
        var observedAfter = DateTimeOffset.UtcNow - killedAt;
        var upText = victimUp?.ToString(CultureInfo.InvariantCulture) ?? "absent";
        output.WriteLine($"after {observedAfter.TotalSeconds:F1} s: up {upText} (ever 0: {everDown}), pending {pending} (ever: {everPending})");
        output.WriteLine("replica states: " + string.Join(" → ", states));

        Assert.True(everDown, $"up{{{instance}}} was never 0 within {observedAfter.TotalSeconds:F0} s of the kill");
        Assert.True(everPending, $"DataApiDown never became pending for {victim.Instance} within {observedAfter.TotalSeconds:F0} s of the kill");
        // Still so once the targets file has caught up: a dropped target would leave up absent, and the alert would
        // resolve rather than fire after its minute.
        Assert.True(victimUp == 0, $"{observedAfter.TotalSeconds:F0} s after the kill up{{{instance}}} is {upText}, not 0: the target was dropped");
        Assert.True(pending, $"{observedAfter.TotalSeconds:F0} s after the kill DataApiDown is no longer pending for {victim.Instance}");
        Assert.True(observedAfter < TimeSpan.FromMinutes(1), "the alert must be seen pending before its 'for: 1m' has run");
        Assert.True(survivorsUp, "a surviving replica's target went down");
        var targets = (await stack.Prometheus.GetDataAsync("/api/v1/targets?state=active", cancellation.Token)).GetProperty("activeTargets").EnumerateArray();
        var target = Assert.Single(targets, candidate => Label(candidate.GetProperty("labels"), "instance") == victim.Instance);
        Assert.Equal("down", target.GetProperty("health").GetString());

        // The two others still write and read, each other's writes included.
        foreach (var (writer, reader) in new[] { (survivors[0], survivors[1]), (survivors[1], survivors[0]) })
        {
            var key = $"after-kill-{Guid.NewGuid():N}";
            using var write = await writer.Client.PostAsync(
                "/data", new StringContent($$$"""{"key":"{{{key}}}","value":{"by":"{{{writer.ResourceId}}}"}}""", Encoding.UTF8, "application/json"), cancellation.Token);
            Assert.Equal(HttpStatusCode.Created, write.StatusCode);
            foreach (var client in new[] { writer.Client, reader.Client })
            {
                var read = await client.GetFromJsonAsync<JsonElement>($"/data/{key}", cancellation.Token);
                Assert.Equal(writer.ResourceId, read.GetProperty("value").GetProperty("by").GetString());
            }
        }
        await cancellation.CancelAsync();
        await watching;
    }

    /// <summary>Records the victim's state changes, to tell whether Aspire restarts a killed replica.</summary>
    private async Task WatchStatesAsync(string resourceId, List<string> states, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var update in stack.App.ResourceNotifications.WatchAsync(cancellationToken))
            {
                var state = $"{update.Snapshot.State?.Text}/{update.Snapshot.HealthStatus}";
                if (update.ResourceId == resourceId && (states.Count == 0 || states[^1] != state))
                {
                    lock (states)
                    {
                        states.Add(state);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The test is over.
        }
    }

    /// <summary>
    /// The process listening on the replica's port, among the processes Aspire started for it (a project runs as
    /// <c>dotnet run</c>, whose child is the DataApi): the socket's inode from /proc/net/tcp, then the process holding it.
    /// </summary>
    private static int ListeningProcess(ScaleOutStackFixture.Replica replica)
    {
        var port = replica.Port.ToString("X4", CultureInfo.InvariantCulture);
        var inodes = File.ReadLines("/proc/net/tcp").Concat(File.ReadLines("/proc/net/tcp6")).Skip(1)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            // local_address is ADDRESS:PORT in hex; state 0A is LISTEN; field 9 is the inode.
            .Where(fields => fields[1].EndsWith(":" + port, StringComparison.Ordinal) && fields[3] == "0A")
            .Select(fields => $"socket:[{fields[9]}]")
            .ToHashSet();
        Assert.NotEmpty(inodes);
        foreach (var pid in ProcessTree.WithDescendants(replica.ProcessId))
        {
            try
            {
                if (Directory.EnumerateFiles($"/proc/{pid}/fd").Any(fd => new FileInfo(fd).LinkTarget is { } target && inodes.Contains(target)))
                {
                    return pid;
                }
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // The process ended while we looked.
            }
        }
        Assert.Fail($"no process under {replica.ProcessId} listens on {replica.Port}");
        return 0;
    }

    private static string? Instance(JsonElement series) => Label(series.GetProperty("metric"), "instance");

    private static string? Label(JsonElement metric, string name) => metric.TryGetProperty(name, out var value) ? value.GetString() : null;

    private static double Value(JsonElement series) =>
        double.Parse(series.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
}
