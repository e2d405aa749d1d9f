using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Monitoring.DataApi.Endpoints;

namespace Monitoring.Tests.DataApi;

/// <summary>
/// Which key a request target names, as Kestrel hands the target over (RawTarget, still percent-encoded). The in-memory
/// test server sets no raw target, so the in-process endpoint tests never reach these rules; the real-process tests
/// (StandaloneProcessTests, HostileRequestTests) check them end to end, and these check each rule on its own, fast.
/// </summary>
public sealed class RequestTargetKeyTests
{
    [Theory]
    // %2F is a slash inside the key, %25 a percent sign: decoded exactly once.
    [InlineData("/data/a%2Fb", "a/b")]
    [InlineData("/data/a%2fb", "a/b")]
    [InlineData("/data/a%252Fb", "a%2Fb")]
    [InlineData("/data/%C3%A9t%C3%A9", "été")]
    [InlineData("/data/%41", "A")]
    // Routing ignores the path's case, a trailing slash, the query and the fragment; dot segments resolve first.
    [InlineData("/DATA/k", "k")]
    [InlineData("/data/k/", "k")]
    [InlineData("/data/k?limit=1", "k")]
    [InlineData("/data/k#top", "k")]
    [InlineData("/data/x/../k", "k")]
    [InlineData("/data/./k", "k")]
    [InlineData("/data/%2e%2E/data/k", "k")]
    [InlineData("/../data/k", "k")]
    // Absolute-form, as sent to a proxy: the path after the authority.
    [InlineData("http://localhost:8000/data/a%2Fb", "a/b")]
    [InlineData("https://localhost/data/k?x=1", "k")]
    public void A_target_names_the_key_it_percent_encodes(string target, string key)
    {
        Assert.Equal((key, null), ItemKeyPath.Decode(ContextWith(target), routeValue: "unused"));
    }

    [Theory]
    [InlineData("/data/%ff")]
    [InlineData("/data/%c0%af")]
    [InlineData("/data/%ed%a0%80")]
    [InlineData("/data/a%e2%82")]
    [InlineData("/data/%zz")]
    [InlineData("/data/%4z")]
    [InlineData("/data/a%")]
    [InlineData("/data/a%4")]
    [InlineData("/data/é")]
    [InlineData("/data/a/b")]
    [InlineData("/data")]
    [InlineData("/items/k")]
    [InlineData("http://localhost")]
    public void A_target_that_names_no_key_is_refused_with_a_reason(string target)
    {
        var (key, error) = ItemKeyPath.Decode(ContextWith(target), routeValue: "k");

        Assert.Null(key);
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Theory]
    // The in-memory server's decoded route value keeps %2F (in either case) as it was sent.
    [InlineData("a%2Fb", "a/b")]
    [InlineData("a%2fb", "a/b")]
    [InlineData("plain", "plain")]
    public void Without_a_raw_target_the_route_value_is_the_key_with_its_escaped_slashes_decoded(string routeValue, string key)
    {
        Assert.Equal((key, null), ItemKeyPath.Decode(ContextWith(target: null), routeValue));
        // A target in no form this reads (asterisk-form, authority-form) falls back the same way.
        Assert.Equal((key, null), ItemKeyPath.Decode(ContextWith("*"), routeValue));
    }

    [Theory]
    [InlineData("/data/k", "/data/k")]
    [InlineData("/data/k?x=1#f", "/data/k")]
    [InlineData("/data/k#f?x", "/data/k")]
    [InlineData("http://host/data/k?x", "/data/k")]
    [InlineData("http://host:8000", "/")]
    [InlineData("http://host?x", "/")]
    [InlineData("*", null)]
    [InlineData("host:443", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void The_path_of_a_target_is_read_from_origin_and_absolute_form_only(string? target, string? path)
    {
        Assert.Equal(path, RequestTargetPath.PathOf(target));
    }

    [Theory]
    // An absolute-form target gets the path an origin-form one would: every escape but %2F decoded.
    [InlineData("http://localhost/data/a%2Fb", "/data/a/b", "/data/a%2Fb")]
    [InlineData("http://localhost/data/x/../%C3%A9", "/data/é", "/data/é")]
    // Origin-form already has that path.
    [InlineData("/data/a%2Fb", "/data/a%2Fb", "/data/a%2Fb")]
    // An escaped NUL can be in no path: the server's path stays and the key decoder refuses the key.
    [InlineData("http://localhost/data/a%00b", "/data/a\0b", "/data/a\0b")]
    public async Task An_absolute_form_target_is_routed_as_its_origin_form_would_be(string target, string serverPath, string routedPath)
    {
        var context = ContextWith(target);
        context.Request.Path = new PathString(serverPath);
        var reached = false;
        var middleware = new AbsoluteFormPathMiddleware(_ =>
        {
            reached = true;
            return Task.CompletedTask;
        });

        await middleware.InvokeAsync(context);

        Assert.True(reached);
        Assert.Equal(routedPath, context.Request.Path.Value);
    }

    private static DefaultHttpContext ContextWith(string? target)
    {
        var context = new DefaultHttpContext();
        if (target is not null)
        {
            context.Features.Get<IHttpRequestFeature>()!.RawTarget = target;
        }
        return context;
    }
}
