namespace Monitoring.LoadBench;

/// <summary>What one wrk run reported.</summary>
internal sealed record WrkResult(
    long Requests,
    double Seconds,
    double RequestsPerSecond,
    double P50Microseconds,
    double P99Microseconds,
    long Non2xx,
    long SocketErrors)
{
    public long Errors => Non2xx + SocketErrors;
}
