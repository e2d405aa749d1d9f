namespace Monitoring.Tests.Infrastructure;

public static class Readiness
{
    /// <summary>
    /// Polls <c>/health/ready</c> until it answers 200. <paramref name="failure"/> is asked on every round and ends the
    /// wait with its message when it returns one (the process exited, say).
    /// </summary>
    public static async Task WaitUntilReadyAsync(HttpClient client, TimeSpan timeout, Func<string?>? failure = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (failure?.Invoke() is { } message)
            {
                Assert.Fail(message);
            }
            try
            {
                using var response = await client.GetAsync("/health/ready");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(100);
        }
        Assert.Fail($"{client.BaseAddress} was not ready within {timeout}");
    }
}
