using Monitoring.Tests.Infrastructure;

namespace Monitoring.Tests.Stack;

/// <summary>The tokenizer that takes the vector selectors out of the dashboards' and rules' PromQL.</summary>
public sealed class PromQlVectorSelectorsTests
{
    [Fact]
    public void A_fallback_does_not_hide_the_selector_it_stands_in_for()
    {
        var selectors = PromQlVectorSelectors.In(
            "(sum by (endpoint) (rate(a_total{job=\"x\",code=~\"5..\"}[1m])) or sum by (endpoint) (rate(b_total[1m])) * 0) "
            + "/ sum by (endpoint) (rate(c_total{job=\"x\"}[1m])) or vector(0)");

        Assert.Equal(["a_total{job=\"x\",code=~\"5..\"}[1m]", "b_total[1m]", "c_total{job=\"x\"}[1m]"], selectors.Select(s => s.Text));
        Assert.Equal(["job", "code"], selectors[0].LabelNames);
        Assert.All(selectors, selector => Assert.True(selector.IsRange));
    }

    [Fact]
    public void Grouping_labels_functions_operators_and_numbers_are_not_selectors()
    {
        var selectors = PromQlVectorSelectors.In(
            "histogram_quantile(0.95, sum(rate(h_bucket[5m])) by (le)) > 1 and on (job) group_left (instance) up "
            + "unless ignoring(le) absent(x) AND bool 1e-3 + Inf - NaN + 0x1F");

        Assert.Equal(["h_bucket[5m]", "up", "x"], selectors.Select(s => s.Text));
        Assert.False(selectors[1].IsRange);
    }

    [Fact]
    public void A_subquery_leaves_its_selector_an_instant_one()
    {
        var selector = Assert.Single(PromQlVectorSelectors.In("changes(max by (job) (start_time{job=\"dataapi\"})[15m:15s]) > 0"));

        Assert.Equal("start_time{job=\"dataapi\"}", selector.Text);
        Assert.False(selector.IsRange);
    }

    [Fact]
    public void Quoted_text_comments_and_escapes_are_skipped_whole()
    {
        var selectors = PromQlVectorSelectors.In(
            "label_replace(m{path=\"a\\\"}b\", q='c d'}, \"dst\", `$1 rate(x[1m])`, \"src\", \"(.*)\") # not_a_metric{}\n+ n");

        Assert.Equal(["m{path=\"a\\\"}b\", q='c d'}", "n"], selectors.Select(s => s.Text));
        Assert.Equal(["path", "q"], selectors[0].LabelNames);
    }

    [Fact]
    public void A_selector_keeps_its_modifiers_and_may_have_no_metric_name()
    {
        var selectors = PromQlVectorSelectors.In("rate(m[5m] offset -1h) + {__name__=\"n\", job!=\"\"} @ 1700000000 + o @ end()");

        Assert.Equal(["m[5m] offset -1h", "{__name__=\"n\", job!=\"\"} @ 1700000000", "o @ end()"], selectors.Select(s => s.Text));
        Assert.Equal(["job"], selectors[1].LabelNames);
    }

    [Fact]
    public void Malformed_matchers_are_an_error_rather_than_a_silent_miss()
    {
        Assert.Throws<FormatException>(() => PromQlVectorSelectors.In("m{job=dataapi}"));
        Assert.Throws<FormatException>(() => PromQlVectorSelectors.In("m{job=\"dataapi\""));
    }
}
