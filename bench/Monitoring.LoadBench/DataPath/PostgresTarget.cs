namespace Monitoring.LoadBench.DataPath;

/// <summary>
/// PostgreSQL under pgbench: the anchor a user would pick instead of the DataApi. A window starts once every pgbench
/// client has its backend (pgbench's run is started longer than the window for that), and counts the transactions
/// that ended within it. Its CPU is the whole process tree's (the postmaster, its background processes and the
/// backends); its memory the tree's summed Pss, sampled every 200 ms within the window.
/// </summary>
internal sealed class PostgresTarget(PostgresServer server, BenchOptions options) : IDataPathTarget
{
    public const string VariantName = "postgres";

    private readonly Dictionary<int, double> _connectSeconds = [];
    private long _peakBytes;

    public string Name => VariantName;

    public string Description => $"PostgreSQL {server.Version} as a local process (synchronous_commit=on, fsync=on) under `pgbench -M prepared -j1` over TCP loopback: the same single-row upsert (INSERT … ON CONFLICT (key) DO UPDATE … RETURNING) and point SELECT";

    public string? Readiness => null;

    public string MemoryNote => "the Pss of the postmaster and all its processes summed (shared buffers counted once), the last sample within the window; peak: the highest such sample so far";

    public async Task WarmUpAsync(DataPathCase testCase, int seconds, int window)
    {
        var run = PgBench.Start(server, testCase, seconds, options.Items, unchecked(options.Seed + window), options.ClientCpu, window);
        var result = await PgBench.ResultAsync(run, 0, long.MaxValue);
        if (result.Errors > 0)
        {
            Console.WriteLine($"warm-up {Name} {testCase.Label}: {result.Errors} errors");
        }
        await server.WaitForIdleAsync();
    }

    public async Task<DataPathSample> MeasureAsync(DataPathCase testCase, int round, int seconds, int window)
    {
        // pgbench's duration has to cover its clients' connecting (about 25 ms each on a busy pinned CPU) before the
        // window: twice the last time it took at this client count, and more again if that was not enough.
        var connecting = _connectSeconds.TryGetValue(testCase.Connections, out var last) ? (2 * last) + 0.5 : 2 + (testCase.Connections * 0.06);
        for (var attempt = 1; ; attempt++)
        {
            var sample = await TryMeasureAsync(testCase, round, seconds, window, connecting);
            if (sample is not null || attempt == 3)
            {
                return sample ?? throw new InvalidOperationException(
                    $"pgbench's {testCase.Connections} clients took more than {connecting:F1} s to connect, three times over.");
            }
            connecting *= 3;
        }
    }

    /// <summary>One window, or null when pgbench's run ended before it did (its clients were slower to connect than allowed for).</summary>
    private async Task<DataPathSample?> TryMeasureAsync(DataPathCase testCase, int round, int seconds, int window, double connecting)
    {
        var started = DateTime.UtcNow;
        var run = PgBench.Start(server, testCase, seconds + (int)Math.Ceiling(connecting + 0.6), options.Items,
            unchecked(options.Seed + window), options.ClientCpu, window);
        var connected = await server.WaitForBackendsAsync(testCase.Connections, run.Completion, TimeSpan.FromSeconds(connecting));
        if (!connected)
        {
            await PgBench.ResultAsync(run, 0, 0);
            await server.WaitForIdleAsync();
            return null;
        }
        _connectSeconds[testCase.Connections] = (DateTime.UtcNow - started).TotalSeconds;
        // The last backend has forked; let it finish its start-up.
        await Task.Delay(100);

        var from = PgBench.NowMicroseconds();
        var cpuBefore = server.CpuSeconds();
        var end = DateTime.UtcNow + TimeSpan.FromSeconds(seconds);
        var resident = 0L;
        while (DateTime.UtcNow < end)
        {
            resident = server.ProportionalBytes();
            _peakBytes = Math.Max(_peakBytes, resident);
            var left = end - DateTime.UtcNow;
            await Task.Delay(left < TimeSpan.FromMilliseconds(200) ? left.Duration() : TimeSpan.FromMilliseconds(200));
        }
        var cpuAfter = server.CpuSeconds();
        var to = PgBench.NowMicroseconds();
        var endedEarly = run.Completion.IsCompleted;

        var result = await PgBench.ResultAsync(run, from, to);
        await server.WaitForIdleAsync();
        return endedEarly
            ? null
            : new DataPathSample(testCase.Scenario.Name, testCase.Connections, Name, round, result.Transactions, result.Seconds,
                result.TransactionsPerSecond, result.P50Microseconds, result.P99Microseconds, result.Errors, cpuAfter - cpuBefore, resident, _peakBytes);
    }

    /// <summary>The server may be shared with the DataApi on PostgreSQL; <see cref="DataPathRun"/> stops it.</summary>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
