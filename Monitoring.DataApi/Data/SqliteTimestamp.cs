using System.Globalization;

namespace Monitoring.DataApi.Data;

/// <summary>Timestamps as the store keeps them: ISO 8601 text in UTC, whose text order is time order.</summary>
internal static class SqliteTimestamp
{
    public static string Format(DateTimeOffset instant) => instant.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    public static DateTimeOffset Parse(string stored) =>
        DateTimeOffset.ParseExact(stored, "O", CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
}
