namespace Monitoring.LoadBench;

/// <summary>
/// All variants started once and kept running; each warmed up, then measured one window per round, in an order shuffled
/// every round so that drift of the machine falls on every variant alike.
/// </summary>
internal static class LoadRounds
{
    /// <summary>The windows of every complete round; when a server dies, the rounds before it and the reason.</summary>
    public static async Task<(IReadOnlyList<WindowSample> Samples, string? StoppedBecause)> RunAsync(
        IReadOnlyList<Variant> variants, BenchOptions options, TextWriter log)
    {
        var servers = new List<ServerProcess>();
        try
        {
            foreach (var variant in variants)
            {
                // One at a time: parallel starts on one pinned CPU only slow each other down.
                var server = await ServerProcess.StartReadyAsync(variant, options.ServerCpu, TimeSpan.FromSeconds(60));
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

#pragma warning disable CA5394 // The shuffle only needs to be reproducible from the seed, not unpredictable.
            var random = new Random(options.Seed);
            var samples = new List<WindowSample>();
            for (var round = 1; round <= options.Rounds; round++)
            {
                var order = servers.ToArray();
                random.Shuffle(order);
#pragma warning restore CA5394
                foreach (var server in order)
                {
                    WindowSample sample;
                    try
                    {
                        sample = await LoadWindow.MeasureAsync(server, round, options.WindowSeconds, options);
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
            return (samples, null);
        }
        finally
        {
            foreach (var server in servers)
            {
                await server.DisposeAsync();
            }
        }
    }
}
