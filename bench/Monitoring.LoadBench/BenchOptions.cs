using System.Globalization;

namespace Monitoring.LoadBench;

/// <summary>Command-line settings; <c>--smoke</c> shrinks everything to a seconds-long run that only proves the harness works.</summary>
internal sealed record BenchOptions
{
    public int Rounds { get; init; } = 20;
    public int Processes { get; init; } = 1;
    public int WindowSeconds { get; init; } = 5;
    public int WarmupSeconds { get; init; } = 60;
    public int Connections { get; init; } = 16;
    public string Configuration { get; init; } = "Release";
    public string? Root { get; init; }
    public string? OutputDirectory { get; init; }
    public int ServerCpu { get; init; }
    public int ClientCpu { get; init; } = 1;

    /// <summary><c>--postgres-cpu</c>: the CPU PostgreSQL's processes are pinned to; unset, the server CPU, beside the DataApi.</summary>
    public int? PostgresCpu { get; init; }
    public int Scrapes { get; init; } = 500;
    public int ScrapeWarmup { get; init; } = 300;
    public int TargetSeries { get; init; } = 2000;
    public int GrowthPaths { get; init; } = 100_000;
    public int GrowthWindows { get; init; } = 8;
    public bool SkipScrape { get; init; }
    public bool SkipGrowth { get; init; }
    public bool SkipPeers { get; init; }
    public bool Smoke { get; init; }
    public int Seed { get; init; } = Environment.TickCount;

    /// <summary><c>--data-path</c>: the data-path suite (GET, POST and a mix against the DataApi, bare Kestrel and PostgreSQL) instead of the metrics cost.</summary>
    public bool DataPath { get; init; }

    /// <summary>Items seeded for the data-path suite's random keys.</summary>
    public int Items { get; init; } = 100_000;

    /// <summary>How the DataApi's items are seeded: over HTTP, straight into its SQLite file, or HTTP unless that would take over a minute.</summary>
    public SeedVia SeedVia { get; init; } = SeedVia.Auto;

    /// <summary>The connection (and pgbench client) counts of the data-path scenarios that are run at several.</summary>
    public IReadOnlyList<int> Levels { get; init; } = [1, 16, 64];

    /// <summary>No PostgreSQL anchor even when it is installed.</summary>
    public bool SkipPostgres { get; init; }

    /// <summary>The folder of PostgreSQL's initdb, postgres and pgbench; found under /usr/lib/postgresql when not given.</summary>
    public string? PostgresBin { get; init; }

    /// <summary><c>--variants</c>: the data-path variants to run (null: every one there is).</summary>
    public IReadOnlyList<string>? Variants { get; init; }

    /// <summary><c>--scenarios</c>: the data-path scenarios to run (null: every one).</summary>
    public IReadOnlyList<string>? Scenarios { get; init; }

    /// <summary>
    /// <c>--replicas 1,2,3</c>: also run the DataApi on PostgreSQL as N processes sharing its database, the load split
    /// over them (empty: only the one process of <c>dataapi-postgres</c>).
    /// </summary>
    public IReadOnlyList<int> Replicas { get; init; } = [];

    /// <summary>The names <c>--variants</c> takes.</summary>
    public static readonly string[] DataPathVariantNames = ["dataapi", "dataapi-aot", "bare", "postgres", "dataapi-postgres"];

    /// <summary>The names <c>--scenarios</c> takes.</summary>
    public static readonly string[] DataPathScenarioNames = ["get-hot", "get-random", "post-new", "post-replace", "mix-90-10"];

    /// <summary>The most DataApi processes <c>--replicas</c> may start.</summary>
    public const int MaxReplicas = 8;

    /// <summary>Whether the data-path run includes this variant (<c>--variants</c>).</summary>
    public bool WantsVariant(string name) => Variants is null || Variants.Contains(name);

    /// <summary>
    /// Environment variables every server gets in addition to its variant's (<c>--server-env NAME=VALUE</c>, repeatable):
    /// runtime settings. Names the harness sets or drops itself are refused, and so is a name given twice.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> ServerEnvironment { get; init; } = [];

    public const string Usage = """
        Monitoring.LoadBench [--smoke] [--rounds N] [--window SECONDS] [--warmup SECONDS] [--connections N]
                             [--configuration Release|Debug] [--root REPO] [--output DIR] [--server-cpu N] [--client-cpu N]
                             [--scrapes N] [--scrape-warmup N] [--series N] [--growth-paths N] [--growth-windows N] [--skip-scrape] [--skip-growth]
                             [--skip-peers] [--processes N] [--seed N] [--server-env NAME=VALUE]...
        Monitoring.LoadBench --data-path [--smoke] [--rounds N] [--window SECONDS] [--warmup SECONDS] [--connections N]
                             [--items N] [--seed-via auto|http|file] [--levels 1,16,64] [--skip-postgres | --postgres]
                             [--postgres-bin DIR] [--variants dataapi,dataapi-aot,bare,postgres,dataapi-postgres]
                             [--scenarios get-hot,get-random,post-new,post-replace,mix-90-10] [--replicas 1,2,3] [--configuration ...] [--root ...] [--output ...] [--seed N] [--server-env ...]
        Build first: dotnet build -c Release (the harness runs the servers from that configuration's build output).
        dataapi-aot runs the native executable in artifacts/aot/: dotnet publish Monitoring.DataApi -c Release --use-current-runtime -p:PublishAot=true -o artifacts/aot
        """;

    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var smoke = args.Contains("--smoke");
        var options = (smoke, dataPath: args.Contains("--data-path")) switch
        {
            (true, false) => new BenchOptions { Smoke = true, Rounds = 1, WindowSeconds = 1, WarmupSeconds = 0, Scrapes = 10, ScrapeWarmup = 2, TargetSeries = 500, GrowthPaths = 1_000, GrowthWindows = 1 },
            // The data path's smoke run: one connection count, a thousand items, no PostgreSQL (unless --postgres).
            (true, true) => new BenchOptions { Smoke = true, DataPath = true, Rounds = 1, WindowSeconds = 1, WarmupSeconds = 0, Items = 1_000, Levels = [16], SkipPostgres = true },
            (false, true) => new BenchOptions { DataPath = true, Rounds = 10, WindowSeconds = 5, WarmupSeconds = 60 },
            _ => new BenchOptions(),
        };

