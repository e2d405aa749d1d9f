namespace Monitoring.LoadBench;

/// <summary>
/// One variant's measurement window in one round. <see cref="ResidentBytes"/> is the resident set at the end of the
/// window (VmRSS); <see cref="PeakResidentBytes"/> the highest since the server started (VmHWM), warm-up included.
/// </summary>
internal sealed record WindowSample(string Variant, int Round, WrkResult Wrk, double CpuSeconds, long ResidentBytes, long PeakResidentBytes)
{
    /// <summary>Which of the variant's processes (1, 2, …, <c>--processes</c>) served the window.</summary>
    public int Process { get; init; } = 1;

    /// <summary>Server CPU time (user + system) per completed request.</summary>
    public double CpuMicrosecondsPerRequest => Wrk.Requests > 0 ? CpuSeconds * 1e6 / Wrk.Requests : double.NaN;
}
