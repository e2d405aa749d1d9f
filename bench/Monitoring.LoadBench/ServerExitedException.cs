namespace Monitoring.LoadBench;

/// <summary>A server under test is gone in the middle of a run (crashed, or killed by something else on the machine).</summary>
internal sealed class ServerExitedException(string message) : Exception(message);
