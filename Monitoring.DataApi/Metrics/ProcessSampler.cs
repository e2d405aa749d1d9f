using System.Diagnostics;

namespace Monitoring.DataApi.Metrics;

/// <summary>
/// Reads the process's CPU, memory, threads and file descriptors. <see cref="Latest"/> is what the process_* metrics
/// report; <see cref="ProcessSamplingService"/> refreshes it every METRICS_COLLECTION_INTERVAL seconds.
/// </summary>
public sealed class ProcessSampler : IDisposable
{
    private readonly Process _process = Process.GetCurrentProcess();
    private readonly TimeProvider _timeProvider;
    private readonly DateTimeOffset _startTime;
    private readonly Lock _sampling = new();
    private ProcessSnapshot _latest;

    public ProcessSampler(TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
        _startTime = new DateTimeOffset(_process.StartTime.ToUniversalTime(), TimeSpan.Zero);
        _latest = Sample();
    }

    public ProcessSnapshot Latest => Volatile.Read(ref _latest);

    public DateTimeOffset StartTime => _startTime;

    /// <summary>Takes a fresh sample and makes it the one the metrics report.</summary>
    public ProcessSnapshot Sample()
    {
        var snapshot = Read();
        Volatile.Write(ref _latest, snapshot);
        return snapshot;
    }

    /// <summary>Takes a fresh sample without changing what the metrics report (they follow METRICS_COLLECTION_INTERVAL).</summary>
    public ProcessSnapshot Read()
    {
        lock (_sampling)
        {
            _process.Refresh();
            var now = _timeProvider.GetUtcNow();
            var snapshot = new ProcessSnapshot(
                CpuSeconds: _process.TotalProcessorTime.TotalSeconds,
                ResidentMemoryBytes: _process.WorkingSet64,
                VirtualMemoryBytes: _process.VirtualMemorySize64,
                StartTimeSeconds: _startTime.ToUnixTimeMilliseconds() / 1000.0,
                UptimeSeconds: Math.Max(0, (now - _startTime).TotalSeconds),
                OpenFileDescriptors: CountOpenFileDescriptors(),
                Threads: _process.Threads.Count,
                SampledAt: now);
            return snapshot;
        }
    }

    private long CountOpenFileDescriptors()
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                return Directory.EnumerateFileSystemEntries("/proc/self/fd").LongCount();
            }
            catch (IOException)
            {
                return 0;
            }
            catch (UnauthorizedAccessException)
            {
                return 0;
            }
        }

        // Elsewhere the closest equivalent: the handles the process holds.
        return _process.HandleCount;
    }

    public void Dispose() => _process.Dispose();
}
