namespace Monitoring.LoadBench;

/// <summary>One variant's measurement window in one round.</summary>
internal sealed record WindowSample(string Variant, int Round, WrkResult Wrk, double CpuSeconds, long PeakResidentBytes)
{
    /// <summary>Server CPU time (user + system) per completed request.</summary>
    public double CpuMicrosecondsPerRequest => Wrk.Requests > 0 ? CpuSeconds * 1e6 / Wrk.Requests : double.NaN;
}
