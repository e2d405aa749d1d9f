using System.Globalization;
using System.Text;

namespace Monitoring.LoadBench;

/// <summary>The report as markdown: the load table first, then the scrape cost and the cost growth.</summary>
internal static class MarkdownReport
{
    public static string LoadTable(IReadOnlyList<VariantSummary> variants)
    {
        var text = new StringBuilder();
        text.AppendLine("| Variant | req/s (median) | p99 (median) | CPU µs/request median [IQR] (min–max) | req/s vs bare | CPU vs bare | µs added vs bare, paired median [IQR] | RSS under load, median (max) | peak RSS | errors |");
        text.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var row in variants)
        {
            var cpu = row.CpuMicrosecondsPerRequest;
            var added = row.AddedMicrosecondsVsBare;
            text.AppendLine(Invariant(
                $"| {row.Name} | {row.RequestsPerSecond.Median:N0} | {Latency(row.P99Microseconds.Median)} | {cpu.Median:F1} [{cpu.Q1:F1}–{cpu.Q3:F1}] ({cpu.Min:F1}–{cpu.Max:F1}) | {row.ThroughputVsBare:P0} | {row.CpuVsBare:F2}× | {Signed(added.Median)} [{Signed(added.Q1)}…{Signed(added.Q3)}] | {Mebibytes((long)row.ResidentBytes.Median)} ({Mebibytes((long)row.ResidentBytes.Max)}) | {Mebibytes(row.PeakResidentBytes)} | {(row.Errors == 0 ? "0" : row.Errors.ToString("N0", CultureInfo.InvariantCulture) + " ⚠")} |"));
        }
        return text.ToString();
    }

    public static string PairedDifferences(IReadOnlyList<VariantSummary> variants)
    {
        var metricsOn = variants.Single(row => row.Name == Variant.MetricsOn);
        var metricsOff = variants.Single(row => row.Name == Variant.MetricsOff);
        var twin = variants.Single(row => row.Name == Variant.MetricsOffTwin);
        var paired = metricsOn.AddedMicrosecondsVsMetricsOff!;
        var control = twin.AddedMicrosecondsVsMetricsOff!;
        return Invariant(
            $"""
            **DataApi metrics on − metrics off**, per-round paired CPU difference: median **{Signed(paired.Median)} µs/request**, {MedianInterval(paired)}, IQR {Signed(paired.Q1)} … {Signed(paired.Q3)}, min–max {Signed(paired.Min)} … {Signed(paired.Max)} over {paired.Count} rounds.

            **A/A control**, two identical metrics-off processes (twin − off): median {Signed(control.Median)} µs/request, {MedianInterval(control)}; their medians differ by {Signed(twin.CpuMicrosecondsPerRequest.Median - metricsOff.CpuMicrosecondsPerRequest.Median)} µs. This run resolves the on − off difference only if its interval excludes 0 and its median is larger than both A/A figures.
            """);
    }

    public static string Render(BenchReport report)
    {
        var options = report.Options;
        var text = new StringBuilder();
        text.AppendLine(Invariant($"# Load benchmark {report.StartedAt:yyyy-MM-dd HH:mm} UTC{(options.Smoke ? " (smoke run: not a measurement)" : "")}"));
        text.AppendLine();
        text.AppendLine(Invariant($"- Machine: {report.Machine}; load average before {report.LoadAverageBefore}, after {report.LoadAverageAfter}."));
        text.AppendLine(Invariant($"- Servers pinned to CPU {options.ServerCpu}, `wrk -t1 -c{options.Connections} --latency` pinned to CPU {options.ClientCpu}, GET {LoadWindow.Path}."));
        text.AppendLine(Invariant($"- {options.Rounds} rounds × {options.WindowSeconds} s windows, variant order shuffled every round (seed {options.Seed}), {options.WarmupSeconds} s warm-up per variant; build: {options.Configuration}."));
        var processes = Math.Min(options.Processes, options.Rounds);
        text.AppendLine(processes > 1
            ? Invariant($"- {processes} processes per variant, one after the other, each started fresh and warmed up for its share of the rounds.")
            : "- One process per variant for all the rounds: the A/A control below shows how much two processes of one build differ.");
        if (options.ServerEnvironment.Count > 0)
        {
            text.AppendLine("- Every server also ran with " + string.Join(", ", options.ServerEnvironment.Select(setting => $"`{setting.Key}={setting.Value}`")) + ".");
        }
        text.AppendLine(Invariant($"- Duration: {(report.FinishedAt - report.StartedAt).TotalMinutes:F1} min."));
        if (report.StoppedBecause is { } reason)
        {
            text.AppendLine(Invariant($"- ⚠ The load rounds {reason}"));
        }
        text.AppendLine();
        text.AppendLine("## Load");
        text.AppendLine();
        text.Append(LoadTable(report.Variants));
        text.AppendLine();
        text.AppendLine(PairedDifferences(report.Variants));
        text.AppendLine();
        foreach (var row in report.Variants)
        {
            text.AppendLine(Invariant($"- `{row.Name}`: {row.Description}."));
        }
        text.AppendLine();
        text.AppendLine("RSS under load: the resident set (VmRSS) read as each window ends, median and highest over the rounds. Peak RSS: the highest resident set since the server started (VmHWM), its warm-up included.");
        if (report.Variants.Any(row => row.Errors > 0))
        {
            text.AppendLine();
            text.AppendLine("⚠ Some windows had non-2xx responses or socket errors (column `errors`): those rows measure something else than the 200 path.");
        }

        if (report.Scrape is { } scrape)
        {
            text.AppendLine();
            text.AppendLine("## Scrape cost (DataApi, metrics on)");
            text.AppendLine();
            text.AppendLine(Invariant($"{options.Scrapes} scrapes per row and kind after {options.ScrapeWarmup} untimed ones, plain and gzip alternated; latency to the last byte from a keep-alive client; size as sent; server CPU (utime + stime) over the timed scrapes of both kinds, per scrape."));
            text.AppendLine();
            text.AppendLine("| Series (sample lines) | plain median | plain p99 | plain size | gzip median | gzip p99 | gzip size | Content-Encoding | server CPU per scrape |");
            text.AppendLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |");
            foreach (var level in scrape)
            {
                text.AppendLine(Invariant(
                    $"| {level.Series:N0} | {Latency(level.PlainMicroseconds.Median)} | {Latency(level.PlainMicroseconds.P99)} | {Kibibytes(level.PlainBytes)} | {Latency(level.GzipMicroseconds.Median)} | {Latency(level.GzipMicroseconds.P99)} | {Kibibytes(level.GzipBytes)} | {level.GzipContentEncoding ?? "none"} | {Latency(level.ServerCpuMicrosecondsPerScrape)} |"));
            }
        }

        if (report.Growth is { } growth)
        {
            text.AppendLine();
            text.AppendLine("## Cost growth (DataApi, metrics on)");
            text.AppendLine();
            text.AppendLine(Invariant(
                $"{growth.Paths:N0} requests to distinct unmatched paths with random methods in {growth.FloodSeconds:F1} s (statuses: {string.Join(", ", growth.FloodStatuses.OrderBy(pair => pair.Key).Select(pair => $"{pair.Key} × {pair.Value:N0}"))}); before and after: median of {options.GrowthWindows} × {options.WindowSeconds} s windows, alternating with an untouched control DataApi."));
            text.AppendLine();
            text.AppendLine("| | CPU µs/request | req/s | RSS | peak RSS | series |");
            text.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: |");
            foreach (var (name, point) in new[]
            {
                ("flooded, before", growth.Before), ("flooded, after", growth.After),
                ("control, before", growth.ControlBefore), ("control, after", growth.ControlAfter),
            })
            {
                text.AppendLine(Invariant(
                    $"| {name} | {point.CpuMicrosecondsPerRequest:F1} | {point.RequestsPerSecond:N0} | {Mebibytes(point.ResidentBytes)} | {Mebibytes(point.PeakResidentBytes)} | {point.Series:N0} |"));
            }
            text.AppendLine();
            text.AppendLine(Invariant(
                $"Flooded minus control, after minus before: **{Signed(growth.NetCpuChangeMicroseconds)} µs/request**. Series: {growth.Before.Series:N0} before, {growth.SeriesHalfway:N0} halfway through the flood, {growth.After.Series:N0} after (the first requests add the series of each new method × status on the unmatched endpoint; with bounded labels the count stops there, so halfway and after differ by the scrapes' own series at most)."));
        }

        text.AppendLine();
        text.AppendLine("## Windows");
        text.AppendLine();
        text.AppendLine("| Round | Variant | req/s | p99 | CPU µs/request | requests | errors |");
        text.AppendLine("| ---: | --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (var sample in report.Samples)
        {
            text.AppendLine(Invariant(
                $"| {sample.Round} | {sample.Variant} | {sample.Wrk.RequestsPerSecond:N0} | {Latency(sample.Wrk.P99Microseconds)} | {sample.CpuMicrosecondsPerRequest:F1} | {sample.Wrk.Requests:N0} | {sample.Wrk.Errors} |"));
        }
        return text.ToString();
    }

    private static string Latency(double microseconds) =>
        microseconds >= 1000 ? Invariant($"{microseconds / 1000:F2} ms") : Invariant($"{microseconds:F0} µs");

    private static string MedianInterval(Spread spread) => double.IsNaN(spread.MedianLow95)
        ? "too few rounds for a 95 % confidence interval of the median"
        : Invariant($"95 % confidence interval of the median {Signed(spread.MedianLow95)} … {Signed(spread.MedianHigh95)}");

    private static string Signed(double value) => Invariant($"{value:+0.0;-0.0;0.0}");

    private static string Mebibytes(long bytes) => Invariant($"{bytes / 1048576.0:F0} MiB");

    private static string Kibibytes(long bytes) => Invariant($"{bytes / 1024.0:F1} KiB");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
