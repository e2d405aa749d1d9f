using System.Globalization;
using System.Text;

namespace Monitoring.LoadBench.DataPath;

/// <summary>The data-path report as markdown: the results per scenario and variant, the ratios, then every window.</summary>
internal static class DataPathMarkdown
{
    public static string ResultsTable(IReadOnlyList<DataPathCaseSummary> cases)
    {
        var text = new StringBuilder();
        text.AppendLine("| Scenario | Variant | req/s (median) | p50 | p99 | CPU µs/request median [IQR] | of which DataApi + PostgreSQL (medians) | RSS steady (median) | peak RSS | errors |");
        text.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var testCase in cases)
        {
            foreach (var row in testCase.Rows)
            {
                var cpu = row.CpuMicrosecondsPerRequest;
                text.AppendLine(Invariant(
                    $"| {testCase.Case} | {row.Variant} | {row.RequestsPerSecond.Median:N0} | {Latency(row.P50Microseconds.Median)} | {Latency(row.P99Microseconds.Median)} | {cpu.Median:F1} [{cpu.Q1:F1}–{cpu.Q3:F1}] | {Split(row)} | {Mebibytes((long)row.ResidentBytes.Median)} | {Mebibytes(row.PeakResidentBytes)} | {(row.Errors == 0 ? "0" : row.Errors.ToString("N0", CultureInfo.InvariantCulture) + " ⚠")} |"));
            }
        }
        return text.ToString();
    }

    public static string RatioTable(IReadOnlyList<DataPathCaseSummary> cases)
    {
        var text = new StringBuilder();
        text.AppendLine("| Scenario | DataApi / bare, CPU per request | per-round ratio, median [IQR] | DataApi / PostgreSQL, req/s | DataApi / PostgreSQL, CPU per request | DataApi on PG / pgbench, req/s | DataApi on PG, own CPU / bare CPU | + PostgreSQL's µs/request |");
        text.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var testCase in cases)
        {
            var paired = testCase.PairedCpuDataApiOverBare;
            text.AppendLine(Invariant(
                $"| {testCase.Case} | {Ratio(testCase.CpuDataApiOverBare)} | {Ratio(paired.Median)} [{Ratio(paired.Q1)}–{Ratio(paired.Q3)}] | {Ratio(testCase.ThroughputDataApiOverPostgres)} | {Ratio(testCase.CpuDataApiOverPostgres)} | {Ratio(testCase.ThroughputDataApiPostgresOverPgbench)} | {Ratio(testCase.OwnCpuDataApiPostgresOverBare)} | {Micros(testCase.DatabaseCpuDataApiPostgres)} |"));
        }
        return text.ToString();
    }

    /// <summary>
    /// Issue 14's goals for the DataApi on PostgreSQL, at 16 connections: writes at ≥ 70 % of pgbench's upsert
    /// throughput; GETs at ≤ 1.5× bare Kestrel's CPU per request, PostgreSQL's own share beside. Empty without the rows.
    /// </summary>
    public static string Goals(IReadOnlyList<DataPathCaseSummary> cases)
    {
        var text = new StringBuilder();
        foreach (var testCase in cases.Where(testCase => testCase.Connections == 16))
        {
            if (testCase.Scenario is "post-new" or "post-replace" && testCase.ThroughputDataApiPostgresOverPgbench is { } throughput && !double.IsNaN(throughput))
            {
                text.AppendLine(Invariant($"- {testCase.Case}: DataApi on PostgreSQL / pgbench upsert, req/s {throughput:F2}× (goal ≥ 0.70×): {(throughput >= 0.70 ? "met" : "not met")}."));
            }
            if (testCase.Scenario is "get-hot" or "get-random" && testCase.OwnCpuDataApiPostgresOverBare is { } cpu && !double.IsNaN(cpu))
            {
                text.AppendLine(Invariant($"- {testCase.Case}: DataApi on PostgreSQL's own CPU / bare's, per request {cpu:F2}× (goal ≤ 1.50×): {(cpu <= 1.5 ? "met" : "not met")}; PostgreSQL's share beside it {Micros(testCase.DatabaseCpuDataApiPostgres)} µs/request."));
            }
        }
        return text.ToString();
    }

    /// <summary>
    /// The DataApi on PostgreSQL as 1, 2, 3 … processes sharing the database (<c>--replicas</c>): per case, req/s summed
    /// over the processes' wrk, the highest p99 among them, and CPU per request, total and split. Empty without replicas.
    /// </summary>
    public static string ReplicaTable(IReadOnlyList<DataPathCaseSummary> cases)
    {
        var rows = cases
            .SelectMany(testCase => testCase.Rows
                .Where(row => row.Variant.StartsWith(Variant.DataPathDataApiPostgres, StringComparison.Ordinal))
                .Select(row => (testCase, row, replicas: row.Variant == Variant.DataPathDataApiPostgres ? 1 : int.Parse(row.Variant[(Variant.DataPathDataApiPostgres.Length + 2)..], CultureInfo.InvariantCulture))))
            .ToList();
        if (!rows.Any(row => row.replicas > 1))
        {
            return "";
        }
        var text = new StringBuilder();
        text.AppendLine("| Processes | Scenario | req/s (sum, median) | p99 (worst process) | CPU µs/request, total | DataApi processes | PostgreSQL | errors |");
        text.AppendLine("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var (testCase, row, replicas) in rows)
        {
            text.AppendLine(Invariant(
                $"| {replicas} | {testCase.Case} | {row.RequestsPerSecond.Median:N0} | {Latency(row.P99Microseconds.Median)} | {row.CpuMicrosecondsPerRequest.Median:F1} | {row.OwnCpuMicrosecondsPerRequest.Median:F1} | {row.DatabaseCpuMicrosecondsPerRequest.Median:F1} | {row.Errors:N0} |"));
        }
        return text.ToString();
    }

    public static string Render(DataPathReport report)
    {
        var options = report.Options;
        var text = new StringBuilder();
        text.AppendLine(Invariant($"# Data-path benchmark {report.StartedAt:yyyy-MM-dd HH:mm} UTC{(options.Smoke ? " (smoke run: not a measurement)" : "")}"));
        text.AppendLine();
        text.AppendLine(Invariant($"- Machine: {report.Machine}; load average before {report.LoadAverageBefore}, after {report.LoadAverageAfter}."));
        text.AppendLine(options.PostgresCpu is { } postgresCpu && postgresCpu != options.ServerCpu
            ? Invariant($"- Servers pinned to CPU {options.ServerCpu}, except PostgreSQL's processes, on CPU {postgresCpu} (`--postgres-cpu`); `wrk -t1 --latency` and `pgbench -j1` pinned to CPU {options.ClientCpu}.")
            : Invariant($"- Servers (the DataApi on PostgreSQL and PostgreSQL's processes too) pinned to CPU {options.ServerCpu}; `wrk -t1 --latency` and `pgbench -j1` pinned to CPU {options.ClientCpu}."));
        if (options.Variants is not null || options.Scenarios is not null || options.Replicas.Count > 0)
        {
            text.AppendLine(Invariant($"- Narrowed: variants {(options.Variants is null ? "all" : string.Join(", ", options.Variants))}; scenarios {(options.Scenarios is null ? "all" : string.Join(", ", options.Scenarios))}; DataApi processes on PostgreSQL {(options.Replicas.Count == 0 ? "1" : string.Join(", ", options.Replicas))}."));
        }
        text.AppendLine(Invariant($"- {options.Rounds} rounds × {options.WindowSeconds} s windows, every scenario × variant window once per round in an order shuffled every round (seed {options.Seed}); {options.WarmupSeconds} s warm-up per variant, its scenarios in turn; one process per variant for the whole run; build: {options.Configuration}."));
        text.AppendLine(Invariant($"- Items: k0 … k{options.Items - 1:D} ({options.Items:N0}) plus the hot key `bench`, values like `{{\"n\":1,\"text\":\"benchmark\"}}`; connection counts {string.Join(", ", options.Levels)} for GET random and both POSTs, {options.Connections} for the hot key and the mix."));
        foreach (var line in report.Seeding)
        {
            text.AppendLine("- Seeding, " + line);
        }
        text.AppendLine("- PostgreSQL: " + report.Postgres);
        if (options.ServerEnvironment.Count > 0)
        {
            text.AppendLine("- Every server also ran with " + string.Join(", ", options.ServerEnvironment.Select(setting => $"`{setting.Key}={setting.Value}`")) + ".");
        }
        text.AppendLine(Invariant($"- Duration: {(report.FinishedAt - report.StartedAt).TotalMinutes:F1} min."));
        if (report.StoppedBecause is { } reason)
        {
            text.AppendLine(Invariant($"- ⚠ The rounds {reason}"));
        }
        text.AppendLine();
        text.AppendLine("## Results");
        text.AppendLine();
        text.Append(ResultsTable(report.Cases));
        text.AppendLine();
        text.AppendLine("## Ratios");
        text.AppendLine();
        text.Append(RatioTable(report.Cases));
        text.AppendLine();
        if (Goals(report.Cases) is { Length: > 0 } goals)
        {
            text.AppendLine("Goals (issue 14) at 16 connections; the ratios are of the medians:");
            text.AppendLine();
            text.Append(goals);
            text.AppendLine();
        }
        if (ReplicaTable(report.Cases) is { Length: > 0 } replicas)
        {
            text.AppendLine("## DataApi processes on one PostgreSQL");
            text.AppendLine();
            text.Append(replicas);
            text.AppendLine();
            text.AppendLine(Invariant($"N DataApi processes share one database, all on CPU {options.ServerCpu} with PostgreSQL; a window runs N wrk processes at once on CPU {options.ClientCpu}, each with its share of the connections to one DataApi process. req/s is the sum of theirs, p99 the highest of their p99s, CPU the DataApi processes' (summed) and PostgreSQL's over the window, per request. On one server CPU more processes add no CPU: what this shows is what sharing the core between them costs."));
            text.AppendLine();
        }
        text.AppendLine("req/s: wrk's (PostgreSQL: the transactions that ended within the window, which starts once every pgbench client is connected). p50, p99: wrk's latency distribution (pgbench's per-transaction log, the same window). CPU µs/request: the server's utime + stime from /proc over the window, divided by the requests completed (PostgreSQL: the postmaster, its background processes and the backends). The DataApi on PostgreSQL: the DataApi process's CPU plus PostgreSQL's (all its processes), split in the column beside; \"own CPU / bare CPU\" leaves PostgreSQL's share out. The ratios are of the medians over the rounds; the per-round ratio pairs the DataApi's window with bare's of the same round. errors: non-2xx responses and socket errors (pgbench: failed transactions and aborted clients). bare keeps every item it is sent in memory: its RSS grows with every post-new window (millions of keys over a run), where the DataApi's items are in its file.");
        text.AppendLine();
        foreach (var testCase in report.Cases.DistinctBy(testCase => testCase.Scenario))
        {
            text.AppendLine(Invariant($"- `{testCase.Scenario}`: {testCase.Description}."));
        }
        foreach (var variant in report.Variants)
        {
            var readiness = variant.Readiness is null ? string.Empty : $" Start-up: {variant.Readiness}.";
            text.AppendLine(Invariant($"- `{variant.Name}`: {variant.Description}. Memory: {variant.MemoryNote}.{readiness}"));
        }
        if (report.Cases.Any(testCase => testCase.Rows.Any(row => row.Errors > 0)))
        {
            text.AppendLine();
            text.AppendLine("⚠ Some windows had errors (column `errors`): those rows measure something else than the 2xx path.");
        }

        text.AppendLine();
        text.AppendLine("## Windows");
        text.AppendLine();
        text.AppendLine("| Round | Scenario | Variant | req/s | p50 | p99 | CPU µs/request | requests | RSS | errors |");
        text.AppendLine("| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var sample in report.Samples)
        {
            text.AppendLine(Invariant(
                $"| {sample.Round} | {sample.Case} | {sample.Variant} | {sample.RequestsPerSecond:N0} | {Latency(sample.P50Microseconds)} | {Latency(sample.P99Microseconds)} | {sample.CpuMicrosecondsPerRequest:F1} | {sample.Requests:N0} | {Mebibytes(sample.ResidentBytes)} | {sample.Errors} |"));
        }
        return text.ToString();
    }

    private static string Ratio(double? value) => value is { } ratio && !double.IsNaN(ratio) ? Invariant($"{ratio:F2}×") : "—";

    private static string Split(DataPathRow row) =>
        row.DatabaseCpuMicrosecondsPerRequest.Count == 0
            ? ""
            : Invariant($"{row.OwnCpuMicrosecondsPerRequest.Median:F1} + {row.DatabaseCpuMicrosecondsPerRequest.Median:F1}");

    private static string Micros(double? value) => value is { } micros && !double.IsNaN(micros) ? Invariant($"{micros:F1}") : "—";

    private static string Latency(double microseconds) =>
        double.IsNaN(microseconds) ? "—" : microseconds >= 1000 ? Invariant($"{microseconds / 1000:F2} ms") : Invariant($"{microseconds:F0} µs");

    private static string Mebibytes(long bytes) => Invariant($"{bytes / 1048576.0:F0} MiB");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
