using System.Diagnostics;
using System.Globalization;

namespace Monitoring.LoadBench.DataPath;

/// <summary>
/// The data-path suite: the DataApi, bare Kestrel with the same routes from memory and, when installed, PostgreSQL
/// under pgbench and the DataApi on that PostgreSQL (one process, and N with <c>--replicas</c>), each seeded with the
/// same items and warmed up, then every scenario × variant measured once per round in an order shuffled every round.
/// <c>--variants</c> and <c>--scenarios</c> narrow the run.
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
        // Shared by several targets, stopped after them: the DataApi processes on PostgreSQL, then PostgreSQL.
        var shared = new List<IAsyncDisposable>();
        var window = 0;
        try
        {
            if (options.WantsVariant(Variant.DataPathDataApi))
            {
                var variant = Variant.DataApi(layout, Variant.DataPathDataApi,
                    "The DataApi as shipped (metrics on), Production, its SQLite file in a temporary folder", dataDirectory, metricsEnabled: true);
                var dataApi = await StartSeededDataApiAsync(variant, options, seeding, log);
                targets.Add(new HttpTarget(dataApi, options));
            }
            // Named by --variants, a missing executable stopped the run before it began (exit 2); otherwise it is left out.
            if (options.WantsVariant(Variant.DataPathDataApiAot) && !File.Exists(layout.DataApiNativeExecutable))
            {
                log.WriteLine($"{Variant.DataPathDataApiAot}: left out, not published ({layout.DataApiNativeExecutable}); `{RepositoryLayout.NativePublishCommand}` publishes it.");
            }
            else if (options.WantsVariant(Variant.DataPathDataApiAot))
            {
                var variant = Variant.DataApi(layout, Variant.DataPathDataApiAot,
                    "The same DataApi as its native (AOT) executable, the container image's build: no JIT, the non-concurrent workstation GC where the JIT build has the server GC; its SQLite file in a temporary folder",
                    dataDirectory, metricsEnabled: true, native: true);
                var dataApi = await StartSeededDataApiAsync(variant, options, seeding, log);
                targets.Add(new HttpTarget(dataApi, options));
            }

            var stopwatch = Stopwatch.StartNew();
            if (options.WantsVariant(Variant.Bare))
            {
                var bare = await ServerProcess.StartReadyAsync(Variant.DataPathBare(layout), options, TimeSpan.FromSeconds(60));
                targets.Add(new HttpTarget(bare, options));
                await DataSeeder.PostAsync(bare.BaseUrl, 0, options.Items);
                await bare.SeedAsync();
                seeding.Add(Invariant($"bare: {options.Items:N0} items over HTTP ({DataSeeder.HttpConnections} connections) in {stopwatch.Elapsed.TotalSeconds:F1} s."));
                log.WriteLine(seeding[^1]);
            }

            // The DataApi on PostgreSQL: one process for dataapi-postgres (and --replicas 1), as many as the most replicas.
            var replicaCounts = options.Replicas
                .Concat(options.WantsVariant(Variant.DataPathDataApiPostgres) ? [1] : [])
                .Distinct().Order().ToList();
            var wantsPgbench = options.WantsVariant(PostgresTarget.VariantName);
            string postgres;
            if (!wantsPgbench && replicaCounts.Count == 0)
            {
                postgres = "not run (--variants).";
            }
            else if (options.SkipPostgres)
            {
                postgres = options.Smoke
                    ? "skipped: the smoke run leaves PostgreSQL out (add --postgres to include it)."
                    : "skipped (--skip-postgres).";
            }
            else if (PostgresServer.FindBin(options.PostgresBin, out var reason) is not { } bin)
            {
                postgres = $"skipped: {reason}; the PostgreSQL rows and columns stay empty.";
            }
            else
            {
                var processes = replicaCounts.Count == 0 ? 0 : replicaCounts[^1];
                var server = await PostgresServer.StartAsync(bin, options, processes);
                shared.Add(server);
                if (wantsPgbench)
                {
                    targets.Add(new PostgresTarget(server, options));
                    stopwatch.Restart();
                    await server.SeedAsync(options.Items);
                    seeding.Add(Invariant($"postgres: {options.Items:N0} items in one INSERT … SELECT from generate_series, then VACUUM ANALYZE and CHECKPOINT, in {stopwatch.Elapsed.TotalSeconds:F1} s."));
                    log.WriteLine(seeding[^1]);
                }
                if (processes > 0)
                {
                    var servers = await StartSeededDataApisOnPostgresAsync(layout, options, server, processes, seeding, shared, log);
                    targets.AddRange(replicaCounts.Select(count => new DataApiPostgresTarget(servers.Take(count).ToList(), server, options)));
                }
                postgres = $"{server.Version} from {bin}, a fresh cluster in a temporary folder (initdb --no-locale -E UTF8), port {server.Port.ToString(CultureInfo.InvariantCulture)} on 127.0.0.1, synchronous_commit=on, fsync=on, max_connections={server.MaxConnections.ToString(CultureInfo.InvariantCulture)}, everything else default; pgbench on its database `postgres`, the DataApi on its own role and database `{PostgresServer.DataApiDatabase}`.";
            }
            log.WriteLine("PostgreSQL: " + postgres);

            if (options.WarmupSeconds > 0)
            {
                // Every scenario in turn, so that the JIT has tiered up the write path as well as the read path.
                var seconds = Math.Max(1, options.WarmupSeconds / DataPathScenario.All.Count);
                // The DataApi processes on PostgreSQL are shared between the replica counts: the target with all of
                // them warms them all up, each under its share of the connections.
                var mostReplicas = targets.OfType<DataApiPostgresTarget>().Select(target => target.Replicas).DefaultIfEmpty(0).Max();
                foreach (var target in targets.Where(target => target is not DataApiPostgresTarget replicas || replicas.Replicas == mostReplicas))
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
                seeding, postgres, targets.Select(target => new DataPathVariantInfo(target.Name, target.Description, target.MemoryNote, target.Readiness)).ToList(),
                summaries, samples);
            log.WriteLine();
            log.Write(DataPathMarkdown.ResultsTable(summaries));
            log.WriteLine();
            log.Write(DataPathMarkdown.RatioTable(summaries));
            log.WriteLine();
            log.Write(DataPathMarkdown.Goals(summaries));
            log.WriteLine();
            log.Write(DataPathMarkdown.ReplicaTable(summaries));
            var errors = samples.Any(sample => sample.Errors > 0);
            return (report, stoppedBecause is not null ? 4 : errors ? 3 : 0);
        }
        finally
        {
            foreach (var target in targets)
            {
                await target.DisposeAsync();
            }
            foreach (var resource in shared)
            {
                await resource.DisposeAsync();
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
            var order = cases.SelectMany(testCase => targets.Where(target => target.Runs(testCase)).Select(target => (testCase, target))).ToArray();
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
                log.WriteLine(Invariant($"round {round}/{options.Rounds} {sample.Case,-17} {sample.Variant,-16} {sample.RequestsPerSecond,9:N0} req/s  p50 {sample.P50Microseconds,8:N0} µs  p99 {sample.P99Microseconds,8:N0} µs  {sample.CpuMicrosecondsPerRequest,7:F1} µs CPU/request  errors {sample.Errors}"));
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
    private static async Task<ServerProcess> StartSeededDataApiAsync(Variant variant, BenchOptions options, List<string> seeding, TextWriter log)
    {
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
                seeding.Add(Invariant($"{variant.Name}: {items:N0} items over HTTP (POST /data, {DataSeeder.HttpConnections} connections) in {httpSeconds:F1} s: {rate:N0} writes/s."));
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
                    ? Invariant($"{variant.Name}: {items:N0} items straight into its SQLite file (--seed-via file; the DataApi created the table, was stopped, and a fresh process started on the file) in {fileSeconds:F1} s.")
                    : Invariant($"{variant.Name}: {written:N0} items over HTTP ({DataSeeder.HttpConnections} connections) in {httpSeconds:F1} s, {rate:N0} writes/s, which would have taken {items / Math.Max(rate, 1e-3):F0} s for all {items:N0} (over the {HttpSeedBudget.TotalSeconds:F0} s budget); the other {items - written:N0} straight into its SQLite file with the DataApi stopped ({fileSeconds:F1} s), then a fresh DataApi process started on the file."));
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

    /// <summary>
    /// The DataApi on PostgreSQL, <paramref name="processes"/> of them on its own database: the first creates the table
    /// and is seeded like <c>dataapi</c> (over HTTP as <c>--seed-via</c> says, the rest straight into the table with
    /// SQL), then VACUUM ANALYZE and a checkpoint, then the others start on the seeded table.
    /// </summary>
    private static async Task<IReadOnlyList<ServerProcess>> StartSeededDataApisOnPostgresAsync(
        RepositoryLayout layout, BenchOptions options, PostgresServer database, int processes, List<string> seeding, List<IAsyncDisposable> shared, TextWriter log)
    {
        var connectionString = await database.CreateDataApiDatabaseAsync();
        var servers = new List<ServerProcess>();
        for (var index = 0; index < processes; index++)
        {
            var variant = Variant.DataApiOnPostgres(layout, index == 0 ? Variant.DataPathDataApiPostgres : Invariant($"{Variant.DataPathDataApiPostgres}-{index + 1}"),
                "The DataApi as shipped (metrics on), Production, on PostgreSQL", connectionString);
            var server = await ServerProcess.StartReadyAsync(variant, options, TimeSpan.FromSeconds(60));
            // Before the next one: the processes are stopped after the targets, as these are shared.
            shared.Insert(0, server);
            servers.Add(server);
            if (index > 0)
            {
                continue;
            }

            var items = options.Items;
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
            stopwatch.Restart();
            await database.SeedDataApiTableAsync(written, items);
            var sqlSeconds = stopwatch.Elapsed.TotalSeconds;
            seeding.Add(written == items
                ? Invariant($"dataapi-postgres: {items:N0} items over HTTP (POST /data, {DataSeeder.HttpConnections} connections) in {httpSeconds:F1} s: {rate:N0} writes/s; then VACUUM ANALYZE and CHECKPOINT ({sqlSeconds:F1} s).")
                : written == 0
                    ? Invariant($"dataapi-postgres: {items:N0} items straight into its table (--seed-via file: INSERT … SELECT from generate_series into the table the DataApi created), then VACUUM ANALYZE and CHECKPOINT, in {sqlSeconds:F1} s.")
                    : Invariant($"dataapi-postgres: {written:N0} items over HTTP ({DataSeeder.HttpConnections} connections) in {httpSeconds:F1} s, {rate:N0} writes/s, which would have taken {items / Math.Max(rate, 1e-3):F0} s for all {items:N0} (over the {HttpSeedBudget.TotalSeconds:F0} s budget); the other {items - written:N0} straight into its table with SQL, then VACUUM ANALYZE and CHECKPOINT ({sqlSeconds:F1} s)."));
            log.WriteLine(seeding[^1]);
            await server.SeedAsync();
        }
        if (processes > 1)
        {
            seeding.Add(Invariant($"dataapi-postgres: {processes - 1} more DataApi processes started on the seeded database (--replicas)."));
        }
        return servers;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
