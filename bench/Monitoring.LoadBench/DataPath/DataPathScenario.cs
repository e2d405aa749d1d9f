using System.Globalization;

namespace Monitoring.LoadBench.DataPath;

/// <summary>
/// One kind of load on the data path: how wrk makes its requests (a Lua script under DataPath/, or one URL) and which
/// pgbench scripts do the same against PostgreSQL, with their weights.
/// </summary>
internal sealed record DataPathScenario(
    string Name,
    string Description,
    string? WrkScript,
    WrkArguments Arguments,
    IReadOnlyList<(string Script, int Weight)> PgbenchScripts,
    bool AtEveryLevel)
{
    /// <summary>The hot key: one stored item, the same as the metrics-cost mode's GET /data/bench.</summary>
    public const string HotKey = "bench";

    public static readonly DataPathScenario GetHot = new(
        "get-hot", "GET /data/bench: one stored item, read again and again", null, WrkArguments.None, [("get-hot.sql", 1)], AtEveryLevel: false);

    public static readonly DataPathScenario GetRandom = new(
        "get-random", "GET /data/k<i>, i uniformly random over the seeded items", "get-random.lua", WrkArguments.ItemsAndSeed, [("get-random.sql", 1)], AtEveryLevel: true);

    public static readonly DataPathScenario PostNew = new(
        "post-new", "POST /data of a key never written before (201)", "post-new.lua", WrkArguments.KeyPrefix, [("post-new.sql", 1)], AtEveryLevel: true);

    public static readonly DataPathScenario PostReplace = new(
        "post-replace", "POST /data of a random seeded key (200, a replace)", "post-replace.lua", WrkArguments.ItemsAndSeed, [("post-replace.sql", 1)], AtEveryLevel: true);

    public static readonly DataPathScenario Mix = new(
        "mix-90-10", "90 % GET and 10 % POST (replace) of random seeded keys", "mix.lua", WrkArguments.ItemsAndSeed, [("get-random.sql", 9), ("post-replace.sql", 1)], AtEveryLevel: false);

    public static IReadOnlyList<DataPathScenario> All { get; } = [GetHot, GetRandom, PostNew, PostReplace, Mix];

    /// <summary>
    /// Every scenario at the connection counts it runs at: the GET and POST scenarios at each of <c>--levels</c>, the hot
    /// key and the mix at <c>--connections</c>; only those <c>--scenarios</c> names, when given.
    /// </summary>
    public static IReadOnlyList<DataPathCase> Cases(BenchOptions options) =>
        All.Where(scenario => options.Scenarios is null || options.Scenarios.Contains(scenario.Name))
            .SelectMany(scenario => (scenario.AtEveryLevel ? options.Levels : [options.Connections])
            .Select(connections => new DataPathCase(scenario, connections)))
            .ToList();

    /// <summary>The folder of the Lua and SQL scripts, copied beside the harness's assembly.</summary>
    public static string ScriptPath(string script) => Path.Combine(AppContext.BaseDirectory, "DataPath", script);

    /// <summary>wrk's URL path (the scripts set their own) and the script's arguments for one window.</summary>
    public IReadOnlyList<string> WrkScriptArguments(int items, int seed, string keyPrefix) => Arguments switch
    {
        WrkArguments.ItemsAndSeed => [items.ToString(CultureInfo.InvariantCulture), seed.ToString(CultureInfo.InvariantCulture)],
        WrkArguments.KeyPrefix => [keyPrefix],
        _ => [],
    };

    public string WrkPath => WrkScript is null ? "/data/" + HotKey : "/data";
}

/// <summary>What a wrk script needs to be told.</summary>
internal enum WrkArguments
{
    None,
    ItemsAndSeed,
    KeyPrefix,
}

/// <summary>A scenario at one connection count: one row of the report per variant.</summary>
internal sealed record DataPathCase(DataPathScenario Scenario, int Connections)
{
    public string Label => string.Create(CultureInfo.InvariantCulture, $"{Scenario.Name} c{Connections}");
}
