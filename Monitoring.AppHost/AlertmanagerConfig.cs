using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Monitoring.AppHost;

/// <summary>
/// The configuration Alertmanager runs with: the repository's <c>alertmanager/alertmanager.yml</c> with its
/// <see cref="WebhookReceiver"/> receiver pointed at the configured webhook URL, or left without any delivery when there
/// is none (alerts then stay in Alertmanager's UI and API). Alertmanager 0.25 (Debian 12's) expands no environment
/// variables in its configuration and has no <c>url_file</c> for webhooks, so the URL is written into the file itself.
/// </summary>
public static class AlertmanagerConfig
{
    /// <summary>The receiver of <c>alertmanager.yml</c> whose first webhook gets the URL.</summary>
    public const string WebhookReceiver = "webhook";

    /// <summary>
    /// <paramref name="template"/> (alertmanager.yml's text) with the first <c>webhook_configs</c> entry of the
    /// <see cref="WebhookReceiver"/> receiver sent to <paramref name="webhookUrl"/>, everything else of that entry
    /// (<c>send_resolved</c>) kept; without a URL, the receiver keeps no webhook at all.
    /// </summary>
    /// <exception cref="InvalidOperationException">The template has no such receiver or webhook.</exception>
    public static string Render(string template, string? webhookUrl)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(template));
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        var receiver = Child<YamlSequenceNode>(root, "receivers")?.OfType<YamlMappingNode>()
            .SingleOrDefault(candidate => Child<YamlScalarNode>(candidate, "name")?.Value == WebhookReceiver);
        var webhooks = receiver is null ? null : Child<YamlSequenceNode>(receiver, "webhook_configs");
        if (receiver is null || webhooks is not { Children.Count: > 0 } || webhooks[0] is not YamlMappingNode webhook)
        {
            throw new InvalidOperationException($"alertmanager.yml has no receiver '{WebhookReceiver}' with a webhook_configs entry.");
        }

        if (webhookUrl is { Length: > 0 })
        {
            webhook.Children[new YamlScalarNode("url")] = new YamlScalarNode(webhookUrl) { Style = ScalarStyle.DoubleQuoted };
        }
        else
        {
            receiver.Children.Remove(new YamlScalarNode("webhook_configs"));
        }

        using var writer = new StringWriter();
        writer.WriteLine("# Written by the AppHost from alertmanager/alertmanager.yml and Monitoring:AlertWebhookUrl; edit that file instead.");
        stream.Save(writer, assignAnchors: false);
        return writer.ToString();
    }

    /// <summary>Whether <paramref name="value"/> is a URL Alertmanager can send a webhook to: absolute, http or https.</summary>
    public static bool IsWebhookUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    private static T? Child<T>(YamlMappingNode node, string key) where T : YamlNode =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child as T : null;
}
