using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;

namespace Monitoring.DataApi.Metrics;

/// <summary>
/// Counts the response body bytes the application writes, whether it writes through the stream, the pipe or
/// SendFile, without buffering or copying them. Writes still go straight to the server's own pipe.
/// </summary>
/// <remarks>The wrappers own nothing: the server's stream and pipe outlive them and are disposed by the server.</remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The wrapped stream belongs to the server.")]
internal sealed class CountingResponseBodyFeature : IHttpResponseBodyFeature
{
    private readonly IHttpResponseBodyFeature _inner;
    private long _sentFileBytes;

    // Created on first use: a response is written through one of them, or none (a 204, a HEAD), and asking the
    // server for the other can itself allocate (a stream-backed feature builds a pipe writer on demand).
    private CountingPipeWriter? _writer;
    private CountingStream? _stream;

    private CountingResponseBodyFeature(IHttpResponseBodyFeature inner) => _inner = inner;

    public long BytesWritten => (_writer?.BytesWritten ?? 0) + (_stream?.BytesWritten ?? 0) + _sentFileBytes;

    public Stream Stream => _stream ??= new CountingStream(_inner.Stream);

    public PipeWriter Writer => _writer ??= new CountingPipeWriter(_inner.Writer);

    public static CountingResponseBodyFeature Install(HttpContext context)
    {
        var feature = new CountingResponseBodyFeature(context.Features.GetRequiredFeature<IHttpResponseBodyFeature>());
        context.Features.Set<IHttpResponseBodyFeature>(feature);
        return feature;
    }

    public void Uninstall(HttpContext context)
    {
        if (ReferenceEquals(context.Features.Get<IHttpResponseBodyFeature>(), this))
        {
            context.Features.Set(_inner);
        }
    }

    public void DisableBuffering() => _inner.DisableBuffering();

    public Task StartAsync(CancellationToken cancellationToken = default) => _inner.StartAsync(cancellationToken);

    public Task CompleteAsync() => _inner.CompleteAsync();

    public async Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default)
    {
        await _inner.SendFileAsync(path, offset, count, cancellationToken);
        _sentFileBytes += count ?? new FileInfo(path).Length - offset;
    }

    private sealed class CountingPipeWriter(PipeWriter inner) : PipeWriter
    {
        public long BytesWritten { get; private set; }

        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

        public override long UnflushedBytes => inner.UnflushedBytes;

        public override void Advance(int bytes)
        {
            BytesWritten += bytes;
            inner.Advance(bytes);
        }

        public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);

        public override ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
        {
            BytesWritten += source.Length;
            return inner.WriteAsync(source, cancellationToken);
        }
    }

    private sealed class CountingStream(Stream inner) : Stream
    {
        public long BytesWritten { get; private set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => inner.CanWrite;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            BytesWritten += buffer.Length;
            inner.Write(buffer);
        }

        public override void WriteByte(byte value)
        {
            BytesWritten++;
            inner.WriteByte(value);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            BytesWritten += buffer.Length;
            return inner.WriteAsync(buffer, cancellationToken);
        }

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
