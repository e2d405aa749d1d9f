using System.Globalization;
using System.Text.RegularExpressions;

namespace Monitoring.LoadBench.DataPath;

/// <summary>What one pgbench run did within a measured interval, read from its per-transaction log (<c>-l</c>).</summary>
internal sealed record PgBenchResult(long Transactions, double Seconds, double TransactionsPerSecond, double P50Microseconds, double P99Microseconds, long Errors);

/// <summary>
/// pgbench pinned to the client CPU, one thread, <c>-M prepared</c>, a scenario's SQL scripts with their weights, over
/// TCP loopback like wrk. Its <c>-T</c> clock starts before its clients have connected (64 backends take seconds to
/// start on one CPU), so a window is not pgbench's run: the caller measures an interval once every client is
/// connected, and the transactions that ended within it are counted from the log.
/// </summary>
internal static partial class PgBench
{
    /// <summary>Starts a run of <paramref name="seconds"/> (pgbench's own duration, connecting included).</summary>
    public static PgBenchRun Start(PostgresServer server, DataPathCase testCase, int seconds, int items, int seed, int cpu, int window)
    {
        var logPrefix = Path.Combine(server.Folder.FullName, "pgbench-" + window.ToString(CultureInfo.InvariantCulture));
        List<string> arguments =
        [
            "-c", cpu.ToString(CultureInfo.InvariantCulture), Path.Combine(server.Bin, "pgbench"),
            "-n", "-M", "prepared", "-h", "127.0.0.1", "-p", server.Port.ToString(CultureInfo.InvariantCulture), "-U", PostgresServer.User,
            "-c", testCase.Connections.ToString(CultureInfo.InvariantCulture), "-j", "1",
            "-T", seconds.ToString(CultureInfo.InvariantCulture),
            "-D", "items=" + items.ToString(CultureInfo.InvariantCulture),
            "--random-seed=" + unchecked((uint)seed).ToString(CultureInfo.InvariantCulture),
            "-l", "--log-prefix=" + logPrefix,
        ];
        foreach (var (script, weight) in testCase.Scenario.PgbenchScripts)
        {
            arguments.Add("-f");
            arguments.Add(DataPathScenario.ScriptPath(script) + "@" + weight.ToString(CultureInfo.InvariantCulture));
        }
        arguments.Add(PostgresServer.Database);
        return new PgBenchRun(Command.RunAsync("taskset", arguments, TimeSpan.FromSeconds(seconds + 120), server.Folder.FullName), logPrefix);
    }

    /// <summary>Microseconds since the Unix epoch, the clock of pgbench's log.</summary>
    public static long NowMicroseconds() => (DateTime.UtcNow - DateTime.UnixEpoch).Ticks / 10;

    /// <summary>
    /// Waits for the run to end and reads the transactions that ended between <paramref name="fromMicroseconds"/> and
    /// <paramref name="toMicroseconds"/>: their count, rate and latency, and as errors the failed ones among them and
    /// the clients that aborted. Removes the log.
    /// </summary>
    public static async Task<PgBenchResult> ResultAsync(PgBenchRun run, long fromMicroseconds, long toMicroseconds)
    {
        var (exitCode, output, error) = await run.Completion;
        var logFiles = Directory.GetFiles(Path.GetDirectoryName(run.LogPrefix)!, Path.GetFileName(run.LogPrefix) + ".*");
        try
        {
            if (!ProcessedLine().IsMatch(output))
            {
                throw new InvalidOperationException($"pgbench exited with {exitCode}:{Environment.NewLine}{error}{output}");
            }
            var latencies = new List<double>();
            long failed = 0;
            foreach (var file in logFiles)
            {
                foreach (var line in File.ReadLines(file))
                {
                    // client, transaction number, latency in µs (or "failed" / "skipped"), script, end time in s and µs.
                    var fields = line.Split(' ');
                    if (fields.Length < 6
                        || !long.TryParse(fields[4], NumberStyles.None, CultureInfo.InvariantCulture, out var endSeconds)
                        || !long.TryParse(fields[5], NumberStyles.None, CultureInfo.InvariantCulture, out var endMicroseconds))
                    {
                        continue;
                    }
                    var end = (endSeconds * 1_000_000) + endMicroseconds;
                    if (end < fromMicroseconds || end > toMicroseconds)
                    {
                        continue;
                    }
                    if (double.TryParse(fields[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var latency))
                    {
                        latencies.Add(latency);
                    }
                    else
                    {
                        failed++;
                    }
                }
            }
            latencies.Sort();
            var seconds = (toMicroseconds - fromMicroseconds) / 1e6;
            // A client that aborts ends the run with exit code 2 and a line on standard error.
            var aborted = AbortedLine().Count(error);
            return new PgBenchResult(
                latencies.Count,
                seconds,
                latencies.Count / seconds,
                latencies.Count > 0 ? Spread.Quantile(latencies, 0.5) : double.NaN,
                latencies.Count > 0 ? Spread.Quantile(latencies, 0.99) : double.NaN,
                failed + aborted + (exitCode != 0 && aborted == 0 ? 1 : 0));
        }
        finally
        {
            foreach (var file in logFiles)
            {
                File.Delete(file);
            }
        }
    }

    [GeneratedRegex(@"^number of transactions actually processed: \d+", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex ProcessedLine();

    [GeneratedRegex(@"client \d+ aborted", RegexOptions.CultureInvariant)]
    private static partial Regex AbortedLine();
}

/// <summary>A pgbench run under way, and where its transaction log goes.</summary>
internal sealed record PgBenchRun(Task<(int ExitCode, string Output, string Error)> Completion, string LogPrefix);
