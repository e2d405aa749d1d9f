using System.Globalization;
using System.Text;

namespace Monitoring.Tests.Infrastructure;

/// <summary>A response read off the wire; null when the server closed the connection without answering.</summary>
public sealed record RawHttpResponse(int Status, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public static RawHttpResponse? Parse(byte[] bytes)
    {
        var headerEnd = bytes.AsSpan().IndexOf("\r\n\r\n"u8);
        if (headerEnd < 0)
        {
            return null;
        }
        var lines = Encoding.Latin1.GetString(bytes, 0, headerEnd).Split("\r\n");
        // "HTTP/1.1 400 Bad Request"
        var status = int.Parse(lines[0].Split(' ')[1], CultureInfo.InvariantCulture);
        if (status is >= 100 and < 200)
        {
            // An interim response (100 Continue): the final one follows.
            return Parse(bytes[(headerEnd + 4)..]);
        }
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            headers.TryAdd(line[..colon].Trim(), line[(colon + 1)..].Trim());
        }

        var rest = bytes[(headerEnd + 4)..];
        var body = headers.TryGetValue("Transfer-Encoding", out var encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase)
            ? Dechunk(rest)
            : headers.TryGetValue("Content-Length", out var length) ? rest[..Math.Min(rest.Length, int.Parse(length, CultureInfo.InvariantCulture))] : rest;
        return new RawHttpResponse(status, headers, body);
    }

    public string? MediaType => Headers.TryGetValue("Content-Type", out var value) ? value.Split(';')[0].Trim() : null;

    private static byte[] Dechunk(byte[] chunked)
    {
        var body = new MemoryStream();
        var position = 0;
        while (position < chunked.Length)
        {
            var lineEnd = chunked.AsSpan(position).IndexOf("\r\n"u8);
            if (lineEnd < 0)
            {
                break;
            }
            var size = int.Parse(Encoding.ASCII.GetString(chunked, position, lineEnd).Split(';')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            position += lineEnd + 2;
            if (size == 0)
            {
                break;
            }
            body.Write(chunked, position, Math.Min(size, chunked.Length - position));
            position += size + 2;
        }
        return body.ToArray();
    }
}
