namespace Monitoring.LoadBench.DataPath;

/// <summary>One variant in one scenario over all rounds: medians and spreads of its windows.</summary>
internal sealed record DataPathRow(
    string Variant,
    Spread RequestsPerSecond,
    Spread P50Microseconds,
    Spread P99Microseconds,
    Spread CpuMicrosecondsPerRequest,
    Spread ResidentBytes,
    long PeakResidentBytes,
    long Errors,
    Spread OwnCpuMicrosecondsPerRequest,
    Spread DatabaseCpuMicrosecondsPerRequest);

/// <summary>
/// One scenario at one connection count: a row per variant, and the ratios the data-path suite is for: the DataApi's
/// CPU per request over bare Kestrel's (the ratio of the medians, and the median of the per-round ratios, which pairs
/// windows of the same round), and the DataApi's throughput over PostgreSQL's (null without PostgreSQL); for the
/// DataApi on PostgreSQL (one process), its throughput over pgbench's and its own CPU per request (PostgreSQL's share
/// left out, shown beside) over bare Kestrel's.
/// </summary>
internal sealed record DataPathCaseSummary(
    string Case,
    string Scenario,
    int Connections,
    string Description,
    IReadOnlyList<DataPathRow> Rows,
    double CpuDataApiOverBare,
    Spread PairedCpuDataApiOverBare,
    double? ThroughputDataApiOverPostgres,
    double? CpuDataApiOverPostgres,
    double? ThroughputDataApiPostgresOverPgbench,
    double? OwnCpuDataApiPostgresOverBare,
    double? DatabaseCpuDataApiPostgres)
{
    public static IReadOnlyList<DataPathCaseSummary> From(
        IReadOnlyList<DataPathCase> cases, IReadOnlyList<string> variants, IReadOnlyList<DataPathSample> samples) =>
        cases.Select(testCase =>
        {
            var own = samples.Where(sample => sample.Scenario == testCase.Scenario.Name && sample.Connections == testCase.Connections).ToList();
            var rows = variants
                .Select(variant => own.Where(sample => sample.Variant == variant).ToList())
                .Where(windows => windows.Count > 0)
                .Select(windows => new DataPathRow(
                    windows[0].Variant,
                    Spread.Of(windows.Select(sample => sample.RequestsPerSecond)),
                    Spread.Of(windows.Select(sample => sample.P50Microseconds)),
                    Spread.Of(windows.Select(sample => sample.P99Microseconds)),
                    Spread.Of(windows.Select(sample => sample.CpuMicrosecondsPerRequest)),
                    Spread.Of(windows.Select(sample => (double)sample.ResidentBytes)),
                    windows.Max(sample => sample.PeakResidentBytes),
                    windows.Sum(sample => sample.Errors),
                    Spread.Of(windows.Select(sample => sample.OwnCpuMicrosecondsPerRequest)),
                    Spread.Of(windows.Select(sample => sample.DatabaseCpuMicrosecondsPerRequest))))
                .ToList();
            var dataApi = rows.SingleOrDefault(row => row.Variant == Variant.DataPathDataApi);
            var bare = rows.SingleOrDefault(row => row.Variant == Variant.Bare);
            var postgres = rows.SingleOrDefault(row => row.Variant == PostgresTarget.VariantName);
            var onPostgres = rows.SingleOrDefault(row => row.Variant == Variant.DataPathDataApiPostgres);
            var bareByRound = own.Where(sample => sample.Variant == Variant.Bare).ToDictionary(sample => sample.Round);
            var paired = Spread.Of(own
                .Where(sample => sample.Variant == Variant.DataPathDataApi && bareByRound.ContainsKey(sample.Round))
                .Select(sample => sample.CpuMicrosecondsPerRequest / bareByRound[sample.Round].CpuMicrosecondsPerRequest));
            return new DataPathCaseSummary(
                testCase.Label,
                testCase.Scenario.Name,
                testCase.Connections,
                testCase.Scenario.Description,
                rows,
                dataApi is null || bare is null ? double.NaN : dataApi.CpuMicrosecondsPerRequest.Median / bare.CpuMicrosecondsPerRequest.Median,
                paired,
                dataApi is null || postgres is null ? null : dataApi.RequestsPerSecond.Median / postgres.RequestsPerSecond.Median,
                dataApi is null || postgres is null ? null : dataApi.CpuMicrosecondsPerRequest.Median / postgres.CpuMicrosecondsPerRequest.Median,
                onPostgres is null || postgres is null ? null : onPostgres.RequestsPerSecond.Median / postgres.RequestsPerSecond.Median,
                onPostgres is null || bare is null ? null : onPostgres.OwnCpuMicrosecondsPerRequest.Median / bare.CpuMicrosecondsPerRequest.Median,
                onPostgres?.DatabaseCpuMicrosecondsPerRequest.Median);
        }).ToList();
}

/// <summary>A variant of the data-path run: its name, what it is, and what its memory figures are.</summary>
internal sealed record DataPathVariantInfo(string Name, string Description, string MemoryNote, string? Readiness);

/// <summary>Everything one data-path run measured; written as markdown and as JSON.</summary>
internal sealed record DataPathReport(
    DateTimeOffset StartedAt,
    DateTimeOffset FinishedAt,
    BenchOptions Options,
    string Machine,
    string LoadAverageBefore,
    string LoadAverageAfter,
    string? StoppedBecause,
    IReadOnlyList<string> Seeding,
    string Postgres,
    IReadOnlyList<DataPathVariantInfo> Variants,
    IReadOnlyList<DataPathCaseSummary> Cases,
    IReadOnlyList<DataPathSample> Samples);
