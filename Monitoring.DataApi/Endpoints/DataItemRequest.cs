using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;

namespace Monitoring.DataApi.Endpoints;

/// <summary>
/// The documented shape of a <c>POST /data</c> body. The endpoint reads the body itself (see
/// <see cref="DataItemRequestReader"/>) so that every malformed body gets a precise problem; this type is what the
/// OpenAPI document shows.
/// </summary>
public sealed record DataItemRequest(
    [property: Required, Description("1 to 256 characters (Unicode scalar values); no control characters, bidirectional controls or byte-order mark; not '.' or '..'.")] string Key,
    [property: Required, Description("Any JSON value (null included), at most 64 KiB once serialized.")] JsonElement Value);
