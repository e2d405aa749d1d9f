using System.Diagnostics;

namespace Monitoring.Tests.Reliability;

/// <summary>Reads a process's VmRSS once a second, with the time since the sampler started.</summary>
public sealed class RssSampler : IAsyncDisposable
{
    private readonly List<(TimeSpan At, long Bytes)> _samples = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public RssSampler(int processId, TimeSpan maximum)
    {
        var clock = Stopwatch.StartNew();
        _loop = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
            while (clock.Elapsed < maximum && await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                if (ResidentMemory.TryBytesOf(processId) is not { } bytes)
                {
                    // The process is gone: the test says so, with its output.
                    return;
                }
                lock (_samples)
                {
                    _samples.Add((clock.Elapsed, bytes));
                }
            }
        });
    }

    public IReadOnlyList<(TimeSpan At, long Bytes)> Samples
    {
        get
        {
            lock (_samples)
            {
                return [.. _samples];
            }
        }
    }

    /// <summary>The largest sample taken between <paramref name="from"/> and <paramref name="to"/> seconds.</summary>
    public long MaxBetween(double from, double to) =>
        Samples.Where(sample => sample.At.TotalSeconds >= from && sample.At.TotalSeconds <= to).Select(sample => sample.Bytes).DefaultIfEmpty(-1).Max();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
        _stop.Dispose();
    }
}
