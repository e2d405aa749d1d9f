using System.Text.RegularExpressions;
using Monitoring.Tests.Infrastructure;

namespace Monitoring.Tests.Docs;

/// <summary>
/// Every relative link and image in the README, docs/ and bench/README.md points at a file that exists, and a link to
/// a heading (<c>file.md#heading</c>) at a heading that exists, so that moving a topic or renaming a section cannot
/// leave a dead link behind.
/// </summary>
public sealed partial class DocumentationLinkTests
{
    public static TheoryData<string> Documents()
    {
        var documents = new TheoryData<string>("README.md", "bench/README.md");
        foreach (var path in Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "docs"), "*.md").Order(StringComparer.Ordinal))
        {
            documents.Add("docs/" + Path.GetFileName(path));
        }
        return documents;
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public void Every_relative_link_and_image_resolves(string document)
    {
        var path = Path.Combine(RepositoryPaths.Root, document);
        var text = WithoutCode(File.ReadAllText(path));
        var broken = new List<string>();
        foreach (var link in Links(text))
        {
            if (link.Contains("://", StringComparison.Ordinal) || link.StartsWith("mailto:", StringComparison.Ordinal))
            {
                continue;
            }
            var hash = link.IndexOf('#', StringComparison.Ordinal);
            var file = hash < 0 ? link : link[..hash];
            var anchor = hash < 0 ? null : link[(hash + 1)..];
            var target = file.Length == 0 ? path : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, Uri.UnescapeDataString(file)));
            if (!File.Exists(target) && !Directory.Exists(target))
            {
                broken.Add($"{link}: no such file");
            }
            else if (anchor is not null && target.EndsWith(".md", StringComparison.Ordinal) && !Anchors(File.ReadAllText(target)).Contains(anchor))
            {
                broken.Add($"{link}: no heading with this anchor in {Path.GetFileName(target)}");
            }
        }
        Assert.True(broken.Count == 0, $"{document}:{Environment.NewLine}{string.Join(Environment.NewLine, broken)}");
    }

    [Fact]
    public void The_check_reads_the_links_of_the_README()
    {
        var links = Links(WithoutCode(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "README.md"))));

        Assert.Contains("docs/performance.md", links);
        Assert.Contains(links, link => link.EndsWith(".png", StringComparison.Ordinal));
    }

    private static List<string> Links(string markdown) => Link().Matches(markdown).Select(match => match.Groups["target"].Value).ToList();

    /// <summary>The anchors GitHub gives headings: lower case, punctuation dropped, spaces as hyphens.</summary>
    internal static HashSet<string> Anchors(string markdown) =>
        Heading().Matches(WithoutCode(markdown))
            .Select(match => NotInAnchor().Replace(match.Groups["title"].Value.Trim().ToLowerInvariant(), "").Replace(' ', '-'))
            .ToHashSet(StringComparer.Ordinal);

    private static string WithoutCode(string markdown) => InlineCode().Replace(Fence().Replace(markdown, ""), "");

    // [text](target) and ![alt](target), target without spaces; an optional "title" after it is ignored.
    [GeneratedRegex(@"!?\[[^\]]*\]\((?<target>[^)\s]+)(?:\s+""[^""]*"")?\)")]
    private static partial Regex Link();

    [GeneratedRegex(@"^#{1,6}\s+(?<title>.+?)\s*#*\s*$", RegexOptions.Multiline)]
    private static partial Regex Heading();

    [GeneratedRegex(@"[^\p{L}\p{Nd}\s_-]")]
    private static partial Regex NotInAnchor();

    [GeneratedRegex(@"^```.*?^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex Fence();

    [GeneratedRegex(@"`[^`\n]*`")]
    private static partial Regex InlineCode();
}
