namespace Monitoring.Tests.Infrastructure;

/// <summary>
/// The vector selectors of a PromQL expression, found by a tokenizer that follows Prometheus's lexer: a name is a
/// metric unless it calls a function, is an operator or keyword, or names the labels of <c>by</c>/<c>without</c>/
/// <c>on</c>/<c>ignoring</c>/<c>group_left</c>/<c>group_right</c>; strings and comments are skipped whole, so nothing
/// quoted is taken for a selector. The Prometheus this stack runs (2.42) has no <c>/api/v1/parse_query</c> and
/// promtool prints no syntax tree, hence a parser of our own.
/// </summary>
public static class PromQlVectorSelectors
{
    // Binary operators and modifiers spelled as words; Prometheus's keywords are case-insensitive.
    private static readonly HashSet<string> Keywords = new(StringComparer.OrdinalIgnoreCase)
    {
        "and", "or", "unless", "atan2", "bool", "offset", "inf", "nan",
    };

    // Keywords followed by a parenthesised list of label names rather than by an expression.
    private static readonly HashSet<string> LabelListKeywords = new(StringComparer.OrdinalIgnoreCase)
    {
        "by", "without", "on", "ignoring", "group_left", "group_right",
    };

    // Aggregation operators: they may be followed by by/without instead of '(', and are never metric names.
    private static readonly HashSet<string> Aggregations = new(StringComparer.OrdinalIgnoreCase)
    {
        "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk", "topk", "quantile",
        "limitk", "limit_ratio",
    };

