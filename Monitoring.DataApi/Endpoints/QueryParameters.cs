namespace Monitoring.DataApi.Endpoints;

public static class QueryParameters
{
    /// <summary>
    /// The name of the first parameter given more than once, shortened for a problem's detail; null when there is none.
    /// A repeated parameter is refused rather than joined ("a,b") or one of its values picked: either would answer a
    /// question the client did not ask.
    /// </summary>
    public static string? FirstRepeated(IQueryCollection query)
    {
        foreach (var (name, values) in query)
        {
            if (values.Count > 1)
            {
                return DataProblems.Shorten(name);
            }
        }
        return null;
    }
}
