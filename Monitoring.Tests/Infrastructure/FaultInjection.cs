namespace Monitoring.Tests.Infrastructure;

public static class FaultInjection
{
    /// <summary>A request the DataApi answers with <paramref name="status"/> when FAULT_INJECTION_ENABLED=true.</summary>
    public static HttpRequestMessage Request(HttpMethod method, string path, string status)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("X-Inject-Fault", status);
        return request;
    }
}
