extern alias AppHost;

using AppHost::Monitoring.AppHost;

namespace Monitoring.Tests.Stack;

public sealed class ScrapeTargetSetTests
{
    [Fact]
    public void Every_replica_that_ran_is_a_target_and_one_that_stops_stays_one()
    {
        var set = new ScrapeTargetSet("host.docker.internal");

        Assert.False(set.Update("dataapi-a", running: false, port: "20001"));
        Assert.True(set.Update("dataapi-a", running: true, port: "20001"));
        Assert.True(set.Update("dataapi-b", running: true, port: "20002"));
        Assert.False(set.Update("dataapi-b", running: true, port: "20002"));
        Assert.Equal(["host.docker.internal:20001", "host.docker.internal:20002"], set.Targets);

        Assert.True(set.Update("dataapi-a", running: true, port: "20005"));
        // Stopped or killed: still a target, which Prometheus then reports down (DataApiDown).
        Assert.False(set.Update("dataapi-b", running: false, port: "20002"));
        Assert.False(set.Update("dataapi-b", running: false, port: null));
        Assert.Equal(["host.docker.internal:20002", "host.docker.internal:20005"], set.Targets);
        // Running again, on another port: the target moves.
        Assert.True(set.Update("dataapi-b", running: true, port: "20006"));
        Assert.Equal(["host.docker.internal:20005", "host.docker.internal:20006"], set.Targets);
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
