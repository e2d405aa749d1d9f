using System.Runtime.InteropServices;

namespace Monitoring.Tests.Infrastructure;

/// <summary>Sends a signal the way an orchestrator stops a container (<c>kill(2)</c>); Process.Kill only sends SIGKILL.</summary>
public static partial class PosixSignal
{
    public const int Terminate = 15;

    /// <summary>False when the signal could not be sent (the process is already gone, say).</summary>
    public static bool TrySend(int processId, int signal) => Kill(processId, signal) == 0;

    public static void Send(int processId, int signal)
    {
        if (!TrySend(processId, signal))
        {
            throw new InvalidOperationException($"kill({processId}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
