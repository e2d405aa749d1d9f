using System.Buffers;
using System.Text.Json;

namespace Monitoring.DataApi.Endpoints;

/// <summary>
/// The minified UTF-8 JSON of a value that has already been parsed and validated: whitespace between tokens dropped,
/// numbers and literals as sent, strings and property names as UTF-8 with only the escapes JSON requires (quotation
/// mark, reverse solidus, control characters). Non-ASCII text stays UTF-8, as a client sent it, so a value's size is
/// the size of its text, and one value has one stored form however the client escaped it.
/// </summary>
public static class JsonMinifier
{
    // Not a client limit: a value reaches the minifier already parsed within DataApiLimits.MaxRequestJsonDepth.
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 256 };

    /// <exception cref="InvalidOperationException">A string holds an escaped unpaired surrogate (such as \uD800).</exception>
    public static byte[] Minify(ReadOnlySpan<byte> json)
    {
        // Never longer than the input: whitespace is dropped, and no character is written in a longer form than it was sent in.
        var output = ArrayPool<byte>.Shared.Rent(Math.Max(json.Length, 1));
        try
        {
            var written = Minify(json, output);
            return output.AsSpan(0, written).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(output);
        }
    }

    private static int Minify(ReadOnlySpan<byte> json, Span<byte> output)
    {
        var reader = new Utf8JsonReader(json, ReaderOptions);
        var length = 0;
        var afterValue = false;
        while (reader.Read())
        {
            var token = reader.TokenType;
            if (token is JsonTokenType.EndObject or JsonTokenType.EndArray)
            {
                output[length++] = token == JsonTokenType.EndObject ? (byte)'}' : (byte)']';
                afterValue = true;
                continue;
            }
            if (afterValue)
            {
                output[length++] = (byte)',';
            }
            switch (token)
            {
                case JsonTokenType.StartObject:
                    output[length++] = (byte)'{';
                    afterValue = false;
                    break;
                case JsonTokenType.StartArray:
                    output[length++] = (byte)'[';
                    afterValue = false;
                    break;
                case JsonTokenType.PropertyName:
                    length += WriteString(ref reader, output[length..]);
                    output[length++] = (byte)':';
                    afterValue = false;
                    break;
                case JsonTokenType.String:
                    length += WriteString(ref reader, output[length..]);
                    afterValue = true;
                    break;
                default:
                    // Numbers, true, false and null, exactly as sent.
                    reader.ValueSpan.CopyTo(output[length..]);
                    length += reader.ValueSpan.Length;
                    afterValue = true;
                    break;
            }
        }
        return length;
    }

    private static int WriteString(ref Utf8JsonReader reader, Span<byte> output)
    {
        var raw = reader.ValueSpan;
        output[0] = (byte)'"';
        if (!reader.ValueIsEscaped)
        {
            // Unescaped JSON text holds no quotation mark, reverse solidus or control character.
            raw.CopyTo(output[1..]);
            output[raw.Length + 1] = (byte)'"';
            return raw.Length + 2;
        }

        var text = ArrayPool<byte>.Shared.Rent(raw.Length);
        try
        {
            var textLength = reader.CopyString(text);
            var length = 1;
            foreach (var b in text.AsSpan(0, textLength))
            {
                length += Escape(b, output[length..]);
            }
            output[length++] = (byte)'"';
            return length;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(text);
        }
    }

    private static int Escape(byte b, Span<byte> output)
    {
        var shortForm = b switch
        {
            (byte)'"' => (byte)'"',
            (byte)'\\' => (byte)'\\',
            (byte)'\b' => (byte)'b',
            (byte)'\f' => (byte)'f',
            (byte)'\n' => (byte)'n',
            (byte)'\r' => (byte)'r',
            (byte)'\t' => (byte)'t',
            _ => (byte)0,
        };
        if (shortForm != 0)
        {
            output[0] = (byte)'\\';
            output[1] = shortForm;
            return 2;
        }
        if (b < 0x20)
        {
            // \u00XX, as System.Text.Json writes it.
            "\\u00"u8.CopyTo(output);
            output[4] = (byte)"0123456789ABCDEF"[b >> 4];
            output[5] = (byte)"0123456789ABCDEF"[b & 0xF];
            return 6;
        }
        output[0] = b;
        return 1;
    }
}