        for (var i = 0; i < args.Count; i++)
        {
            string Next() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            int NextInt() => int.TryParse(Next(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= 0
                ? value
                : throw new ArgumentException($"{args[i - 1]} needs a whole number.");

            options = args[i] switch
            {
                "--smoke" or "--data-path" => options,
                "--items" => options with { Items = Math.Max(1, NextInt()) },
                "--seed-via" => options with { SeedVia = ParseSeedVia(Next()) },
                "--levels" => options with { Levels = ParseCounts("--levels", Next()) },
                "--skip-postgres" => options with { SkipPostgres = true },
                "--postgres" => options with { SkipPostgres = false },
                "--postgres-bin" => options with { PostgresBin = Next() },
                "--variants" => options with { Variants = ParseNames("--variants", Next(), DataPathVariantNames) },
                "--scenarios" => options with { Scenarios = ParseNames("--scenarios", Next(), DataPathScenarioNames) },
                "--replicas" => options with { Replicas = ParseReplicas(Next()) },
                "--rounds" => options with { Rounds = Math.Max(1, NextInt()) },
                "--window" => options with { WindowSeconds = Math.Max(1, NextInt()) },
                "--warmup" => options with { WarmupSeconds = NextInt() },
                "--connections" => options with { Connections = Math.Max(1, NextInt()) },
                "--configuration" => options with { Configuration = Next() },
                "--root" => options with { Root = Next() },
                "--output" => options with { OutputDirectory = Next() },
                "--server-cpu" => options with { ServerCpu = NextInt() },
                "--client-cpu" => options with { ClientCpu = NextInt() },
                "--postgres-cpu" => options with { PostgresCpu = NextInt() },
                "--scrapes" => options with { Scrapes = Math.Max(1, NextInt()) },
                "--scrape-warmup" => options with { ScrapeWarmup = NextInt() },
                "--series" => options with { TargetSeries = NextInt() },
                "--growth-paths" => options with { GrowthPaths = NextInt() },
                "--growth-windows" => options with { GrowthWindows = Math.Max(1, NextInt()) },
                "--skip-scrape" => options with { SkipScrape = true },
                "--skip-growth" => options with { SkipGrowth = true },
                "--skip-peers" => options with { SkipPeers = true },
                "--processes" => options with { Processes = Math.Max(1, NextInt()) },
                "--seed" => options with { Seed = NextInt() },
                "--server-env" => options with { ServerEnvironment = WithSetting(options.ServerEnvironment, Next()) },
                _ => throw new ArgumentException($"Unknown option {args[i]}."),
            };
        }
        return options;
    }

    private static SeedVia ParseSeedVia(string text) => text switch
    {
        "auto" => SeedVia.Auto,
        "http" => SeedVia.Http,
        "file" => SeedVia.File,
        _ => throw new ArgumentException($"--seed-via must be auto, http or file, not '{text}'."),
    };

    private static int[] ParseCounts(string option, string text)
    {
        var levels = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(part => int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var level) && level > 0
                ? level
                : throw new ArgumentException($"{option} needs positive whole numbers separated by commas, not '{text}'."))
            .Distinct()
            .ToArray();
        return levels.Length > 0 ? levels : throw new ArgumentException($"{option} needs at least one count.");
    }

    private static string[] ParseNames(string option, string text, string[] known)
    {
        var names = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct().ToArray();
        return names.Length > 0 && names.All(known.Contains)
            ? names
            : throw new ArgumentException($"{option} needs one or more of {string.Join(", ", known)} separated by commas, not '{text}'.");
    }

    private static int[] ParseReplicas(string text)
    {
        var counts = ParseCounts("--replicas", text);
        return counts.All(count => count <= MaxReplicas)
            ? counts.Order().ToArray()
            : throw new ArgumentException($"--replicas takes process counts from 1 to {MaxReplicas}, not '{text}'.");
    }

    private static IReadOnlyList<KeyValuePair<string, string>> WithSetting(IReadOnlyList<KeyValuePair<string, string>> settings, string text)
    {
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            throw new ArgumentException($"--server-env needs NAME=VALUE, not '{text}'.");
        }
        var name = text[..equals];
        if (ServerProcess.IsReservedVariable(name))
        {
            throw new ArgumentException($"--server-env cannot set {name}: the harness sets or drops it itself.");
        }
        if (settings.Any(setting => string.Equals(setting.Key, name, StringComparison.OrdinalIgnoreCase)))
        {
            throw new ArgumentException($"--server-env sets {name} twice.");
        }
        return [.. settings, new(name, text[(equals + 1)..])];
    }
}

/// <summary>How the data-path suite seeds the DataApi's items.</summary>
internal enum SeedVia
{
    /// <summary>Over HTTP, unless the first seconds show it would take more than a minute: then the rest straight into the file.</summary>
    Auto,

    /// <summary>POST /data over many connections, however long it takes.</summary>
    Http,

    /// <summary>Straight into the SQLite file, with the DataApi stopped.</summary>
    File,
}
