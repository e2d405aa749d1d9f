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
    [InlineData("ConnectionStrings__data")]
    [InlineData("DATA_STORE")]
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

    [Fact]
    public void The_data_path_run_defaults_to_ten_rounds_of_five_seconds_over_100k_items_with_postgres()
    {
        var options = BenchOptions.Parse(["--data-path"]);

        Assert.True(options.DataPath);
        Assert.Equal((10, 5, 60, 100_000, SeedVia.Auto, false), (options.Rounds, options.WindowSeconds, options.WarmupSeconds, options.Items, options.SeedVia, options.SkipPostgres));
        Assert.Equal([1, 16, 64], options.Levels);
    }

    [Fact]
    public void The_data_path_smoke_run_is_tiny_and_leaves_postgres_out_unless_asked_for()
    {
        var smoke = BenchOptions.Parse(["--smoke", "--data-path"]);
        var withPostgres = BenchOptions.Parse(["--data-path", "--smoke", "--postgres", "--rounds", "2", "--levels", "1,64"]);

        Assert.Equal((1, 1, 0, 1_000, true), (smoke.Rounds, smoke.WindowSeconds, smoke.WarmupSeconds, smoke.Items, smoke.SkipPostgres));
        Assert.Equal([16], smoke.Levels);
        Assert.Equal((2, false), (withPostgres.Rounds, withPostgres.SkipPostgres));
        Assert.Equal([1, 64], withPostgres.Levels);
    }

    [Fact]
    public void The_data_path_run_can_be_narrowed_to_variants_scenarios_and_replica_counts()
    {
        var all = BenchOptions.Parse(["--data-path"]);
        var narrowed = BenchOptions.Parse(["--data-path", "--variants", "dataapi-postgres, postgres", "--scenarios", "post-replace,get-random", "--replicas", "3,1,2"]);

        Assert.Null(all.Variants);
        Assert.Null(all.Scenarios);
        Assert.Empty(all.Replicas);
        Assert.True(all.WantsVariant("dataapi-postgres"));
        Assert.Equal(["dataapi-postgres", "postgres"], narrowed.Variants);
        Assert.False(narrowed.WantsVariant("bare"));
        Assert.Equal(["post-replace", "get-random"], narrowed.Scenarios);
        Assert.Equal([1, 2, 3], narrowed.Replicas);
    }

    [Fact]
    public void The_metrics_cost_run_is_unchanged_by_the_data_path_options()
    {
        var options = BenchOptions.Parse(["--smoke"]);

        Assert.False(options.DataPath);
        Assert.Equal((1, 1, 0, 10), (options.Rounds, options.WindowSeconds, options.WarmupSeconds, options.Scrapes));
        Assert.Equal(20, BenchOptions.Parse([]).Rounds);
    }

    [Theory]
    [InlineData("--levels", "0")]
    [InlineData("--levels", "1,x")]
    [InlineData("--levels", ",")]
    [InlineData("--seed-via", "ftp")]
    [InlineData("--variants", "dataapi,sqlite")]
    [InlineData("--variants", ",")]
    [InlineData("--scenarios", "get")]
    [InlineData("--replicas", "0")]
    [InlineData("--replicas", "9")]
    public void A_bad_data_path_option_is_refused(string option, string value) =>
        Assert.Throws<ArgumentException>(() => BenchOptions.Parse(["--data-path", option, value]));
}
