namespace Monitoring.LoadBench.DataPath;

/// <summary>
/// One variant's window of one scenario in one round. <see cref="ResidentBytes"/> is the steady resident set, read
/// under load or just after it; <see cref="PeakResidentBytes"/> the highest so far (see <see cref="IDataPathTarget"/>).
/// </summary>
internal sealed record DataPathSample(
    string Scenario,
    int Connections,
    string Variant,
    int Round,
    long Requests,
    double Seconds,
    double RequestsPerSecond,
    double P50Microseconds,
    double P99Microseconds,
    long Errors,
    double CpuSeconds,
    long ResidentBytes,
    long PeakResidentBytes,
    double? DatabaseCpuSeconds = null)
{
    public string Case => $"{Scenario} c{Connections}";

    /// <summary>Server CPU time (user + system) per completed request or transaction: the DataApi on PostgreSQL's and its database's together.</summary>
    public double CpuMicrosecondsPerRequest => Requests > 0 ? CpuSeconds * 1e6 / Requests : double.NaN;

    /// <summary>The DataApi on PostgreSQL: its own processes' share of <see cref="CpuMicrosecondsPerRequest"/> (NaN for the other variants).</summary>
    public double OwnCpuMicrosecondsPerRequest => DatabaseCpuSeconds is { } database && Requests > 0 ? (CpuSeconds - database) * 1e6 / Requests : double.NaN;

    /// <summary>The DataApi on PostgreSQL: PostgreSQL's share (all its processes) of <see cref="CpuMicrosecondsPerRequest"/> (NaN for the other variants).</summary>
    public double DatabaseCpuMicrosecondsPerRequest => DatabaseCpuSeconds is { } database && Requests > 0 ? database * 1e6 / Requests : double.NaN;
}

/// <summary>A server the data-path rounds measure: an HTTP server under wrk, or PostgreSQL under pgbench.</summary>
internal interface IDataPathTarget : IAsyncDisposable
{
    string Name { get; }

    string Description { get; }

    /// <summary>What its resident-set figures are (they differ between one process and PostgreSQL's many).</summary>
    string MemoryNote { get; }

    /// <summary>How long its server took to be ready, when it is an HTTP server the harness started (null otherwise).</summary>
    string? Readiness { get; }

    /// <summary>Runs the scenario's load once without measuring it, so that the JIT and the caches are warm.</summary>
    Task WarmUpAsync(DataPathCase testCase, int seconds, int window);

    Task<DataPathSample> MeasureAsync(DataPathCase testCase, int round, int seconds, int window);

    /// <summary>Whether it runs this case at all (N replicas need at least N connections).</summary>
    bool Runs(DataPathCase testCase) => true;
}
