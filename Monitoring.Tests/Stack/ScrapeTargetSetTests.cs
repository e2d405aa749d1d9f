extern alias AppHost;

using AppHost::Monitoring.AppHost;

namespace Monitoring.Tests.Stack;

public sealed class ScrapeTargetSetTests
{
    [Fact]
    public void Every_running_replica_is_a_target_and_replicas_that_stop_are_dropped()
    {
        var set = new ScrapeTargetSet("host.docker.internal");

        Assert.False(set.Update("dataapi-a", running: false, port: "20001"));
        Assert.True(set.Update("dataapi-a", running: true, port: "20001"));
        Assert.True(set.Update("dataapi-b", running: true, port: "20002"));
        Assert.False(set.Update("dataapi-b", running: true, port: "20002"));
        Assert.Equal(["host.docker.internal:20001", "host.docker.internal:20002"], set.Targets);

        Assert.True(set.Update("dataapi-a", running: true, port: "20005"));
        Assert.True(set.Update("dataapi-b", running: false, port: "20002"));
        Assert.Equal(["host.docker.internal:20005"], set.Targets);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("{{- portForServing \"dataapi\" -}}")]
    [InlineData("0")]
    [InlineData("70000")]
    public void A_replica_without_a_usable_port_is_not_a_target(string? port)
    {
        var set = new ScrapeTargetSet("localhost");

        Assert.False(set.Update("dataapi-a", running: true, port));
        Assert.Empty(set.Targets);
    }
}
