using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Monitoring.LoadBench;

/// <summary>wrk, pinned to the client CPU: one thread, a fixed number of connections, one window, latency percentiles.</summary>
internal static partial class Wrk
{
    private static readonly string[] SocketErrorKinds = ["connect", "read", "write", "timeout"];

    /// <summary>
    /// One window. <paramref name="script"/>, when given, is a Lua script that makes every request (wrk's <c>-s</c>),
    /// with <paramref name="scriptArguments"/> after <c>--</c>.
    /// </summary>
    public static async Task<WrkResult> RunAsync(
        string url, int seconds, int connections, int cpu, string? script = null, IReadOnlyList<string>? scriptArguments = null)
    {
        var startInfo = new ProcessStartInfo("taskset")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "-c", cpu.ToString(CultureInfo.InvariantCulture), "wrk", "-t1",
            "-c" + connections.ToString(CultureInfo.InvariantCulture),
            "-d" + seconds.ToString(CultureInfo.InvariantCulture) + "s",
            "--timeout", "5s", "--latency",
        }
        .Concat(script is null ? [] : ["-s", script])
        .Append(url)
        .Concat(script is null || scriptArguments is null ? [] : ["--", .. scriptArguments]))
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("wrk did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cancellation = new CancellationTokenSource(TimeSpan.FromSeconds(seconds + 30));
        try
        {
            await process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"wrk did not finish a {seconds} s window within {seconds + 30} s");
        }
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"wrk exited with {process.ExitCode}: {await error}{await output}");
        }
        return Parse(await output);
    }

    public static WrkResult Parse(string output)
    {
        var summary = SummaryLine().Match(output);
        var rate = RateLine().Match(output);
        if (!summary.Success || !rate.Success)
        {
            throw new FormatException("Unexpected wrk output:" + Environment.NewLine + output);
        }
        var socket = SocketErrorsLine().Match(output);
        var non2xx = Non2xxLine().Match(output);
        return new WrkResult(
            Requests: long.Parse(summary.Groups["requests"].Value, CultureInfo.InvariantCulture),
            Seconds: Duration(summary.Groups["value"].Value, summary.Groups["unit"].Value) / 1e6,
            RequestsPerSecond: double.Parse(rate.Groups["rate"].Value, CultureInfo.InvariantCulture),
            P50Microseconds: Percentile(output, "50"),
            P99Microseconds: Percentile(output, "99"),
            Non2xx: non2xx.Success ? long.Parse(non2xx.Groups["count"].Value, CultureInfo.InvariantCulture) : 0,
            SocketErrors: socket.Success
                ? SocketErrorKinds.Sum(name => long.Parse(socket.Groups[name].Value, CultureInfo.InvariantCulture))
                : 0);
    }

    private static double Percentile(string output, string percent)
    {
        var match = Regex.Match(output, @"^\s*" + percent + @"(?:\.0+)?%\s+(?<value>[0-9.]+)(?<unit>us|ms|s|m)\s*$",
            RegexOptions.Multiline | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        return match.Success
            ? Duration(match.Groups["value"].Value, match.Groups["unit"].Value)
            : throw new FormatException($"No {percent}% latency in wrk output:" + Environment.NewLine + output);
    }

    /// <summary>A wrk duration in microseconds.</summary>
    private static double Duration(string value, string unit) =>
        double.Parse(value, CultureInfo.InvariantCulture) * unit switch
        {
            "us" => 1,
            "ms" => 1e3,
            "s" => 1e6,
            "m" => 60e6,
            _ => throw new FormatException("Unknown wrk unit " + unit),
        };

    [GeneratedRegex(@"^\s*(?<requests>\d+) requests in (?<value>[0-9.]+)(?<unit>us|ms|s|m),", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex SummaryLine();

    [GeneratedRegex(@"^Requests/sec:\s+(?<rate>[0-9.]+)", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex RateLine();

    [GeneratedRegex(@"Socket errors: connect (?<connect>\d+), read (?<read>\d+), write (?<write>\d+), timeout (?<timeout>\d+)", RegexOptions.CultureInvariant)]
    private static partial Regex SocketErrorsLine();

    [GeneratedRegex(@"Non-2xx or 3xx responses: (?<count>\d+)", RegexOptions.CultureInvariant)]
    private static partial Regex Non2xxLine();
}
