using System.Globalization;
using System.Text;
using Monitoring.DataApi;
using Monitoring.Tests.Infrastructure;

namespace Monitoring.Tests.Reliability;

/// <summary>
/// Generates case <c>i</c> of a run from the seed and <c>i</c> alone, so a failing case replays on its own and the
/// order in which parallel workers take cases does not matter.
/// </summary>
public static class RequestFuzzer
{
    public const int BodyLimit = 1024 * 1024;
    public const int ValueLimit = 64 * 1024;

    // RFC 9110 tchar: what a method token may contain.
    private const string TokenCharacters = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    // CONNECT is left out: HttpClient turns it into a tunnel request.
    private static readonly string[] StandardMethods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE"];

    private static readonly string?[] ContentTypes =
    [
        null, "", "text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
        "application/json; charset=utf-8", "application/json; charset=\"UTF-8\"", "application/json; charset=latin1",
        "application/json; charset=utf-16", "APPLICATION/JSON", "application/problem+json", "application/vnd.example+json",
        "application/json;;;", "application/json; a=b; c", "*/*", "json", "application/", "/json", "application/json\t ",
        "text/json", "application/jsonx", "application/json; charset=", new string('a', 3000),
    ];

    private static readonly string[] Accepts =
    [
        "*/*", "text/plain", "application/xml", "text/html;q=0.9, */*;q=0.1", "application/json", "image/png", ";;;", "*/*;q=abc",
    ];

    private static readonly string[] StringPieces =
    [
        "a", "Z", "0", " ", "é", "中文", "😀", "\\n", "\\\"", "\\\\", "\\u0000", "\\u001f", "\\uD800", "\\uDC00", "\\uD83D\\uDE00",
        "/", "%", "%2F", ".", "..", "\\/", "<script>", "'", "\u00a0", "\ufeff", "\u2028",
    ];

    public static FuzzCase Generate(int seed, int index)
    {
        var random = new Random(unchecked((seed * 1_000_003) + index));
        var fuzzCase = random.Next(100) switch
        {
            < 40 => Post(random, index),
            < 65 => KeyRequest(random, index),
            < 78 => OddRequest(random, index),
            _ => Raw(random, index),
        };
        // Kestrel refuses, before any application code runs, a path whose decoded form holds a NUL, and headers past
        // their total size limit (431): a few long headers together can pass it.
        fuzzCase = fuzzCase with
        {
            KestrelMayRefuse = fuzzCase.KestrelMayRefuse || fuzzCase.Target.Contains("%00", StringComparison.Ordinal) || MayPassHeaderLimit(fuzzCase),
        };
        // Past the limit the server answers 413, and for a request it refuses outright a bare 400, and closes while
        // HttpClient is still writing the body; HttpClient then reports the broken pipe instead of the response. Such
        // requests go on a socket that is read while it is written.
        var answeredBeforeTheBody = fuzzCase.Body?.Length > BodyLimit || (fuzzCase.KestrelMayRefuse && fuzzCase.Body?.Length > 0);
        return fuzzCase.RawRequest is null && answeredBeforeTheBody ? AsRaw(fuzzCase) : fuzzCase;
    }

    /// <summary>
    /// The case's header lines against Kestrel's total limit, less room for the ones the client adds (Host, framing).
    /// Near the limit either answer is right: Kestrel's bare 431 or the application's.
    /// </summary>
    private static bool MayPassHeaderLimit(FuzzCase fuzzCase)
    {
        const int AddedByTheClient = 512;
        var bytes = fuzzCase.Headers.Sum(header => header.Key.Length + header.Value.Length + 4) + (fuzzCase.ContentType?.Length ?? 0);
        return bytes > DataApiLimits.MaxHeadersTotalBytes - AddedByTheClient;
    }

    private static FuzzCase AsRaw(FuzzCase fuzzCase)
    {
        var headers = new List<string> { "Host: 127.0.0.1" };
        headers.AddRange(fuzzCase.Headers.Select(header => $"{header.Key}: {header.Value}"));
        if (fuzzCase.ContentType is { } contentType)
        {
            headers.Add("Content-Type: " + contentType);
        }
        headers.Add(fuzzCase.Chunked ? "Transfer-Encoding: chunked" : "Content-Length: " + fuzzCase.Body!.Length.ToString(CultureInfo.InvariantCulture));
        var body = fuzzCase.Chunked ? Chunk(fuzzCase.Body!) : fuzzCase.Body!;
        return fuzzCase with { RawRequest = RawHttpExchange.Compose($"{fuzzCase.Method} {fuzzCase.Target} HTTP/1.1", headers, body) };
    }

