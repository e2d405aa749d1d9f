namespace Monitoring.LoadBench;

/// <summary>
/// Every variant started and warmed up, then measured one window per round, in an order shuffled every round so that
/// drift of the machine falls on every variant alike. With <c>--processes N</c> the rounds are split into N blocks and
/// every variant gets a fresh process for each block: two processes of one build differ by a few µs per request, and
/// only new processes let the rounds sample that difference instead of measuring one process pair throughout.
/// </summary>
internal static class LoadRounds
{
    /// <summary>The windows of every complete round; when a server dies, the rounds before it and the reason.</summary>
    public static async Task<(IReadOnlyList<WindowSample> Samples, string? StoppedBecause)> RunAsync(
        IReadOnlyList<Variant> variants, BenchOptions options, TextWriter log)
    {
#pragma warning disable CA5394 // The shuffle only needs to be reproducible from the seed, not unpredictable.
        var random = new Random(options.Seed);
        var samples = new List<WindowSample>();
        var processes = Math.Min(options.Processes, options.Rounds);
        var round = 1;
        for (var process = 1; process <= processes; process++)
        {
            // The rounds as evenly as possible between the processes.
            var lastRound = options.Rounds * process / processes;
            var servers = new List<ServerProcess>();
            try
            {
                if (processes > 1)
                {
                    log.WriteLine($"process {process}/{processes} of every variant, rounds {round}–{lastRound}");
                }
                await StartAndWarmUpAsync(variants, options, servers, log);
                for (; round <= lastRound; round++)
                {
                    var order = servers.ToArray();
                    random.Shuffle(order);
                    foreach (var server in order)
                    {
                        WindowSample sample;
                        try
                        {
                            sample = await LoadWindow.MeasureAsync(server, round, options.WindowSeconds, options) with { Process = process };
                        }
                        catch (ServerExitedException exception) when (round > 1)
                        {
                            // A shared machine: keep the complete rounds rather than lose the whole run.
                            samples.RemoveAll(kept => kept.Round == round);
                            log.WriteLine($"Stopped in round {round}: {exception.Message}");
                            return (samples, $"stopped in round {round} of {options.Rounds}, {round - 1} complete rounds kept: {exception.Message.Split(Environment.NewLine)[0]}");
                        }
                        samples.Add(sample);
                        log.WriteLine($"round {round}/{options.Rounds} {sample.Variant,-20} {sample.Wrk.RequestsPerSecond,10:N0} req/s  p99 {sample.Wrk.P99Microseconds,8:N0} µs  {sample.CpuMicrosecondsPerRequest,6:F1} µs CPU/request  errors {sample.Wrk.Errors}");
                    }
                }
            }
            finally
            {
                foreach (var server in servers)
                {
                    await server.DisposeAsync();
                }
            }
        }
#pragma warning restore CA5394
        return (samples, null);
    }

    private static async Task StartAndWarmUpAsync(IReadOnlyList<Variant> variants, BenchOptions options, List<ServerProcess> servers, TextWriter log)
    {
        foreach (var variant in variants)
        {
            // One at a time: parallel starts on one pinned CPU only slow each other down.
            var server = await ServerProcess.StartReadyAsync(variant, options, TimeSpan.FromSeconds(60));
            servers.Add(server);
            if (variant.IsDataApi)
            {
                await server.SeedAsync();
            }
            if (options.WarmupSeconds > 0)
            {
                var warmup = await Wrk.RunAsync(server.BaseUrl + LoadWindow.Path, options.WarmupSeconds, options.Connections, options.ClientCpu);
                log.WriteLine($"warm-up {variant.Name}: {warmup.RequestsPerSecond:N0} req/s, {warmup.Errors} errors");
            }
        }
    }
}
