using System.Buffers;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;
using Monitoring.DataApi.Data;
using Monitoring.DataApi.OpenApi;

namespace Monitoring.DataApi.Endpoints;

/// <summary>
/// One item in the shape of <see cref="DataItem"/> (200, or 201 with its Location), written from the stored bytes with
/// a Content-Length: HEAD gets the same headers as GET, and a client knows the size before it reads.
/// </summary>
public sealed class DataItemResult : IResult, IStatusCodeHttpResult, IContentTypeHttpResult, IEndpointMetadataProvider
{
    // The body is framed in a buffer of the thread's, then copied to the server's pipe before anything is awaited, so no
    // other request can use the buffer while this one holds it.
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    private const int MaxKeptBufferBytes = 16 * 1024;

    private readonly StoredItem _item;
    private readonly string? _location;

    private DataItemResult(StoredItem item, int statusCode, string? location)
    {
        _item = item;
        StatusCode = statusCode;
        _location = location;
    }

    public static DataItemResult Ok(StoredItem item) => new(item, StatusCodes.Status200OK, location: null);

    public static DataItemResult Created(StoredItem item, string location) => new(item, StatusCodes.Status201Created, location);

    public StoredItem Item => _item;

    public int? StatusCode { get; }

    public string ContentType => "application/json; charset=utf-8";

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCode!.Value;
        response.ContentType = ContentType;
        if (_location is not null)
        {
            response.Headers.Location = _location;
        }

        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        var serializerOptions = httpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        using (var writer = new Utf8JsonWriter(buffer, StoredItemJson.WriterOptions(serializerOptions)))
        {
            StoredItemJson.Write(writer, _item);
        }
        response.ContentLength = buffer.WrittenCount;
        response.BodyWriter.Write(buffer.WrittenSpan);
        if (buffer.Capacity > MaxKeptBufferBytes)
        {
            // A large value's buffer is not kept: every thread of the pool would end up holding one.
            t_buffer = null;
        }
        return response.BodyWriter.FlushAsync(httpContext.RequestAborted).AsTask();
    }

    /// <summary>Documents a 200 with a <see cref="DataItem"/>; an endpoint that creates adds its 201.</summary>
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(DataItem), ["application/json"]));
    }
}