    private static FuzzCase Post(Random random, int index)
    {
        var contentType = random.Next(3) == 0 ? Pick(random, ContentTypes) : "application/json";
        var target = random.Next(10) == 0 ? "/data?" + QueryString(random) : "/data";
        return new FuzzCase(index, "POST", target, RandomHeaders(random), contentType, Body(random, index), Chunked: random.Next(5) == 0,
            RawRequest: null, KestrelMayRefuse: false);
    }

    private static FuzzCase KeyRequest(Random random, int index)
    {
        var method = random.Next(20) switch
        {
            < 10 => "GET",
            < 17 => "DELETE",
            < 18 => "HEAD",
            _ => Pick(random, StandardMethods),
        };
        var target = random.Next(8) switch
        {
            0 => "/data?" + QueryString(random),
            1 => "/data/" + KeySegment(random) + "/" + KeySegment(random),
            2 => "/data/" + KeySegment(random) + "?" + QueryString(random),
            _ => "/data/" + KeySegment(random),
        };
        return new FuzzCase(index, method, target, RandomHeaders(random), null, null, false, null, false);
    }

    /// <summary>Any method token on any path, with a small body of any content type now and then.</summary>
    private static FuzzCase OddRequest(Random random, int index)
    {
        var method = random.Next(2) == 0 ? Pick(random, StandardMethods) : Token(random, 1 + random.Next(24));
        var hasBody = random.Next(3) == 0;
        return new FuzzCase(index, method, RandomPath(random), RandomHeaders(random),
            hasBody ? Pick(random, ContentTypes) : null, hasBody ? Body(random, index) : null, Chunked: hasBody && random.Next(4) == 0, null, false);
    }

