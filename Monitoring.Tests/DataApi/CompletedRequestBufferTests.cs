using Monitoring.DataApi.Metrics;

namespace Monitoring.Tests.DataApi;

public sealed class CompletedRequestBufferTests
{
    private static readonly StatusSeries Ok = new HttpSeries("GET", "/data/{key}").ForStatus(200);

    private readonly List<CompletedRequest[]> _batches = [];

    [Fact]
    public void Requests_are_held_until_a_drain_and_then_recorded_in_order()
    {
        var buffer = new CompletedRequestBuffer(Record, stripes: 1);

        buffer.Add(Request(1));
        buffer.Add(Request(2));
        Assert.Empty(_batches);

        buffer.Drain();
        Assert.Equal([1.0, 2.0], Assert.Single(_batches).Select(request => request.DurationSeconds));

        buffer.Drain();
        Assert.Single(_batches);
    }

    [Fact]
    public void A_full_batch_is_recorded_by_the_request_that_fills_it()
    {
        var buffer = new CompletedRequestBuffer(Record, stripes: 1);

        for (var i = 0; i < CompletedRequestBuffer.BatchSize + 1; i++)
        {
            buffer.Add(Request(i));
        }

        Assert.Equal(CompletedRequestBuffer.BatchSize, Assert.Single(_batches).Length);
        buffer.Drain();
        Assert.Equal(CompletedRequestBuffer.BatchSize, Assert.Single(_batches[1]).DurationSeconds);
    }

    [Fact]
    public async Task Concurrent_requests_and_drains_record_every_request_exactly_once()
    {
        const int Threads = 8;
        const int PerThread = 20_000;
        var recorded = new List<double>();
        var buffer = new CompletedRequestBuffer(batch =>
        {
            lock (recorded)
            {
                foreach (var request in batch)
                {
                    recorded.Add(request.DurationSeconds);
                }
            }
        }, stripes: 2);

        using var stop = new CancellationTokenSource();
        var drains = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                buffer.Drain();
            }
        });
        await Task.WhenAll(Enumerable.Range(0, Threads).Select(thread => Task.Run(() =>
        {
            for (var i = 0; i < PerThread; i++)
            {
                buffer.Add(Request(thread * PerThread + i));
            }
        })));
        await stop.CancelAsync();
        await drains;
        buffer.Drain();

        Assert.Equal(Enumerable.Range(0, Threads * PerThread).Select(i => (double)i), recorded.Order());
    }

    [Fact]
    public void A_batch_whose_recording_fails_is_dropped_and_the_buffer_keeps_working()
    {
        var fail = true;
        var buffer = new CompletedRequestBuffer(batch =>
        {
            if (fail)
            {
                throw new InvalidOperationException("recording failed");
            }
            Record(batch);
        }, stripes: 1);

        buffer.Add(Request(1));
        Assert.Throws<InvalidOperationException>(buffer.Drain);

        fail = false;
        for (var i = 0; i < CompletedRequestBuffer.BatchSize; i++)
        {
            buffer.Add(Request(i));
        }
        Assert.Equal(CompletedRequestBuffer.BatchSize, Assert.Single(_batches).Length);
    }

    private void Record(ReadOnlySpan<CompletedRequest> batch) => _batches.Add(batch.ToArray());

    private static CompletedRequest Request(double durationSeconds) => new(Ok, durationSeconds, RequestBytes: 0, ResponseBytes: 10);
}
