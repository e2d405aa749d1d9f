using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Monitoring.ServiceDefaults;
using OpenTelemetry.Metrics;

namespace Monitoring.Tests.ServiceDefaults;

public sealed class MetricStreamPolicyTests
{
    private readonly MetricStreamOptions _options = new();

    [Fact]
    public void Every_instrument_of_a_dropped_meter_is_dropped()
    {
        using var meter = new Meter("Microsoft.AspNetCore.MemoryPool");

        Assert.Same(MetricStreamConfiguration.Drop, Configure(meter.CreateCounter<long>("aspnetcore.memory_pool.rented")));
    }

    [Fact]
    public void A_dropped_instrument_is_dropped_and_its_meters_other_instruments_are_kept()
    {
        _options.DroppedInstruments.Add(("Microsoft.AspNetCore.Hosting", "http.server.request.duration"));
        using var meter = new Meter("Microsoft.AspNetCore.Hosting");

        Assert.Same(MetricStreamConfiguration.Drop, Configure(meter.CreateHistogram<double>("http.server.request.duration")));
        var kept = Configure(meter.CreateUpDownCounter<long>("http.server.active_requests"));
        Assert.NotNull(kept);
        Assert.NotSame(MetricStreamConfiguration.Drop, kept);
    }

    [Theory]
    [InlineData("System.Runtime", "dotnet.gc.collections")]
    [InlineData("Microsoft.AspNetCore.Server.Kestrel", "kestrel.active_connections")]
    [InlineData("System.Net.Http", "http.client.request.duration")]
    public void The_frameworks_instruments_keep_their_names_with_the_framework_cardinality_limit(string meterName, string instrument)
    {
        _options.FrameworkCardinalityLimit = 50;
        using var meter = new Meter(meterName);

        var stream = Configure(meter.CreateCounter<long>(instrument));

        Assert.NotNull(stream);
        Assert.Null(stream.Name);
        Assert.Equal(50, stream.CardinalityLimit);
    }

    [Theory]
    [InlineData("dotnet.assembly.count", "dotnet.assemblies.loaded")]
    [InlineData("dotnet.process.cpu.count", "dotnet.process.cpus")]
    [InlineData("dotnet.timer.count", "dotnet.timers.active")]
    public void Runtime_instruments_ending_in_count_are_renamed_and_limited(string instrument, string name)
    {
        using var meter = new Meter("System.Runtime");

        var stream = Configure(meter.CreateObservableGauge(instrument, () => 1L));

        Assert.NotNull(stream);
        Assert.Equal(name, stream.Name);
        Assert.Equal(new MetricStreamOptions().FrameworkCardinalityLimit, stream.CardinalityLimit);
    }

    [Fact]
    public void A_count_instrument_of_another_meter_is_not_renamed()
    {
        using var meter = new Meter("Microsoft.Example");

        Assert.Null(Configure(meter.CreateCounter<long>("dotnet.timer.count"))!.Name);
    }

    [Fact]
    public void The_applications_own_instruments_get_the_SDK_defaults()
    {
        using var meter = new Meter("Monitoring.DataApi");

        Assert.Null(Configure(meter.CreateHistogram<double>("http_request_duration_seconds")));
    }

    [Fact]
    public void An_instrument_given_its_own_limit_gets_it_and_the_rest_of_its_meter_keeps_the_SDK_defaults()
    {
        _options.CardinalityLimits[("Monitoring.DataApi", "process_threads")] = 1;
        using var meter = new Meter("Monitoring.DataApi");

        var limited = Configure(meter.CreateObservableGauge("process_threads", () => 1L));

        Assert.NotNull(limited);
        Assert.Null(limited.Name);
        Assert.Equal(1, limited.CardinalityLimit);
        Assert.Null(Configure(meter.CreateObservableGauge("process_open_fds", () => 1L)));
    }

    [Fact]
    public void A_framework_instrument_given_its_own_limit_gets_it_instead_of_the_framework_limit_and_keeps_its_rename()
    {
        _options.CardinalityLimits[("System.Runtime", "dotnet.timer.count")] = 3;
        using var meter = new Meter("System.Runtime");

        var stream = Configure(meter.CreateObservableGauge("dotnet.timer.count", () => 1L));

        Assert.NotNull(stream);
        Assert.Equal("dotnet.timers.active", stream.Name);
        Assert.Equal(3, stream.CardinalityLimit);
    }

    [Fact]
    public void A_dropped_instrument_stays_dropped_when_it_also_has_a_limit()
    {
        _options.DroppedInstruments.Add(("Monitoring.DataApi", "process_threads"));
        _options.CardinalityLimits[("Monitoring.DataApi", "process_threads")] = 1;
        using var meter = new Meter("Monitoring.DataApi");

        Assert.Same(MetricStreamConfiguration.Drop, Configure(meter.CreateObservableGauge("process_threads", () => 1L)));
    }

    [Fact]
    public void A_limit_belongs_to_its_meter_and_not_to_an_instrument_of_the_same_name_elsewhere()
    {
        _options.CardinalityLimits[("Monitoring.DataApi", "process_threads")] = 1;
        using var meter = new Meter("Some.Other.Library");

        Assert.Null(Configure(meter.CreateObservableGauge("process_threads", () => 1L)));
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(-5, 1)]
    [InlineData(1, 0)]
    public void A_limit_below_one_fails_validation_at_start(int ownLimit, int frameworkLimit)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.AddServiceDefaults();
        builder.Services.Configure<MetricStreamOptions>(streams =>
        {
            streams.CardinalityLimits[("Monitoring.DataApi", "process_threads")] = ownLimit;
            streams.FrameworkCardinalityLimit = frameworkLimit;
        });
        using var host = builder.Build();

        var refused = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("at least 1", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_limits_and_limits_of_one_are_valid()
    {
        _options.CardinalityLimits[("Monitoring.DataApi", "process_threads")] = 1;

        Assert.True(MetricStreamOptions.HasValidLimits(new MetricStreamOptions()));
        Assert.True(MetricStreamOptions.HasValidLimits(_options));
    }

    private MetricStreamConfiguration? Configure(Instrument instrument) => new MetricStreamPolicy(_options).Configure(instrument);
}
