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
        Build first: dotnet build -c Release (the harness runs the servers from that configuration's build output).
        """;

    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var options = args.Contains("--smoke")
            ? new BenchOptions { Smoke = true, Rounds = 1, WindowSeconds = 1, WarmupSeconds = 0, Scrapes = 10, ScrapeWarmup = 2, TargetSeries = 500, GrowthPaths = 1_000, GrowthWindows = 1 }
            : new BenchOptions();

        for (var i = 0; i < args.Count; i++)
        {
            string Next() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            int NextInt() => int.TryParse(Next(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= 0
                ? value
                : throw new ArgumentException($"{args[i - 1]} needs a whole number.");

            options = args[i] switch
            {
                "--smoke" => options,
                "--rounds" => options with { Rounds = Math.Max(1, NextInt()) },
                "--window" => options with { WindowSeconds = Math.Max(1, NextInt()) },
                "--warmup" => options with { WarmupSeconds = NextInt() },
                "--connections" => options with { Connections = Math.Max(1, NextInt()) },
                "--configuration" => options with { Configuration = Next() },
                "--root" => options with { Root = Next() },
                "--output" => options with { OutputDirectory = Next() },
                "--server-cpu" => options with { ServerCpu = NextInt() },
                "--client-cpu" => options with { ClientCpu = NextInt() },
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
