namespace Monitoring.Tests.Infrastructure;

/// <summary>
/// One vector selector of a PromQL expression, as written: <c>metric{label="value"}</c>, with its range
/// (<c>[5m]</c>) and its <c>offset</c>/<c>@</c> modifiers when it has them. <see cref="Text"/> is a query of its own.
/// </summary>
/// <param name="Text">The selector's source text, whitespace as written.</param>
/// <param name="LabelNames">The label names its matchers name (<c>__name__</c> excluded), in order.</param>
/// <param name="IsRange">True for a range selector (<c>metric[5m]</c>), which answers a matrix.</param>
public sealed record VectorSelector(string Text, IReadOnlyList<string> LabelNames, bool IsRange)
{
    public override string ToString() => Text;
}
