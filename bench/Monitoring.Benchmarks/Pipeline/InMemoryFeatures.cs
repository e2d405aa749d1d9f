using System.Collections;
using Microsoft.AspNetCore.Http.Features;

namespace Monitoring.Benchmarks.Pipeline;

/// <summary>
/// A request's features the way Kestrel keeps them: the server's own in fields, found by a type comparison, anything
/// the application adds in a dictionary. A middleware that swaps a feature bumps <see cref="Revision"/>, and the
/// context looks its features up again, at the cost it would have on Kestrel rather than a dictionary's.
/// </summary>
internal sealed class InMemoryFeatures : IFeatureCollection
{
    private object? _request;
    private object? _response;
    private object? _responseBody;
    private object? _lifetime;
    private Dictionary<Type, object>? _others;

    public bool IsReadOnly => false;

    public int Revision { get; private set; }

    public object? this[Type key]
    {
        get =>
            key == typeof(IHttpRequestFeature) ? _request
            : key == typeof(IHttpResponseFeature) ? _response
            : key == typeof(IHttpResponseBodyFeature) ? _responseBody
            : key == typeof(IHttpRequestLifetimeFeature) ? _lifetime
            : _others?.GetValueOrDefault(key);
        set
        {
            Revision++;
            if (key == typeof(IHttpRequestFeature))
            {
                _request = value;
            }
            else if (key == typeof(IHttpResponseFeature))
            {
                _response = value;
            }
            else if (key == typeof(IHttpResponseBodyFeature))
            {
                _responseBody = value;
            }
            else if (key == typeof(IHttpRequestLifetimeFeature))
            {
                _lifetime = value;
            }
            else if (value is null)
            {
                _others?.Remove(key);
            }
            else
            {
                (_others ??= [])[key] = value;
            }
        }
    }

    public TFeature? Get<TFeature>() => (TFeature?)this[typeof(TFeature)];

    public void Set<TFeature>(TFeature? instance) => this[typeof(TFeature)] = instance;

    public IEnumerator<KeyValuePair<Type, object>> GetEnumerator()
    {
        (Type Type, object? Feature)[] own =
        [
            (typeof(IHttpRequestFeature), _request), (typeof(IHttpResponseFeature), _response),
            (typeof(IHttpResponseBodyFeature), _responseBody), (typeof(IHttpRequestLifetimeFeature), _lifetime),
        ];
        foreach (var (type, feature) in own)
        {
            if (feature is not null)
            {
                yield return new(type, feature);
            }
        }
        foreach (var other in _others ?? [])
        {
            yield return other;
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
