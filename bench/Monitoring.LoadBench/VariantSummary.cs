namespace Monitoring.LoadBench;

/// <summary>
/// One variant over all rounds. Differences are paired by round (this variant's window minus the reference's window of
/// the same round), so drift that hits a whole round cancels out.
/// </summary>
internal sealed record VariantSummary(
    string Name,
    string Description,
    Spread RequestsPerSecond,
    Spread P99Microseconds,
    Spread CpuMicrosecondsPerRequest,
    double ThroughputVsBare,
    double CpuVsBare,
    Spread AddedMicrosecondsVsBare,
    Spread? AddedMicrosecondsVsMetricsOff,
    Spread ResidentBytes,
    long PeakResidentBytes,
    long Errors)
{
    public static IReadOnlyList<VariantSummary> From(IReadOnlyList<Variant> variants, IReadOnlyList<WindowSample> samples)
    {
        var byVariant = samples.GroupBy(sample => sample.Variant).ToDictionary(group => group.Key, group => group.ToList());
        var bare = byVariant[Variant.Bare];
        var bareRate = Spread.Of(bare.Select(sample => sample.Wrk.RequestsPerSecond)).Median;
        var bareCpu = Spread.Of(bare.Select(sample => sample.CpuMicrosecondsPerRequest)).Median;

        return variants.Select(variant =>
        {
            var own = byVariant[variant.Name];
            var rate = Spread.Of(own.Select(sample => sample.Wrk.RequestsPerSecond));
            var cpu = Spread.Of(own.Select(sample => sample.CpuMicrosecondsPerRequest));
            return new VariantSummary(
                variant.Name,
                variant.Description,
                rate,
                Spread.Of(own.Select(sample => sample.Wrk.P99Microseconds)),
                cpu,
                rate.Median / bareRate,
                cpu.Median / bareCpu,
                PairedDifference(own, bare),
                variant.Name is Variant.MetricsOn or Variant.MetricsOffTwin ? PairedDifference(own, byVariant[Variant.MetricsOff]) : null,
                Spread.Of(own.Select(sample => (double)sample.ResidentBytes)),
                own.Max(sample => sample.PeakResidentBytes),
                own.Sum(sample => sample.Wrk.Errors));
        }).ToList();
    }

    private static Spread PairedDifference(IReadOnlyList<WindowSample> own, IReadOnlyList<WindowSample> reference)
    {
        var referenceByRound = reference.ToDictionary(sample => sample.Round);
        return Spread.Of(own
            .Where(sample => referenceByRound.ContainsKey(sample.Round))
            .Select(sample => sample.CpuMicrosecondsPerRequest - referenceByRound[sample.Round].CpuMicrosecondsPerRequest));
    }
}
