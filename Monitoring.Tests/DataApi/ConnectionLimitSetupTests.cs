using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Monitoring.DataApi.Configuration;
using Monitoring.Tests.Infrastructure;

namespace Monitoring.Tests.DataApi;

/// <summary>The cap on concurrent connections and the idle timeout Kestrel is given.</summary>
public sealed class ConnectionLimitSetupTests
{
    [Theory]
    [InlineData(1024L, 512L)]     // 512 kept for the process
    [InlineData(2048L, 1536L)]
    [InlineData(20000L, 17500L)]  // an eighth kept
    [InlineData(1048576L, 917504L)]
    [InlineData(600L, 150L)]      // too few to keep 512: a quarter still goes to connections
    [InlineData(1L, 1L)]
    public void The_derived_cap_keeps_descriptors_for_the_process(long openFileLimit, long cap) =>
        Assert.Equal(cap, ConnectionLimitSetup.Derive(openFileLimit));

    [Fact]
    public void Without_an_open_file_limit_there_is_no_derived_cap() =>
        Assert.Null(ConnectionLimitSetup.Derive(null));

    [Fact]
    public void By_default_the_cap_is_derived_from_this_process_s_limit_and_idle_connections_close_after_30_s()
    {
        using var factory = new DataApiFactory();

        var limits = factory.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits;

        Assert.Equal(ConnectionLimitSetup.Derive(OpenFileLimit.Read()), limits.MaxConcurrentConnections);
        Assert.NotNull(limits.MaxConcurrentConnections);
        Assert.Equal(TimeSpan.FromSeconds(30), limits.KeepAliveTimeout);
    }

    [Fact]
    public void MAX_CONCURRENT_CONNECTIONS_and_KEEP_ALIVE_TIMEOUT_set_the_limits()
    {
        using var factory = new DataApiFactory().With("MAX_CONCURRENT_CONNECTIONS", "300").With("KEEP_ALIVE_TIMEOUT", "7.5");

        var limits = factory.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits;

        Assert.Equal(300, limits.MaxConcurrentConnections);
        Assert.Equal(TimeSpan.FromSeconds(7.5), limits.KeepAliveTimeout);
    }

    [Fact]
    public void The_open_file_limit_read_in_process_is_this_process_s_soft_limit()
    {
        var line = File.ReadLines("/proc/self/limits").Single(line => line.StartsWith("Max open files", StringComparison.Ordinal));
        var soft = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3], System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(soft, OpenFileLimit.Read());
    }
}
