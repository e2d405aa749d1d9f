namespace Monitoring.LoadBench.DataPath;

/// <summary>
/// The DataApi on the harness's PostgreSQL: one process (<c>dataapi-postgres</c>) or, with <c>--replicas</c>, N
/// processes sharing its database (<c>dataapi-postgres-xN</c>), all pinned to the server CPU with PostgreSQL. A window
/// runs one wrk per process at once, the connections split between them (16 over 3: 6, 5, 5); req/s and requests are
/// summed, p50 and p99 are the highest of the wrk processes'. Its CPU is the DataApi processes' own plus PostgreSQL's
/// (every process of the cluster), and each share is kept.
/// </summary>
internal sealed class DataApiPostgresTarget(IReadOnlyList<ServerProcess> servers, PostgresServer database, BenchOptions options) : IDataPathTarget
{
    public IReadOnlyList<ServerProcess> Servers { get; } = servers;

    public int Replicas => Servers.Count;

    public string Name => NameOf(Replicas);

    public string Description => Replicas == 1
        ? $"The DataApi as shipped (metrics on), Production, on PostgreSQL {database.Version} (`DATA_STORE=postgres`; the same cluster as `postgres`, its own role and database): DataApi and PostgreSQL on the server CPU. CPU: the DataApi's own + PostgreSQL's"
        : $"{Replicas} DataApi processes as `dataapi-postgres`, sharing its database; one wrk per process, the connections split between them; req/s summed, p50 and p99 the highest of the wrk processes'. CPU: the DataApi processes' own (summed) + PostgreSQL's";

    public string? Readiness => null;

    public string MemoryNote => Replicas == 1
        ? "the DataApi's VmRSS as each window ends (PostgreSQL's is not included); peak: its VmHWM"
        : "the DataApi processes' VmRSS summed (PostgreSQL's is not included); peak: their VmHWM summed";

    public static string NameOf(int replicas) =>
        replicas == 1 ? Variant.DataPathDataApiPostgres : Variant.DataPathDataApiPostgres + "-x" + replicas.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public bool Runs(DataPathCase testCase) => testCase.Connections >= Replicas;

    public async Task WarmUpAsync(DataPathCase testCase, int seconds, int window)
    {
        if (!Runs(testCase))
        {
            return;
        }
        var results = await RunWrkAsync(testCase, seconds, window);
        var errors = results.Sum(result => result.Errors);
        if (errors > 0)
        {
            Console.WriteLine($"warm-up {Name} {testCase.Label}: {errors} errors");
        }
    }

    public async Task<DataPathSample> MeasureAsync(DataPathCase testCase, int round, int seconds, int window)
    {
        var ownBefore = OwnCpuSeconds();
        var databaseBefore = database.CpuSeconds();
        var results = await RunWrkAsync(testCase, seconds, window);
        var ownAfter = OwnCpuSeconds();
        var databaseAfter = database.CpuSeconds();
        var resident = Servers.Sum(server => server.ResidentBytes());
        foreach (var server in Servers)
        {
            server.EnsureRunning();
        }
        var databaseSeconds = databaseAfter - databaseBefore;
        return new DataPathSample(testCase.Scenario.Name, testCase.Connections, Name, round,
            results.Sum(result => result.Requests),
            results.Max(result => result.Seconds),
            results.Sum(result => result.RequestsPerSecond),
            results.Max(result => result.P50Microseconds),
            results.Max(result => result.P99Microseconds),
            results.Sum(result => result.Errors),
            ownAfter - ownBefore + databaseSeconds,
            resident,
            Servers.Sum(server => server.PeakResidentBytes()),
            databaseSeconds);
    }

    /// <summary>The processes are shared between the replica counts; <see cref="DataPathRun"/> stops them.</summary>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private double OwnCpuSeconds() => Servers.Sum(server => server.CpuSeconds());

    private Task<WrkResult[]> RunWrkAsync(DataPathCase testCase, int seconds, int window)
    {
        var scenario = testCase.Scenario;
        var script = scenario.WrkScript is null ? null : DataPathScenario.ScriptPath(scenario.WrkScript);
        return Task.WhenAll(Servers.Select((server, index) =>
        {
            var connections = (testCase.Connections / Replicas) + (index < testCase.Connections % Replicas ? 1 : 0);
            // Every window and every replica its own random sequence and its own new keys.
            var arguments = scenario.WrkScriptArguments(options.Items, unchecked(options.Seed + window + (index * 100_003)), $"new{window}-r{index}-");
            return Wrk.RunAsync(server.BaseUrl + scenario.WrkPath, seconds, connections, options.ClientCpu, script, arguments);
        }));
    }
}
