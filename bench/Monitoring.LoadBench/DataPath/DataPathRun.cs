using System.Diagnostics;
using System.Globalization;

namespace Monitoring.LoadBench.DataPath;

/// <summary>
/// The data-path suite: the DataApi, bare Kestrel with the same routes from memory and, when installed, PostgreSQL
/// under pgbench, each seeded with the same items and warmed up, then every scenario × variant measured once per
/// round in an order shuffled every round.
/// </summary>
internal static class DataPathRun
{
    /// <summary>Seeding the DataApi over HTTP is kept only while it would take at most this long (<c>--seed-via auto</c>).</summary>
    private static readonly TimeSpan HttpSeedBudget = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan HttpSeedProbe = TimeSpan.FromSeconds(5);

    public static async Task<(DataPathReport Report, int ExitCode)> RunAsync(
        RepositoryLayout layout, BenchOptions options, string dataDirectory, string machine, TextWriter log)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var loadBefore = Tools.LoadAverage();
        var seeding = new List<string>();
        var targets = new List<IDataPathTarget>();
        var window = 0;
        try
        {
            var dataApi = await StartSeededDataApiAsync(layout, options, dataDirectory, seeding, log);
            targets.Add(new HttpTarget(dataApi, options));

            var bare = await ServerProcess.StartReadyAsync(Variant.DataPathBare(layout), options, TimeSpan.FromSeconds(60));
            targets.Add(new HttpTarget(bare, options));
            var stopwatch = Stopwatch.StartNew();
            await DataSeeder.PostAsync(bare.BaseUrl, 0, options.Items);
            await bare.SeedAsync();
            seeding.Add(Invariant($"bare: {options.Items:N0} items over HTTP ({DataSeeder.HttpConnections} connections) in {stopwatch.Elapsed.TotalSeconds:F1} s."));
            log.WriteLine(seeding[^1]);

            string postgres;
            if (options.SkipPostgres)
            {
                postgres = options.Smoke
                    ? "skipped: the smoke run leaves PostgreSQL out (add --postgres to include it)."
                    : "skipped (--skip-postgres).";
            }
            else if (PostgresServer.FindBin(options.PostgresBin, out var reason) is not { } bin)
            {
                postgres = $"skipped: {reason}; the DataApi / PostgreSQL columns stay empty.";
            }
            else
            {
                var server = await PostgresServer.StartAsync(bin, options);
                targets.Add(new PostgresTarget(server, options));
                stopwatch.Restart();
                await server.SeedAsync(options.Items);
                seeding.Add(Invariant($"postgres: {options.Items:N0} items in one INSERT … SELECT from generate_series, then VACUUM ANALYZE and CHECKPOINT, in {stopwatch.Elapsed.TotalSeconds:F1} s."));
                log.WriteLine(seeding[^1]);
                postgres = $"{server.Version} from {bin}, a fresh cluster in a temporary folder (initdb --no-locale -E UTF8), port {server.Port.ToString(CultureInfo.InvariantCulture)} on 127.0.0.1, synchronous_commit=on, fsync=on, everything else default.";
            }
            log.WriteLine("PostgreSQL: " + postgres);

            if (options.WarmupSeconds > 0)
            {
                // Every scenario in turn, so that the JIT has tiered up the write path as well as the read path.
                var seconds = Math.Max(1, options.WarmupSeconds / DataPathScenario.All.Count);
                foreach (var target in targets)
                {
                    foreach (var scenario in DataPathScenario.All)
                    {
                        await target.WarmUpAsync(new DataPathCase(scenario, options.Connections), seconds, ++window);
                    }
                    log.WriteLine(Invariant($"warm-up {target.Name}: {seconds * DataPathScenario.All.Count} s"));
                }
            }

            var cases = DataPathScenario.Cases(options);
            var (samples, stoppedBecause) = await RoundsAsync(cases, targets, options, () => ++window, log);
            var summaries = DataPathCaseSummary.From(cases, targets.Select(target => target.Name).ToList(), samples);
            var report = new DataPathReport(startedAt, DateTimeOffset.UtcNow, options, machine, loadBefore, Tools.LoadAverage(), stoppedBecause,
                seeding, postgres, targets.Select(target => new DataPathVariantInfo(target.Name, target.Description, target.MemoryNote)).ToList(),
                summaries, samples);
            log.WriteLine();
            log.Write(DataPathMarkdown.ResultsTable(summaries));
            log.WriteLine();
            log.Write(DataPathMarkdown.RatioTable(summaries));
            var errors = samples.Any(sample => sample.Errors > 0);
            return (report, stoppedBecause is not null ? 4 : errors ? 3 : 0);
        }
        finally
        {
            foreach (var target in targets)
            {
                await target.DisposeAsync();
            }
        }
    }

    private static async Task<(IReadOnlyList<DataPathSample> Samples, string? StoppedBecause)> RoundsAsync(
        IReadOnlyList<DataPathCase> cases, IReadOnlyList<IDataPathTarget> targets, BenchOptions options, Func<int> nextWindow, TextWriter log)
    {
#pragma warning disable CA5394 // The shuffle only needs to be reproducible from the seed, not unpredictable.
        var random = new Random(options.Seed);
        var samples = new List<DataPathSample>();
        for (var round = 1; round <= options.Rounds; round++)
        {
            var order = cases.SelectMany(testCase => targets.Select(target => (testCase, target))).ToArray();
            random.Shuffle(order);
            foreach (var (testCase, target) in order)
            {
                DataPathSample sample;
                try
                {
                    sample = await target.MeasureAsync(testCase, round, options.WindowSeconds, nextWindow());
                }
                catch (ServerExitedException exception) when (round > 1)
                {
                    // A shared machine: keep the complete rounds rather than lose the whole run.
                    samples.RemoveAll(kept => kept.Round == round);
                    log.WriteLine($"Stopped in round {round}: {exception.Message}");
                    return (samples, $"stopped in round {round} of {options.Rounds}, {round - 1} complete rounds kept: {exception.Message.Split(Environment.NewLine)[0]}");
                }
                samples.Add(sample);
                log.WriteLine(Invariant($"round {round}/{options.Rounds} {sample.Case,-17} {sample.Variant,-8} {sample.RequestsPerSecond,9:N0} req/s  p50 {sample.P50Microseconds,8:N0} µs  p99 {sample.P99Microseconds,8:N0} µs  {sample.CpuMicrosecondsPerRequest,7:F1} µs CPU/request  errors {sample.Errors}"));
            }
        }
#pragma warning restore CA5394
        return (samples, null);
    }

    /// <summary>
    /// Starts the DataApi (as shipped, metrics on) and seeds its items as <c>--seed-via</c> says, then the hot key over
    /// HTTP. A file seed writes into the table the DataApi created itself, while no DataApi has the file open, and
    /// starts a fresh process on it.
    /// </summary>
    private static async Task<ServerProcess> StartSeededDataApiAsync(
        RepositoryLayout layout, BenchOptions options, string dataDirectory, List<string> seeding, TextWriter log)
    {
        var variant = Variant.DataApi(layout, Variant.DataPathDataApi,
            "The DataApi as shipped (metrics on), Production, its SQLite file in a temporary folder", dataDirectory, metricsEnabled: true);
        var databasePath = variant.Environment[Variant.DataPathVariable];
        var items = options.Items;
        ServerProcess? server = await ServerProcess.StartReadyAsync(variant, options, TimeSpan.FromSeconds(60));
        try
        {
            var stopwatch = Stopwatch.StartNew();
            var written = options.SeedVia == SeedVia.File ? 0 : await DataSeeder.PostAsync(server.BaseUrl, 0, items, options.SeedVia == SeedVia.Auto ? HttpSeedProbe : null);
            var httpSeconds = stopwatch.Elapsed.TotalSeconds;
            var rate = written / Math.Max(httpSeconds, 1e-3);
            if (written < items && options.SeedVia == SeedVia.Auto && httpSeconds + ((items - written) / Math.Max(rate, 1e-3)) <= HttpSeedBudget.TotalSeconds)
            {
                written = await DataSeeder.PostAsync(server.BaseUrl, written, items);
                httpSeconds = stopwatch.Elapsed.TotalSeconds;
                rate = written / httpSeconds;
            }

            if (written == items)
            {
                seeding.Add(Invariant($"dataapi: {items:N0} items over HTTP (POST /data, {DataSeeder.HttpConnections} connections) in {httpSeconds:F1} s: {rate:N0} writes/s."));
            }
            else
            {
                await server.DisposeAsync();
                server = null;
                stopwatch.Restart();
                DataSeeder.InsertIntoFile(databasePath, written, items);
                var fileSeconds = stopwatch.Elapsed.TotalSeconds;
                server = await ServerProcess.StartReadyAsync(variant, options, TimeSpan.FromSeconds(60));
                seeding.Add(options.SeedVia == SeedVia.File
                    ? Invariant($"dataapi: {items:N0} items straight into its SQLite file (--seed-via file; the DataApi created the table, was stopped, and a fresh process started on the file) in {fileSeconds:F1} s.")
                    : Invariant($"dataapi: {written:N0} items over HTTP ({DataSeeder.HttpConnections} connections) in {httpSeconds:F1} s, {rate:N0} writes/s, which would have taken {items / Math.Max(rate, 1e-3):F0} s for all {items:N0} (over the {HttpSeedBudget.TotalSeconds:F0} s budget); the other {items - written:N0} straight into its SQLite file with the DataApi stopped ({fileSeconds:F1} s), then a fresh DataApi process started on the file."));
            }
            log.WriteLine(seeding[^1]);
            await server.SeedAsync();
            return server;
        }
        catch
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }
            throw;
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
