using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using Monitoring.LoadBench;
using Monitoring.LoadBench.DataPath;

// The load benchmark: every variant side by side in one run, rounds in shuffled order, servers on one CPU, wrk on the
// other. Runs the servers from an existing build output; see bench/README.md.
BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException exception)
{
    await Console.Error.WriteLineAsync(exception.Message + Environment.NewLine + BenchOptions.Usage);
    return 2;
}

DirectoryInfo? temporaryFolder = null;
var stopping = new Lock();
using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => StopEverything());
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => StopEverything());

var layout = new RepositoryLayout(RepositoryLayout.FindRoot(options.Root), options.Configuration);
try
{
    layout.EnsureBuilt();
    if (options.DataPath && options.Variants?.Contains(Variant.DataPathDataApiAot) == true)
    {
        layout.EnsureNativePublished();
    }
    Tools.EnsureInstalled();
}
catch (InvalidOperationException exception)
{
    await Console.Error.WriteLineAsync(exception.Message);
    return 2;
}

var machine = Tools.DescribeMachine();
// The harness itself waits on the client CPU, so that it never takes time from the server it measures.
if (OperatingSystem.IsLinux())
{
    Process.GetCurrentProcess().ProcessorAffinity = 1 << options.ClientCpu;
}

var startedAt = DateTimeOffset.UtcNow;
var loadBefore = Tools.LoadAverage();
var dataDirectory = Directory.CreateTempSubdirectory("monitoring-loadbench-");
temporaryFolder = dataDirectory;
var log = Console.Out;
try
{
    if (options.DataPath)
    {
        var (dataPathReport, exitCode) = await DataPathRun.RunAsync(layout, options, dataDirectory.FullName, machine, log);
        var (markdown, json) = OutputPaths("datapath-");
        await File.WriteAllTextAsync(markdown, DataPathMarkdown.Render(dataPathReport));
        await File.WriteAllTextAsync(json, JsonSerializer.Serialize(dataPathReport, JsonOptions()));
        log.WriteLine($"Report: {markdown}");
        return exitCode;
    }

    var variants = Variant.All(layout, dataDirectory.FullName, withPeers: !options.SkipPeers);
    var (samples, stoppedBecause) = await LoadRounds.RunAsync(variants, options, log);
    var summaries = VariantSummary.From(variants, samples);
    log.WriteLine();
    log.Write(MarkdownReport.LoadTable(summaries));
    log.WriteLine(MarkdownReport.PairedDifferences(summaries));
    log.WriteLine();

    IReadOnlyList<ScrapeLevel>? scrape = null;
    if (!options.SkipScrape)
    {
        await using var server = await StartDataApiAsync("dataapi-scrape");
        scrape = await ScrapeCost.MeasureAsync(server, options, log);
    }

    GrowthResult? growth = null;
    if (!options.SkipGrowth)
    {
        await using var flooded = await StartDataApiAsync("dataapi-growth");
        await using var control = await StartDataApiAsync("dataapi-growth-control");
        growth = await CostGrowth.MeasureAsync(flooded, control, options, log);
    }

    var report = new BenchReport(startedAt, DateTimeOffset.UtcNow, options, machine, loadBefore, Tools.LoadAverage(), stoppedBecause, summaries, samples, scrape, growth);
    var (markdownPath, jsonPath) = OutputPaths("load-");
    await File.WriteAllTextAsync(markdownPath, MarkdownReport.Render(report));
    await File.WriteAllTextAsync(jsonPath, JsonSerializer.Serialize(report, JsonOptions()));
    log.WriteLine($"Report: {markdownPath}");
    return stoppedBecause is not null ? 4 : summaries.Any(row => row.Errors > 0) ? 3 : 0;
}
finally
{
    dataDirectory.Delete(recursive: true);
}

// The report's two files, named after the run's start.
(string Markdown, string Json) OutputPaths(string prefix)
{
    var outputDirectory = options.OutputDirectory ?? Path.Combine(layout.Root, "bench", "results");
    Directory.CreateDirectory(outputDirectory);
    var name = prefix + startedAt.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
    return (Path.Combine(outputDirectory, name + ".md"), Path.Combine(outputDirectory, name + ".json"));
}

// Ctrl+C and SIGTERM end the harness without its finally blocks: nothing it started may outlive it.
// A second signal (timeout and a shell both pass Ctrl+C on) waits for the first one's cleanup rather than ending the
// process halfway through it.
void StopEverything()
{
    lock (stopping)
    {
        ServerProcess.KillAll();
        PostgresServer.StopAll();
        try
        {
            temporaryFolder?.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A killed server's file still being closed; it is in the temporary folder.
        }
    }
}

async Task<ServerProcess> StartDataApiAsync(string name)
{
    var variant = Variant.DataApi(layout, name, "The DataApi, metrics on", dataDirectory.FullName, metricsEnabled: true);
    var server = await ServerProcess.StartReadyAsync(variant, options, TimeSpan.FromSeconds(60));
    await server.SeedAsync();
    if (options.WarmupSeconds > 0)
    {
        await Wrk.RunAsync(server.BaseUrl + LoadWindow.Path, options.WarmupSeconds, options.Connections, options.ClientCpu);
    }
    return server;
}

static JsonSerializerOptions JsonOptions() => new(JsonSerializerDefaults.Web)
{
    WriteIndented = true,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    Converters = { new JsonStringEnumConverter() },
};