    /// <summary>
    /// Bytes HttpClient would not send: broken tokens, control characters and raw non-ASCII in the target, malformed
    /// header lines, conflicting or invalid framing, bare LF, lines past Kestrel's limits. The version is always
    /// HTTP/1.1: another version is answered 505 by Kestrel, a protocol answer rather than a fault.
    /// </summary>
    private static FuzzCase Raw(Random random, int index)
    {
        var invalid = false;
        string method;
        switch (random.Next(10))
        {
            case 0:
                method = Token(random, 1 + random.Next(8)) + (char)Pick(random, "@()<>,;:\\\"/[]?={} \x01\x7f\u00e9"u8.ToArray()) + "X";
                invalid = true;
                break;
            case 1:
                method = string.Empty;
                invalid = true;
                break;
            default:
                method = random.Next(2) == 0 ? Pick(random, StandardMethods) : Token(random, 1 + random.Next(16));
                break;
        }

        string target;
        switch (random.Next(12))
        {
            case 0:
                // Not HTAB, LF or CR: those end the request line early and leave a bad version, which Kestrel answers 505.
                target = "/data/" + string.Concat(RawBytes(random, 1 + random.Next(40), 0x01, 0x1f).Select(c => c is '\t' or '\n' or '\r' ? '\x7f' : c));
                invalid = true;
                break;
            case 1:
                // Kestrel refuses raw non-ASCII bytes in the target: they must be percent-encoded.
                target = "/data/" + RawBytes(random, 1 + random.Next(40), 0x80, 0xff);
                invalid = true;
                break;
            case 2:
                target = "/data/a b";
                invalid = true;
                break;
            case 3:
                target = "/data/" + new string('k', 9 * 1024 + random.Next(8 * 1024));
                invalid = true;
                break;
            case 4:
                target = "data/" + KeySegment(random);
                invalid = true;
                break;
            case 5:
                target = "*";
                invalid = method != "OPTIONS";
                break;
            case 6:
                target = "http://127.0.0.1/data/" + KeySegment(random);
                break;
            case 7:
                target = "/data/" + KeySegment(random) + "#fragment";
                invalid = true;
                break;
            default:
                target = RandomPath(random);
                break;
        }

        var headers = new List<string> { "Host: 127.0.0.1" };
        switch (random.Next(14))
        {
            case 0:
                headers.Add("NoColonHere");
                invalid = true;
                break;
            case 1:
                headers.Add("X-Space : value");
                invalid = true;
                break;
            case 2:
                headers.Add("X-Bad(Name): value");
                invalid = true;
                break;
            case 3:
                headers.Add("X-Control: a" + (char)random.Next(0, 9) + "b");
                invalid = true;
                break;
            case 4:
                headers.Add("X-Folded: a");
                headers.Add(" folded continuation");
                invalid = true;
                break;
            case 5:
                headers.Add("X-Huge: " + new string('h', 33 * 1024 + random.Next(16 * 1024)));
                invalid = true;
                break;
            case 6:
                headers.RemoveAt(0);
                invalid = true;
                break;
            case 7:
                headers.Add("Host: 127.0.0.2");
                invalid = true;
                break;
            case 8:
                // Kestrel refuses non-ASCII header values unless told how to decode them.
                headers.Add("X-Latin1: " + RawBytes(random, 8, 0x80, 0xff));
                invalid = true;
                break;
            default:
                for (var i = random.Next(4); i > 0; i--)
                {
                    headers.Add($"X-{Token(random, 1 + random.Next(12))}: {Printable(random, random.Next(100))}");
                }
                break;
        }

        var body = random.Next(3) == 0 ? Body(random, index) : [];
        if (body.Length > 64 * 1024)
        {
            body = body[..(64 * 1024)];
        }
        if (body.Length > 0 || random.Next(4) == 0)
        {
            headers.Add("Content-Type: " + (random.Next(3) == 0 ? Pick(random, ContentTypes) : "application/json"));
        }
        switch (random.Next(10))
        {
            case 0:
                headers.Add("Content-Length: " + body.Length.ToString(CultureInfo.InvariantCulture));
                headers.Add("Content-Length: " + (body.Length + 1).ToString(CultureInfo.InvariantCulture));
                invalid = true;
                break;
            case 1:
                headers.Add("Content-Length: " + Pick(random, ["-1", "abc", "1e3", "0x10", "99999999999999999999999", " "]));
                invalid = true;
                break;
            case 2:
                headers.Add("Content-Length: " + body.Length.ToString(CultureInfo.InvariantCulture));
                headers.Add("Transfer-Encoding: chunked");
                body = Chunk(body);
                invalid = true;
                break;
            case 3:
                headers.Add("Transfer-Encoding: " + Pick(random, ["gzip", "identity", "chunked, gzip", "bogus"]));
                invalid = true;
                break;
            case 4:
                headers.Add("Transfer-Encoding: chunked");
                body = [.. Encoding.ASCII.GetBytes(Pick(random, ["zz", "-1", "FFFFFFFFFFFFFFFFFFFF", "1;" + new string('e', 5000)]) + "\r\nx\r\n0\r\n\r\n")];
                invalid = true;
                break;
            case 5:
                headers.Add("Transfer-Encoding: chunked");
                body = Chunk(body);
                break;
            default:
                if (body.Length > 0 || random.Next(2) == 0)
                {
                    headers.Add("Content-Length: " + body.Length.ToString(CultureInfo.InvariantCulture));
                }
                break;
        }

        var lineEnd = "\r\n";
        if (random.Next(25) == 0)
        {
            lineEnd = "\n";
            invalid = true;
        }
        var request = RawHttpExchange.Compose($"{method} {target} HTTP/1.1", headers, body, lineEnd);
        return new FuzzCase(index, method, target, [], null, body, false, request, invalid);
    }

    private static byte[] Body(Random random, int index) => random.Next(12) switch
    {
        < 4 => Utf8($$"""{"key":{{JsonString(random, Key(random))}},"value":{{Value(random, 0)}}}"""),
        4 => Utf8(WrongShape(random)),
        5 => Utf8(Value(random, 0)),
        6 => Utf8(Nested(random)),
        7 => Huge(random, index),
        8 => InvalidUtf8(random),
        9 => Utf8(Malformed(random)),
        10 => RandomBytesArray(random, random.Next(2048)),
        _ => [],
    };

    private static string Key(Random random) => random.Next(10) switch
    {
        0 => string.Empty,
        1 => Pick(random, [".", "..", "/", "%2F", "a/b", "a%2Fb", " ", "\\u0001", "\\u007f"]),
        2 => new string('k', 250 + random.Next(12)),
        _ => RandomText(random, 1 + random.Next(20)),
    };

