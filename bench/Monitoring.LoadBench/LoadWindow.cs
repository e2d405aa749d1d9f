namespace Monitoring.LoadBench;

/// <summary>One wrk window against a running server, with the server's CPU time read just before and just after.</summary>
internal static class LoadWindow
{
    public const string Path = "/data/bench";

    public static async Task<WindowSample> MeasureAsync(ServerProcess server, int round, int seconds, BenchOptions options)
    {
        var cpuBefore = server.CpuSeconds();
        var wrk = await Wrk.RunAsync(server.BaseUrl + Path, seconds, options.Connections, options.ClientCpu);
        var cpuAfter = server.CpuSeconds();
        // Read while the load has just stopped, before the GC has had a quiet moment to give memory back.
        var resident = server.ResidentBytes();
        server.EnsureRunning();
        return new WindowSample(server.Variant.Name, round, wrk, cpuAfter - cpuBefore, resident, server.PeakResidentBytes());
    }
}
