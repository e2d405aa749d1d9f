using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Monitoring.DataApi;
using Monitoring.DataApi.Configuration;
using Monitoring.DataApi.Metrics;

namespace Monitoring.Tests.DataApi;

public sealed class DataApiMetricsTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection()
        .AddSingleton(Options.Create(new ProcessMetricsOptions { EnableSystemMetrics = false }))
        .AddSingleton(TimeProvider.System)
        .AddDataApiMetrics()
        .BuildServiceProvider();

    public void Dispose() => _services.Dispose();

    [Fact]
    public void The_process_instruments_listed_for_a_one_series_limit_are_all_of_them_and_report_one_untagged_series_each()
    {
        using var services = new ServiceCollection()
            .AddSingleton(Options.Create(new ProcessMetricsOptions { EnableSystemMetrics = true }))
            .AddSingleton(TimeProvider.System)
            .AddDataApiMetrics()
            .BuildServiceProvider();
        services.GetRequiredService<DataApiMetrics>();
        var meterFactory = services.GetRequiredService<IMeterFactory>();
        var published = new List<string>();
        var measurements = new List<(string Instrument, int Tags)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Scope == meterFactory && instrument.Name.StartsWith("process_", StringComparison.Ordinal))
                {
                    published.Add(instrument.Name);
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<double>((instrument, _, tags, _) => measurements.Add((instrument.Name, tags.Length)));
        listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) => measurements.Add((instrument.Name, tags.Length)));
        listener.SetMeasurementEventCallback<int>((instrument, _, tags, _) => measurements.Add((instrument.Name, tags.Length)));
        listener.Start();

        listener.RecordObservableInstruments();

        Assert.Equal(DataApiMetrics.ProcessInstruments.Order(StringComparer.Ordinal), published.Order(StringComparer.Ordinal));
        Assert.Equal(DataApiMetrics.ProcessInstruments.Select(name => (name, 0)).Order(), measurements.Order());
    }

    [Fact]
    public void Held_requests_are_recorded_outside_the_trace_of_the_thread_that_records_them()
    {
        var metrics = _services.GetRequiredService<DataApiMetrics>();
        var tracesSeen = new List<Activity?>();
        using var listener = ListenToDurations(tracesSeen);

        using var request = new Activity("some request").Start();
        var series = metrics.SeriesFor(endpoint: null, "GET");
        for (var i = 0; i < 3; i++)
        {
            series.Started();
            metrics.RequestStopped(series, 404, durationSeconds: 0.001, requestBytes: 0, responseBytes: 10);
        }
        Assert.Empty(tracesSeen);

        metrics.Dispose();

        Assert.Equal(3, tracesSeen.Count);
        Assert.All(tracesSeen, Assert.Null);
        Assert.Same(request, Activity.Current);
    }

    [Fact]
    public void A_request_of_a_sampled_trace_is_recorded_at_once_inside_that_trace()
    {
        var metrics = _services.GetRequiredService<DataApiMetrics>();
        var tracesSeen = new List<Activity?>();
        using var listener = ListenToDurations(tracesSeen);

        // Recorded: what a sampler that keeps the trace sets, and what the trace-based exemplar filter looks at.
        using var request = new Activity("sampled request");
        request.ActivityTraceFlags = ActivityTraceFlags.Recorded;
        request.Start();
        var series = metrics.SeriesFor(endpoint: null, "GET");
        series.Started();
        metrics.RequestStopped(series, 500, durationSeconds: 0.001, requestBytes: 0, responseBytes: 10);

        Assert.Same(request, Assert.Single(tracesSeen));
    }

    /// <summary>The trace current when each of this test's request durations is recorded.</summary>
    private MeterListener ListenToDurations(List<Activity?> tracesSeen)
    {
        var meterFactory = _services.GetRequiredService<IMeterFactory>();
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                // This test's meter only: tests running in parallel create DataApi meters of the same name.
                if (instrument.Meter.Scope == meterFactory && instrument.Name == "http_request_duration_seconds")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<double>((_, _, _, _) => tracesSeen.Add(Activity.Current));
        listener.Start();
        return listener;
    }
}
