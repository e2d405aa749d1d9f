using Microsoft.AspNetCore.Http.Features;

namespace Monitoring.DataApi.Metrics;

/// <summary>
/// Counts the bytes read from a request body whose length the headers do not give. When
/// Content-Length is present the server already enforces it, so no wrapper is needed.
/// </summary>
internal sealed class CountingRequestBodyStream(Stream inner) : Stream
{
    public long BytesRead { get; private set; }

    public static CountingRequestBodyStream? InstallIfLengthUnknown(HttpContext context)
    {
        var request = context.Request;
        // Chunked HTTP/1.1 bodies, and HTTP/2 and HTTP/3 bodies sent without Content-Length.
        if (request.ContentLength is not null || context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody != true)
        {
            return null;
        }

        var counting = new CountingRequestBodyStream(request.Body);
        request.Body = counting;
        return counting;
    }

    public void Uninstall(HttpContext context)
    {
        if (ReferenceEquals(context.Request.Body, this))
        {
            context.Request.Body = inner;
        }
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

    public override int Read(Span<byte> buffer) => Count(inner.Read(buffer));

    public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Count(await inner.ReadAsync(buffer.AsMemory(offset, count), cancellationToken));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await inner.ReadAsync(buffer, cancellationToken));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private int Count(int read)
    {
        BytesRead += read;
        return read;
    }
}