    /// <summary>Every vector selector of <paramref name="expr"/>, in the order written, duplicates included.</summary>
    public static IReadOnlyList<VectorSelector> In(string expr)
    {
        var selectors = new List<VectorSelector>();
        var i = 0;
        while (i < expr.Length)
        {
            var c = expr[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '#')
            {
                var end = expr.IndexOf('\n', i);
                i = end < 0 ? expr.Length : end + 1;
            }
            else if (c is '"' or '\'' or '`')
            {
                i = SkipString(expr, i);
            }
            else if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < expr.Length && char.IsAsciiDigit(expr[i + 1])))
            {
                i = SkipNumberOrDuration(expr, i);
            }
            else if (c == '[')
            {
                // A subquery's range and step (a selector's own range is read with the selector).
                i = IndexOrThrow(expr, ']', i) + 1;
            }
            else if (c == '{')
            {
                i = ReadSelector(expr, i, i, selectors);
            }
            else if (IsIdentifierStart(c))
            {
                var start = i;
                i = SkipIdentifier(expr, i);
                var word = expr[start..i];
                var next = SkipWhiteSpace(expr, i);
                var opensParenthesis = next < expr.Length && expr[next] == '(';
                if (LabelListKeywords.Contains(word))
                {
                    if (opensParenthesis)
                    {
                        i = IndexOrThrow(expr, ')', next) + 1;
                    }
                }
                else if (!Keywords.Contains(word) && !Aggregations.Contains(word) && !opensParenthesis)
                {
                    i = ReadSelector(expr, start, i, selectors);
                }
            }
            else
            {
                i++;
            }
        }
        return selectors;
    }

    /// <summary>Reads the selector that starts at <paramref name="start"/> (its metric name ends at <paramref name="i"/>).</summary>
    private static int ReadSelector(string expr, int start, int i, List<VectorSelector> selectors)
    {
        var labels = new List<string>();
        var next = SkipWhiteSpace(expr, i);
        if (next < expr.Length && expr[next] == '{')
        {
            i = ReadMatchers(expr, next, labels);
        }

        var isRange = false;
        next = SkipWhiteSpace(expr, i);
        if (next < expr.Length && expr[next] == '[')
        {
            var close = IndexOrThrow(expr, ']', next);
            // [5m:15s] is a subquery of the selector, which stays an instant selector.
            if (!expr.AsSpan(next, close - next).Contains(':'))
            {
                isRange = true;
                i = close + 1;
            }
        }

        i = ReadModifiers(expr, i);
        selectors.Add(new VectorSelector(expr[start..i], labels, isRange));
        return i;
    }

    /// <summary>Reads <c>{name op "value", …}</c> from the '{' at <paramref name="i"/>; returns the index after '}'.</summary>
    private static int ReadMatchers(string expr, int i, List<string> labels)
    {
        i++;
        while (true)
        {
            i = SkipWhiteSpace(expr, i);
            if (i < expr.Length && expr[i] == ',')
            {
                i = SkipWhiteSpace(expr, i + 1);
            }
            if (i >= expr.Length)
            {
                throw new FormatException($"Unterminated label matchers in: {expr}");
            }
            if (expr[i] == '}')
            {
                return i + 1;
            }
            if (!IsIdentifierStart(expr[i]))
            {
                throw new FormatException($"Expected a label name at {i} in: {expr}");
            }
            var nameStart = i;
            i = SkipIdentifier(expr, i);
            var name = expr[nameStart..i];
            if (name != "__name__")
            {
                labels.Add(name);
            }
            i = SkipWhiteSpace(expr, i);
            var op = expr.AsSpan(i, Math.Min(2, expr.Length - i));
            i += op is "!=" or "=~" or "!~" ? 2 : op.StartsWith("=") ? 1 : throw new FormatException($"Expected a matcher operator at {i} in: {expr}");
            i = SkipWhiteSpace(expr, i);
            if (i >= expr.Length || expr[i] is not ('"' or '\'' or '`'))
            {
                throw new FormatException($"Expected a quoted label value at {i} in: {expr}");
            }
            i = SkipString(expr, i);
        }
    }

    /// <summary>Reads any <c>offset [-]duration</c> and <c>@ time</c> / <c>@ start()</c> / <c>@ end()</c> after a selector.</summary>
    private static int ReadModifiers(string expr, int i)
    {
        while (true)
        {
            var next = SkipWhiteSpace(expr, i);
            if (next < expr.Length && IsIdentifierStart(expr[next])
                && expr[next..SkipIdentifier(expr, next)].Equals("offset", StringComparison.OrdinalIgnoreCase))
            {
                next = SkipWhiteSpace(expr, SkipIdentifier(expr, next));
                if (next < expr.Length && expr[next] == '-')
                {
                    next++;
                }
                i = SkipNumberOrDuration(expr, next);
            }
            else if (next < expr.Length && expr[next] == '@')
            {
                next = SkipWhiteSpace(expr, next + 1);
                if (next < expr.Length && IsIdentifierStart(expr[next]))
                {
                    // start() or end()
                    i = IndexOrThrow(expr, ')', next) + 1;
                }
                else
                {
                    if (next < expr.Length && expr[next] is '-' or '+')
                    {
                        next++;
                    }
                    i = SkipNumberOrDuration(expr, next);
                }
            }
            else
            {
                return i;
            }
        }
    }

    private static int SkipString(string expr, int i)
    {
        var quote = expr[i++];
        while (i < expr.Length && expr[i] != quote)
        {
            // Backquoted strings are raw; the others escape with a backslash.
            i += quote != '`' && expr[i] == '\\' ? 2 : 1;
        }
        if (i >= expr.Length)
        {
            throw new FormatException($"Unterminated string in: {expr}");
        }
        return i + 1;
    }

    /// <summary>A number (1, 0.5, 0x1f, 1e-3) or a duration (5m, 1h30m), which share their characters.</summary>
    private static int SkipNumberOrDuration(string expr, int i)
    {
        while (i < expr.Length)
        {
            var c = expr[i];
            var exponentSign = c is '+' or '-' && i > 0 && expr[i - 1] is 'e' or 'E'
                && i + 1 < expr.Length && char.IsAsciiDigit(expr[i + 1]);
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' || exponentSign))
            {
                break;
            }
            i++;
        }
        return i;
    }

    private static bool IsIdentifierStart(char c) => char.IsAsciiLetter(c) || c is '_' or ':';

    private static int SkipIdentifier(string expr, int i)
    {
        while (i < expr.Length && (char.IsAsciiLetterOrDigit(expr[i]) || expr[i] is '_' or ':'))
        {
            i++;
        }
        return i;
    }

    private static int SkipWhiteSpace(string expr, int i)
    {
        while (i < expr.Length && char.IsWhiteSpace(expr[i]))
        {
            i++;
        }
        return i;
    }

    private static int IndexOrThrow(string expr, char c, int from)
    {
        var index = expr.IndexOf(c, from);
        return index >= 0 ? index : throw new FormatException($"Missing '{c}' after {from} in: {expr}");
    }
}
