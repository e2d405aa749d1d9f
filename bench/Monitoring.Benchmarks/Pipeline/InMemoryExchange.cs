using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace Monitoring.Benchmarks.Pipeline;

/// <summary>One request to <see cref="InMemoryServer"/> and its response: the features Kestrel gives an application.</summary>
internal sealed class InMemoryExchange
{
    public InMemoryExchange(string method, string path)
    {
        Request = new HttpRequestFeature
        {
            Protocol = HttpProtocol.Http11,
            Scheme = Uri.UriSchemeHttp,
            Method = method,
            Path = path,
            RawTarget = path,
            Headers = new HeaderDictionary { [HeaderNames.Host] = "localhost" },
        };
        Features.Set<IHttpRequestFeature>(Request);
        Features.Set<IHttpResponseFeature>(Response);
        Features.Set<IHttpResponseBodyFeature>(Response);
        Features.Set<IHttpRequestLifetimeFeature>(Lifetime);
    }

    public InMemoryFeatures Features { get; } = new();

    public HttpRequestFeature Request { get; }

    public InMemoryResponse Response { get; } = new();

    private HttpRequestLifetimeFeature Lifetime { get; } = new();

    public int StatusCode => Response.StatusCode;

    public string BodyText => Encoding.UTF8.GetString(Response.BodyBytes);
}
