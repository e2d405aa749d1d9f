using System.Text;
using System.Text.Json;
using Monitoring.DataApi.Endpoints;

namespace Monitoring.Tests.DataApi;

public sealed class JsonMinifierTests
{
    [Theory]
    // Whitespace between tokens goes; numbers and literals stay as sent.
    [InlineData(" { \"a\" : [ 1 , 2.50 , -0e+3 , true , false , null ] , \"b\" : { } , \"c\" : [ ] } ", """{"a":[1,2.50,-0e+3,true,false,null],"b":{},"c":[]}""")]
    [InlineData("\t\"text with  spaces\"\r\n", "\"text with  spaces\"")]
    [InlineData("[[[ ]],{\"x\":[{}]}]", """[[[]],{"x":[{}]}]""")]
    [InlineData("12345678901234567890123456789", "12345678901234567890123456789")]
    // Non-ASCII text stays UTF-8, whether it was sent as UTF-8 or escaped.
    [InlineData("\"é 日本 😀\"", "\"é 日本 😀\"")]
    [InlineData("\"\\u00e9 \\u65E5\\u672c \\ud83d\\ude00\"", "\"é 日本 😀\"")]
    [InlineData("{\"\\u00e9\":\"\\u0041\\/\"}", "{\"é\":\"A/\"}")]
    // What JSON requires escaped stays escaped, in one form.
    [InlineData("\"\\u0022 \\\" \\u005c \\\\\"", "\"\\\" \\\" \\\\ \\\\\"")]
    [InlineData("\"\\u000a\\n\\t\\r\\b\\f\\u0001\\u001f\\u007f\"", "\"\\n\\n\\t\\r\\b\\f\\u0001\\u001F\u007f\"")]
    public void Minifies_to_one_canonical_utf8_form(string json, string expected)
    {
        var minified = JsonMinifier.Minify(Encoding.UTF8.GetBytes(json));

        Assert.Equal(expected, Encoding.UTF8.GetString(minified));
        // The same value, as a parser reads it.
        using var before = JsonDocument.Parse(json);
        using var after = JsonDocument.Parse(minified);
        Assert.True(JsonElement.DeepEquals(before.RootElement, after.RootElement), Encoding.UTF8.GetString(minified));
    }

    [Fact]
    public void Is_never_longer_than_its_input()
    {
        var json = "\"" + string.Concat(Enumerable.Repeat("\\\"\\\\\\b\\u0001\\ud83d\\ude00x", 100)) + "\"";

        var minified = JsonMinifier.Minify(Encoding.UTF8.GetBytes(json));

        Assert.True(minified.Length <= json.Length, $"{minified.Length} > {json.Length}");
        Assert.Equal(JsonDocument.Parse(json).RootElement.GetString(), JsonDocument.Parse(minified).RootElement.GetString());
    }

    [Theory]
    [InlineData("\"\\ud800\"")]
    [InlineData("{\"a\":[\"ok\",\"\\udc00x\"]}")]
    public void An_escaped_unpaired_surrogate_is_refused(string json) =>
        Assert.Throws<InvalidOperationException>(() => JsonMinifier.Minify(Encoding.UTF8.GetBytes(json)));
}
