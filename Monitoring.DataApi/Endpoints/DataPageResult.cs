using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;
using Monitoring.DataApi.Data;
using Monitoring.DataApi.OpenApi;

namespace Monitoring.DataApi.Endpoints;

/// <summary>
/// 200 with a page of <c>GET /data</c>, in the shape of <see cref="DataPage"/>, written item by item to the response:
/// each stored value is copied as the UTF-8 JSON it was stored as, and the response is flushed every
/// <see cref="FlushThresholdBytes"/>, so that a slow client holds the writer back instead of the page piling up in
/// the server's buffers. Keys are escaped and timestamps formatted as the application's JSON options would.
/// </summary>
public sealed class DataPageResult(StoredPage page) : IResult, IStatusCodeHttpResult, IContentTypeHttpResult, IEndpointMetadataProvider
{
    /// <summary>About four of the server's memory blocks: few enough writes for small items, little held for large ones.</summary>
    private const int FlushThresholdBytes = 16 * 1024;

    private static readonly JsonEncodedText ItemsName = JsonEncodedText.Encode("items");
    private static readonly JsonEncodedText NextCursorName = JsonEncodedText.Encode("nextCursor");

    public StoredPage Page => page;

    public int? StatusCode => StatusCodes.Status200OK;

    public string ContentType => "application/json; charset=utf-8";

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;

        var serializerOptions = httpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var body = response.BodyWriter;
        using var writer = new Utf8JsonWriter(body, StoredItemJson.WriterOptions(serializerOptions));
        var flushedUpTo = 0L;

        writer.WriteStartObject();
        writer.WriteStartArray(ItemsName);
        foreach (var item in page.Items)
        {
            StoredItemJson.Write(writer, item);

            if (writer.BytesCommitted + writer.BytesPending - flushedUpTo >= FlushThresholdBytes)
            {
                writer.Flush();
                flushedUpTo = writer.BytesCommitted;
                var flushed = await body.FlushAsync(httpContext.RequestAborted);
                if (flushed.IsCompleted || flushed.IsCanceled)
                {
                    // The client is gone: the rest of the page has nowhere to go.
                    return;
                }
            }
        }
        writer.WriteEndArray();
        if (page.NextCursor is null)
        {
            writer.WriteNull(NextCursorName);
        }
        else
        {
            writer.WriteString(NextCursorName, page.NextCursor);
        }
        writer.WriteEndObject();
        writer.Flush();
        await body.FlushAsync(httpContext.RequestAborted);
    }

    /// <summary>Documents the response as <see cref="DataPage"/>, as <c>Ok&lt;DataPage&gt;</c> would.</summary>
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(DataPage), ["application/json"]));
    }
}