    private static string WrongShape(Random random) => random.Next(8) switch
    {
        0 => $$"""{"key":{{Value(random, 3)}},"value":1}""",
        1 => """{"value":1}""",
        2 => """{"key":"k"}""",
        3 => $$"""{"key":"k","value":1,{{JsonString(random, RandomText(random, 5))}}:2}""",
        4 => """{"key":"a","key":"b","value":1}""",
        5 => """{"KEY":"k","Value":1}""",
        6 => """{}""",
        _ => $$"""{"key":"k","value":{{Value(random, 0)}},"value":2}""",
    };

    private static string Value(Random random, int depth)
    {
        var choice = depth > 4 ? random.Next(6) : random.Next(8);
        switch (choice)
        {
            case 0:
                return JsonString(random, RandomText(random, random.Next(10) == 0 ? 2000 : random.Next(30)));
            case 1:
                return Pick(random, ["0", "-0", "1", "-1", "3.14", "1e308", "1e400", "-1e-400", "123456789012345678901234567890", "0.1e-5"]);
            case 2:
                return "true";
            case 3:
                return "false";
            case 4:
                return "null";
            case 5:
                return random.Next(1_000_000).ToString(CultureInfo.InvariantCulture);
            case 6:
                var members = Enumerable.Range(0, random.Next(6)).Select(i => $"{JsonString(random, RandomText(random, 1 + random.Next(8)) + i)}:{Value(random, depth + 1)}");
                return "{" + string.Join(',', members) + "}";
            default:
                return "[" + string.Join(',', Enumerable.Range(0, random.Next(6)).Select(_ => Value(random, depth + 1))) + "]";
        }
    }

    /// <summary>Around the reader's MaxDepth of 64, and far past it.</summary>
    private static string Nested(Random random)
    {
        var depth = Pick(random, [10, 62, 63, 64, 65, 100, 1000, 10_000, 100_000]);
        var (open, close) = random.Next(2) == 0 ? ("[", "]") : ("{\"a\":", "}");
        var nested = string.Concat(Enumerable.Repeat(open, depth)) + "1" + string.Concat(Enumerable.Repeat(close, depth));
        return random.Next(2) == 0 ? nested : $$"""{"key":"deep","value":{{nested}}}""";
    }

    /// <summary>A value string just under and past 64 KiB, or a whole body just under and past 1 MiB.</summary>
    private static byte[] Huge(Random random, int index)
    {
        var prefix = $$"""{"key":"huge-{{index}}","value":""";
        var total = random.Next(2) == 0
            ? prefix.Length + 2 + ValueLimit + random.Next(-8, 8)
            : BodyLimit + Pick(random, [-1000, -1, 0, 1, 1000, 64 * 1024, BodyLimit / 2]);
        var filler = new string(random.Next(4) == 0 ? ' ' : 'x', Math.Max(0, total - prefix.Length - 2));
        return Utf8(filler[0] == ' ' ? $"{prefix}\"v\"{filler}}}" : $"{prefix}\"{filler}\"}}");
    }

