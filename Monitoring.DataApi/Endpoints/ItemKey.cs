using System.Text;

namespace Monitoring.DataApi.Endpoints;

/// <summary>
/// The rules of an item key, the same wherever a key arrives: in a <c>POST /data</c> body, in the path of
/// <c>/data/{key}</c> and as the <c>after</c> cursor of <c>GET /data</c>. No path or cursor can name a key that could
/// never have been stored.
/// </summary>
public static class ItemKey
{
    /// <summary>Null when <paramref name="key"/> is a valid key; otherwise what is wrong with it, as a problem's detail.</summary>
    public static string? Validate(string? key)
    {
        if (string.IsNullOrEmpty(key))
        {
            return "'key' must be a non-empty string.";
        }
        var length = 0;
        foreach (var rune in key.EnumerateRunes())
        {
            if (++length > DataApiLimits.MaxKeyLength)
            {
                return $"'key' must be at most {DataApiLimits.MaxKeyLength} characters (Unicode scalar values) long.";
            }
            if (Rune.IsControl(rune))
            {
                return "'key' must not contain control characters.";
            }
            if (IsBidirectionalControlOrByteOrderMark(rune.Value))
            {
                // Invisible, they make a key shown in a log or a UI read as another one.
                return "'key' must not contain bidirectional controls (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069) or a byte-order mark (U+FEFF).";
            }
        }
        if (key is "." or "..")
        {
            // A URL path normalizes these segments away: /data/.. is /, so such a key could never be read back.
            return "'key' must not be '.' or '..'.";
        }
        return null;
    }

    private static bool IsBidirectionalControlOrByteOrderMark(int value) =>
        value is 0x061C or 0x200E or 0x200F or (>= 0x202A and <= 0x202E) or (>= 0x2066 and <= 0x2069) or 0xFEFF;
}
