namespace Monitoring.DataApi.Endpoints;

public static class HeadRequests
{
    /// <summary>
    /// Answers HEAD wherever GET is, as HTTP requires: the same endpoint runs and the server sends its status and headers
    /// without the body. The last method metadata is the one routing matches on, so this replaces MapGet's.
    /// </summary>
    public static TBuilder AllowHead<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new HttpMethodMetadata([HttpMethods.Get, HttpMethods.Head]));
}