    private static byte[] InvalidUtf8(Random random)
    {
        byte[][] sequences = [[0xff], [0x80], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0xfe, 0xfe]];
        var text = Utf8($$"""{"key":"k{{random.Next(100)}}","value":"abc"}""");
        var position = random.Next(2) == 0 ? 8 : text.Length - 4;
        return [.. text[..position], .. Pick(random, sequences), .. text[position..]];
    }

    private static string Malformed(Random random)
    {
        var valid = $$"""{"key":"m","value":{{Value(random, 2)}}}""";
        return random.Next(10) switch
        {
            0 => valid[..random.Next(valid.Length)],
            1 => """{"key":"m","value":1,}""",
            2 => valid + " trailing",
            3 => """{"key":"m",/* comment */"value":1}""",
            4 => "{'key':'m','value':1}",
            5 => """{"key":"m","value":NaN}""",
            6 => """{"key":"m","value":01}""",
            7 => "\ufeff" + valid,
            8 => valid + valid,
            _ => """{"key":"m","value":"unterminated}""",
        };
    }

    private static List<KeyValuePair<string, string>> RandomHeaders(Random random)
    {
        var headers = new List<KeyValuePair<string, string>>();
        for (var i = random.Next(4); i > 0; i--)
        {
            headers.Add(random.Next(7) switch
            {
                0 => new("Accept", Pick(random, Accepts)),
                1 => new("Accept-Encoding", Pick(random, ["gzip", "br", "identity;q=0", "*"])),
                2 => new("Content-Encoding", Pick(random, ["gzip", "deflate", "bogus"])),
                3 => new("X-" + Token(random, 1 + random.Next(20)), Printable(random, random.Next(10) == 0 ? 8000 : random.Next(60))),
                4 => new("Expect", "100-continue"),
                5 => new("If-None-Match", Printable(random, 10)),
                _ => new("Range", "bytes=" + Printable(random, 8)),
            });
        }
        return headers;
    }

    /// <summary>A path HttpClient can send: printable ASCII, percent-escapes (valid or not), dot segments, any length up to 6,000.</summary>
    private static string RandomPath(Random random)
    {
        var segments = Enumerable.Range(0, 1 + random.Next(6)).Select(_ => random.Next(10) switch
        {
            0 => "data",
            1 => Pick(random, ["DATA", "Data", "health", "metrics", "openapi", "scalar", "v1.json", "ready", "live"]),
            2 => Pick(random, [".", "..", "%2e", "%2E%2E", "...", "~"]),
            3 => string.Empty,
            4 => Pick(random, ["%00", "%ff", "%zz", "%", "%2", "%25", "%2F", "%u0041"]),
            5 => new string('p', 100 + random.Next(5000)),
            _ => KeySegment(random),
        });
        var path = "/" + string.Join('/', segments);
        if (path.Length > 6000)
        {
            path = path[..6000];
        }
        return random.Next(4) == 0 ? path + "?" + QueryString(random) : path;
    }

    private static string KeySegment(Random random)
    {
        var key = random.Next(8) switch
        {
            0 => Pick(random, [".", "..", "%2e", "%2e%2e", "%2F", "a%2Fb", "%252F", "%00", "%zz", "%", "%C3", "%ED%A0%80"]),
            1 => Uri.EscapeDataString(new string('k', 250 + random.Next(20))),
            2 => Uri.EscapeDataString(RandomText(random, 300 + random.Next(1000))),
            _ => Uri.EscapeDataString(RandomText(random, 1 + random.Next(30))),
        };
        return key;
    }

    private static string QueryString(Random random) => string.Join('&', Enumerable.Range(0, 1 + random.Next(3)).Select(_ => random.Next(4) switch
    {
        0 => "limit=" + Pick(random, ["0", "1", "1000", "1001", "-1", "abc", "", "99999999999", "1.5", "%20"]),
        1 => "after=" + Uri.EscapeDataString(RandomText(random, random.Next(300))),
        2 => "limit=1&limit=2",
        _ => Uri.EscapeDataString(RandomText(random, 5)) + "=" + Uri.EscapeDataString(RandomText(random, 5)),
    }));

    /// <summary>Unescaped text built from plain, non-ASCII, control and JSON-escape pieces (valid JSON string content).</summary>
    private static string RandomText(Random random, int pieces)
    {
        var text = new StringBuilder();
        for (var i = 0; i < pieces; i++)
        {
            text.Append(random.Next(3) == 0 ? Pick(random, StringPieces) : ((char)('a' + random.Next(26))).ToString());
        }
        return text.ToString();
    }

    private static string JsonString(Random random, string content) =>
        "\"" + content.Replace("\"", random.Next(2) == 0 ? "\\\"" : "\\u0022", StringComparison.Ordinal) + "\"";

    private static string Token(Random random, int length) =>
        string.Concat(Enumerable.Range(0, length).Select(_ => TokenCharacters[random.Next(TokenCharacters.Length)]));

    private static string Printable(Random random, int length) =>
        string.Concat(Enumerable.Range(0, length).Select(_ => (char)random.Next(0x21, 0x7f)));

    /// <summary>Characters standing for single bytes in the range (see the Latin-1 encoding of a raw request).</summary>
    private static string RawBytes(Random random, int length, int low, int high) =>
        string.Concat(Enumerable.Range(0, length).Select(_ => (char)random.Next(low, high + 1)));

    private static byte[] RandomBytesArray(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Chunk(byte[] body)
    {
        var head = body.Length > 0 ? Encoding.ASCII.GetBytes(body.Length.ToString("x", CultureInfo.InvariantCulture) + "\r\n") : [];
        byte[] middle = body.Length > 0 ? [.. body, (byte)'\r', (byte)'\n'] : [];
        return [.. head, .. middle, .. "0\r\n\r\n"u8];
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];
}
