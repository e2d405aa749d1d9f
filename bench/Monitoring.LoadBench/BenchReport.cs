namespace Monitoring.LoadBench;

/// <summary>Everything one run measured; written as markdown for people and as JSON for the smoke test.</summary>
internal sealed record BenchReport(
    DateTimeOffset StartedAt,
    DateTimeOffset FinishedAt,
    BenchOptions Options,
    string Machine,
    string LoadAverageBefore,
    string LoadAverageAfter,
    string? StoppedBecause,
    IReadOnlyList<VariantSummary> Variants,
    IReadOnlyList<WindowSample> Samples,
    IReadOnlyList<ScrapeLevel>? Scrape,
    GrowthResult? Growth);
