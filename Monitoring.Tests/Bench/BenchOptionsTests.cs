extern alias LoadBench;
using LoadBench::Monitoring.LoadBench;

namespace Monitoring.Tests.Bench;

public sealed class BenchOptionsTests
{
    [Fact]
    public void Server_environment_settings_accumulate_in_order_and_split_at_the_first_equals_sign()
    {
        var options = BenchOptions.Parse(["--server-env", "DOTNET_TieredPGO=0", "--rounds", "3", "--server-env", "NAME=a=b", "--server-env", "EMPTY="]);

        Assert.Equal(
            [new("DOTNET_TieredPGO", "0"), new("NAME", "a=b"), new("EMPTY", "")],
            options.ServerEnvironment);
        Assert.Equal(3, options.Rounds);
    }

    [Fact]
    public void No_server_environment_is_added_unless_asked_for() => Assert.Empty(BenchOptions.Parse([]).ServerEnvironment);

    [Theory]
    [InlineData("NOVALUE")]
    [InlineData("=value")]
    public void A_server_environment_setting_without_a_name_or_an_equals_sign_is_refused(string setting)
    {
        var refused = Assert.Throws<ArgumentException>(() => BenchOptions.Parse(["--server-env", setting]));

        Assert.Contains(setting, refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("PORT")]
    [InlineData("host")]
    [InlineData("METRICS_ENABLED")]
    [InlineData("DATA_PATH")]
    [InlineData("ASPNETCORE_URLS")]
    [InlineData("ASPNETCORE_ENVIRONMENT")]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT")]
    [InlineData("DOTNET_URLS")]
    public void A_variable_the_harness_sets_or_drops_itself_is_refused(string name)
    {
        var refused = Assert.Throws<ArgumentException>(() => BenchOptions.Parse(["--server-env", name + "=x"]));

        Assert.Contains(name, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_variable_given_twice_is_refused_rather_than_reported_twice()
    {
        var refused = Assert.Throws<ArgumentException>(() => BenchOptions.Parse(["--server-env", "DOTNET_TieredPGO=0", "--server-env", "dotnet_tieredpgo=1"]));

        Assert.Contains("twice", refused.Message, StringComparison.Ordinal);
    }
}
