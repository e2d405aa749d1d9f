using System.Globalization;
using Monitoring.Tests.Infrastructure;

namespace Monitoring.Tests.Bench;

/// <summary>
/// The load harness in --smoke mode (1 s windows, a small scrape and growth step; two rounds, each on fresh processes)
/// against this configuration's build outputs: not a measurement, only proof that the harness still runs end to end.
/// The data-path suite's smoke run likewise, the DataApi's native executable among its variants: a thousand items, one
/// connection count, 1 s windows, no PostgreSQL; and
/// once more with PostgreSQL (<c>./test.sh</c> installs it), narrowed to the variants and scenarios that exercise
/// pgbench and the DataApi on PostgreSQL, as one process and as two.
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class LoadHarnessSmokeTests
{
    private static readonly string[] Variants = ["dataapi-metrics-on", "dataapi-metrics-off", "dataapi-metrics-off-twin", "bare", "prometheus-net", "otel"];
    private static readonly string[] DataPathScenarios = ["get-hot c16", "get-random c16", "post-new c16", "post-replace c16", "mix-90-10 c16"];
    // dataapi-aot: the native executable test.sh publishes; named, so that without it the run stops saying how to publish it.
    private static readonly string[] DataPathVariants = ["dataapi", "dataapi-aot", "bare"];

    [Fact]
    public async Task Smoke_run_reports_every_variant_with_positive_throughput_and_cpu()
    {
        using var output = new TemporaryDirectory();
        using var harness = CapturedProcess.Start(
            RepositoryPaths.BuildOutput("bench/Monitoring.LoadBench"),
            new Dictionary<string, string>(),
            [],
            "--smoke", "--rounds", "2", "--processes", "2", "--server-env", "DOTNET_TieredPGO=0",
            "--configuration", RepositoryPaths.Configuration, "--root", RepositoryPaths.Root, "--output", output.Path);

        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120)))
        {
            try
            {
                await harness.Process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                harness.Process.Kill(entireProcessTree: true);
                Assert.Fail("The smoke run did not finish within 120 s:" + Environment.NewLine + harness.Output);
            }
        }
        Assert.True(harness.Process.ExitCode == 0, $"Exit code {harness.Process.ExitCode}:{Environment.NewLine}{harness.Output}");

        var report = Assert.Single(Directory.GetFiles(output.Path, "load-*.md"));
        var lines = await File.ReadAllLinesAsync(report);
        foreach (var variant in Variants)
        {
            var row = Assert.Single(lines, line => line.StartsWith($"| {variant} |", StringComparison.Ordinal));
            var cells = row.Split('|', StringSplitOptions.TrimEntries);
            // | Variant | req/s | p99 | CPU µs/request median [IQR] (min–max) | ...
            Assert.True(Number(cells[2]) > 0, $"req/s of {variant}: {row}");
            Assert.True(Number(cells[4].Split(' ')[0]) > 0, $"CPU per request of {variant}: {row}");
        }
        Assert.Contains(lines, line => line.StartsWith("**DataApi metrics on − metrics off**", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith("**A/A control**", StringComparison.Ordinal));
        Assert.Contains("- 2 processes per variant, one after the other, each started fresh and warmed up for its share of the rounds.", lines);
        Assert.Contains("- Every server also ran with `DOTNET_TieredPGO=0`.", lines);
        Assert.Contains(lines, line => line.StartsWith("## Scrape cost", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith("## Cost growth", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Data_path_smoke_run_reports_every_scenario_with_positive_throughput_and_cpu()
    {
        using var output = new TemporaryDirectory();
        using var harness = CapturedProcess.Start(
            RepositoryPaths.BuildOutput("bench/Monitoring.LoadBench"),
            new Dictionary<string, string>(),
            [],
            "--data-path", "--smoke", "--variants", string.Join(',', DataPathVariants),
            "--configuration", RepositoryPaths.Configuration, "--root", RepositoryPaths.Root, "--output", output.Path);

        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90)))
        {
            try
            {
                await harness.Process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                harness.Process.Kill(entireProcessTree: true);
                Assert.Fail("The data-path smoke run did not finish within 90 s:" + Environment.NewLine + harness.Output);
            }
        }
        Assert.True(harness.Process.ExitCode == 0, $"Exit code {harness.Process.ExitCode}:{Environment.NewLine}{harness.Output}");

        var report = Assert.Single(Directory.GetFiles(output.Path, "datapath-*.md"));
        Assert.Single(Directory.GetFiles(output.Path, "datapath-*.json"));
        var lines = await File.ReadAllLinesAsync(report);
        foreach (var scenario in DataPathScenarios)
        {
            foreach (var variant in DataPathVariants)
            {
                var row = Assert.Single(lines, line => line.StartsWith($"| {scenario} | {variant} |", StringComparison.Ordinal));
                var cells = row.Split('|', StringSplitOptions.TrimEntries);
                // | Scenario | Variant | req/s | p50 | p99 | CPU µs/request median [IQR] | ...
                Assert.True(Number(cells[3]) > 0, $"req/s of {variant} in {scenario}: {row}");
                Assert.True(Number(cells[6].Split(' ')[0]) > 0, $"CPU per request of {variant} in {scenario}: {row}");
            }
            // The ratio row: DataApi / bare CPU per request is a number, the PostgreSQL columns empty (left out in smoke).
            var ratio = Assert.Single(lines, line => line.StartsWith($"| {scenario} | ", StringComparison.Ordinal) && line.Contains('×', StringComparison.Ordinal));
            Assert.True(Number(ratio.Split('|', StringSplitOptions.TrimEntries)[2].TrimEnd('×')) > 0, ratio);
        }
        Assert.Contains("- PostgreSQL: not run (--variants).", lines);
        Assert.Contains(lines, line => line.StartsWith("- Seeding, dataapi: 1,000 items", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith("- Seeding, dataapi-aot: 1,000 items", StringComparison.Ordinal));
        foreach (var dataApi in (string[])["dataapi", "dataapi-aot"])
        {
            Assert.Contains(lines, line => line.StartsWith($"- `{dataApi}`: ", StringComparison.Ordinal) && line.Contains("Start-up: ready ", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Data_path_smoke_run_with_postgres_reports_the_dataapi_on_postgres_and_its_cpu_split()
    {
        using var output = new TemporaryDirectory();
        using var harness = CapturedProcess.Start(
            RepositoryPaths.BuildOutput("bench/Monitoring.LoadBench"),
            new Dictionary<string, string>(),
            [],
            "--data-path", "--smoke", "--postgres", "--variants", "bare,postgres,dataapi-postgres", "--scenarios", "get-random,post-replace", "--replicas", "1,2",
            "--configuration", RepositoryPaths.Configuration, "--root", RepositoryPaths.Root, "--output", output.Path);

        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120)))
        {
            try
            {
                await harness.Process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                harness.Process.Kill(entireProcessTree: true);
                Assert.Fail("The data-path smoke run with PostgreSQL did not finish within 120 s:" + Environment.NewLine + harness.Output);
            }
        }
        Assert.True(harness.Process.ExitCode == 0, $"Exit code {harness.Process.ExitCode}:{Environment.NewLine}{harness.Output}");

        var lines = await File.ReadAllLinesAsync(Assert.Single(Directory.GetFiles(output.Path, "datapath-*.md")));
        foreach (var scenario in (string[])["get-random c16", "post-replace c16"])
        {
            foreach (var variant in (string[])["bare", "postgres", "dataapi-postgres", "dataapi-postgres-x2"])
            {
                var cells = Assert.Single(lines, line => line.StartsWith($"| {scenario} | {variant} |", StringComparison.Ordinal)).Split('|', StringSplitOptions.TrimEntries);
                Assert.True(Number(cells[3]) > 0, $"req/s of {variant} in {scenario}: {string.Join('|', cells)}");
                Assert.True(Number(cells[6].Split(' ')[0]) > 0, $"CPU per request of {variant} in {scenario}: {string.Join('|', cells)}");
                if (variant.StartsWith("dataapi-postgres", StringComparison.Ordinal))
                {
                    // | … | CPU µs/request | of which DataApi + PostgreSQL: both shares counted.
                    var split = cells[7].Split(" + ");
                    Assert.True(Number(split[0]) > 0 && Number(split[1]) > 0, $"CPU split of {variant} in {scenario}: {cells[7]}");
                }
            }
            // The ratio row: DataApi on PG / pgbench req/s, its own CPU / bare's, PostgreSQL's µs/request.
            var ratio = Assert.Single(lines, line => line.StartsWith($"| {scenario} | ", StringComparison.Ordinal) && line.Contains('×', StringComparison.Ordinal))
                .Split('|', StringSplitOptions.TrimEntries);
            Assert.True(Number(ratio[6].TrimEnd('×')) > 0 && Number(ratio[7].TrimEnd('×')) > 0 && Number(ratio[8]) > 0, string.Join('|', ratio));
            Assert.Single(lines, line => line.StartsWith($"| 2 | {scenario} | ", StringComparison.Ordinal));
        }
        Assert.Contains(lines, line => line.StartsWith("- post-replace c16: DataApi on PostgreSQL / pgbench upsert", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith("- Seeding, dataapi-postgres: 1,000 items", StringComparison.Ordinal));
    }

    private static double Number(string cell) =>
        double.Parse(cell.Replace(",", "", StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture);
}
