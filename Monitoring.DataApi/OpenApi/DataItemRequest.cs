using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Monitoring.DataApi.Endpoints;

namespace Monitoring.DataApi.OpenApi;

/// <summary>
/// The OpenAPI schema of a <c>POST /data</c> body; documentation only, never built. The endpoint reads the body itself
/// (<see cref="ItemBodyReader"/>, into a <see cref="ValidatedItemBody"/>) so that every malformed body gets a
/// precise problem. The descriptions quote <see cref="DataApiLimits.MaxKeyLength"/> and
/// <see cref="DataApiLimits.MaxValueBytes"/>.
/// </summary>
public sealed record DataItemRequest(
    [property: Required, Description("1 to 256 characters (Unicode scalar values); no control characters, bidirectional controls or byte-order mark; not '.' or '..'.")] string Key,
    [property: Required, Description("Any JSON value (null included), at most 64 KiB once serialized.")] JsonElement Value);
