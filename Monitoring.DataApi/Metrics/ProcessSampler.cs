using System.Diagnostics;

namespace Monitoring.DataApi.Metrics;

/// <summary>
/// Reads the process's CPU, memory, threads and file descriptors. <see cref="Latest"/> is what the process_* metrics
/// report; <see cref="ProcessSamplingService"/> refreshes it every METRICS_COLLECTION_INTERVAL seconds. A read can
/// fail (with no descriptor free, /proc cannot be opened and the runtime reports the process as exited); the last
/// good sample then stays the one reported.
/// </summary>
public sealed class ProcessSampler : IDisposable
{
    private readonly Process _process;
    private readonly string _descriptorDirectory;
    private readonly TimeProvider _timeProvider;
    private readonly DateTimeOffset _startTime;
    private readonly Lock _sampling = new();
    private ProcessSnapshot _latest;

    public ProcessSampler(TimeProvider timeProvider)
        : this(Process.GetCurrentProcess(), timeProvider)
    {
    }

    /// <summary>Samples <paramref name="process"/>, which the sampler then owns.</summary>
    internal ProcessSampler(Process process, TimeProvider timeProvider)
    {
        _process = process;
        _descriptorDirectory = $"/proc/{process.Id}/fd";
        _timeProvider = timeProvider;
        _startTime = new DateTimeOffset(_process.StartTime.ToUniversalTime(), TimeSpan.Zero);
        _latest = Sample();
    }

    public ProcessSnapshot Latest => Volatile.Read(ref _latest);

    public DateTimeOffset StartTime => _startTime;

    /// <summary>Takes a fresh sample and makes it the one the metrics report; throws, keeping the last one, when it cannot.</summary>
    public ProcessSnapshot Sample()
    {
        var snapshot = Read();
        Volatile.Write(ref _latest, snapshot);
        return snapshot;
    }

    /// <summary>
    /// A fresh sample without changing what the metrics report (they follow METRICS_COLLECTION_INTERVAL), or the last
    /// good one (its <see cref="ProcessSnapshot.SampledAt"/> tells how old) when the process cannot be read.
    /// </summary>
    public ProcessSnapshot ReadOrLatest()
    {
        try
        {
            return Read();
        }
        // Whatever stops a read, a health answer is better with an older sample than without one.
        catch (Exception)
        {
            return Latest;
        }
    }

    private ProcessSnapshot Read()
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
                return Directory.EnumerateFileSystemEntries(_descriptorDirectory).LongCount();
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
