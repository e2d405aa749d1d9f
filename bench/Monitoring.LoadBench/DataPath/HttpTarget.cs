namespace Monitoring.LoadBench.DataPath;

/// <summary>The DataApi or the bare Kestrel peer, loaded by wrk on the client CPU; its CPU and memory from /proc.</summary>
internal sealed class HttpTarget(ServerProcess server, BenchOptions options) : IDataPathTarget
{
    public ServerProcess Server { get; } = server;

    public string Name => Server.Variant.Name;

    public string Description => Server.Variant.Description;

    public string MemoryNote => "VmRSS read as each window ends; peak: VmHWM, the highest since the process started (its seeding and warm-up included)";

    public string? Readiness => Server.Variant.IsDataApi
        ? FormattableString.Invariant($"ready {Server.ReadyAfter.TotalMilliseconds:F0} ms after its exec (first 2xx of GET /health/ready; the process the rounds measure)")
        : null;

    public async Task WarmUpAsync(DataPathCase testCase, int seconds, int window)
    {
        var wrk = await RunWrkAsync(testCase, seconds, window);
        if (wrk.Errors > 0)
        {
            Console.WriteLine($"warm-up {Name} {testCase.Label}: {wrk.Errors} errors");
        }
    }

    public async Task<DataPathSample> MeasureAsync(DataPathCase testCase, int round, int seconds, int window)
    {
        var cpuBefore = Server.CpuSeconds();
        var wrk = await RunWrkAsync(testCase, seconds, window);
        var cpuAfter = Server.CpuSeconds();
        // Read while the load has just stopped, before the GC has had a quiet moment to give memory back.
        var resident = Server.ResidentBytes();
        Server.EnsureRunning();
        return new DataPathSample(testCase.Scenario.Name, testCase.Connections, Name, round, wrk.Requests, wrk.Seconds,
            wrk.RequestsPerSecond, wrk.P50Microseconds, wrk.P99Microseconds, wrk.Errors, cpuAfter - cpuBefore, resident, Server.PeakResidentBytes());
    }

    public ValueTask DisposeAsync() => Server.DisposeAsync();

    private Task<WrkResult> RunWrkAsync(DataPathCase testCase, int seconds, int window)
    {
        var scenario = testCase.Scenario;
        var script = scenario.WrkScript is null ? null : DataPathScenario.ScriptPath(scenario.WrkScript);
        // Every window its own random sequence and its own new keys.
        var arguments = scenario.WrkScriptArguments(options.Items, unchecked(options.Seed + window), $"new{window}-");
        return Wrk.RunAsync(Server.BaseUrl + scenario.WrkPath, seconds, testCase.Connections, options.ClientCpu, script, arguments);
    }
}
