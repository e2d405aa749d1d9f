using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.ObjectPool;

namespace Monitoring.DataApi.Metrics;

/// <summary>
/// Counts the response body bytes the application writes, whether it writes through the stream, the pipe or
/// SendFile, without buffering or copying them. Writes still go straight to the server's own pipe.
/// </summary>
/// <remarks>
/// The wrappers own nothing: the server's stream and pipe outlive them and are disposed by the server. A feature and
/// its two wrappers are pooled and pointed at each request's server objects in turn, so that counting allocates
/// nothing per request.
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The wrapped stream belongs to the server.")]
internal sealed class CountingResponseBodyFeature : IHttpResponseBodyFeature, IResettable
{
    // Enough for every request in flight on a busy two-core server; beyond it, extra features are simply not kept.
    private static readonly ObjectPool<CountingResponseBodyFeature> Pool =
        new DefaultObjectPool<CountingResponseBodyFeature>(new DefaultPooledObjectPolicy<CountingResponseBodyFeature>(), maximumRetained: 256);

    private readonly CountingPipeWriter _writer = new();
    private readonly CountingStream _stream = new();
    private IHttpResponseBodyFeature _inner = null!;
    private long _sentFileBytes;

    // Pointed at the server's on first use: a response is written through one of them, or none (a 204, a HEAD), and
    // asking the server for the other can itself allocate (a stream-backed feature builds a pipe writer on demand).
    private bool _writerInUse;
    private bool _streamInUse;

    public long BytesWritten => _writer.BytesWritten + _stream.BytesWritten + _sentFileBytes;

    public Stream Stream
    {
        get
        {
            if (!_streamInUse)
            {
                _stream.Target(_inner.Stream);
                _streamInUse = true;
            }
            return _stream;
        }
    }

    public PipeWriter Writer
    {
        get
        {
            if (!_writerInUse)
            {
                _writer.Target(_inner.Writer);
                _writerInUse = true;
            }
            return _writer;
        }
    }

    public static CountingResponseBodyFeature Install(HttpContext context)
    {
        var feature = Pool.Get();
        feature._inner = context.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
        context.Features.Set<IHttpResponseBodyFeature>(feature);
        return feature;
    }

    /// <summary>Puts the server's feature back and returns this one to the pool; it must not be used afterwards.</summary>
    public void Uninstall(HttpContext context)
    {
        if (ReferenceEquals(context.Features.Get<IHttpResponseBodyFeature>(), this))
        {
            context.Features.Set(_inner);
        }
        Pool.Return(this);
    }

    public bool TryReset()
    {
        _inner = null!;
        _sentFileBytes = 0;
        _writerInUse = false;
        _streamInUse = false;
        _writer.Target(null);
        _stream.Target(null);
        return true;
    }

    public void DisableBuffering() => _inner.DisableBuffering();

    public Task StartAsync(CancellationToken cancellationToken = default) => _inner.StartAsync(cancellationToken);

    public Task CompleteAsync() => _inner.CompleteAsync();

    public async Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default)
    {
        await _inner.SendFileAsync(path, offset, count, cancellationToken);
        _sentFileBytes += count ?? new FileInfo(path).Length - offset;
    }

    private sealed class CountingPipeWriter : PipeWriter
    {
        private PipeWriter _target = null!;

        public long BytesWritten { get; private set; }

        public void Target(PipeWriter? writer)
        {
            _target = writer!;
            BytesWritten = 0;
        }

        public override bool CanGetUnflushedBytes => _target.CanGetUnflushedBytes;

        public override long UnflushedBytes => _target.UnflushedBytes;

        public override void Advance(int bytes)
        {
            BytesWritten += bytes;
            _target.Advance(bytes);
        }

        public override Memory<byte> GetMemory(int sizeHint = 0) => _target.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => _target.GetSpan(sizeHint);

        public override void CancelPendingFlush() => _target.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => _target.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => _target.CompleteAsync(exception);

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => _target.FlushAsync(cancellationToken);

        public override ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
        {
            BytesWritten += source.Length;
            return _target.WriteAsync(source, cancellationToken);
        }
    }

    private sealed class CountingStream : Stream
    {
        private Stream _target = null!;

        public long BytesWritten { get; private set; }

        public void Target(Stream? stream)
        {
            _target = stream!;
            BytesWritten = 0;
        }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => _target.CanWrite;

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
            _target.Write(buffer);
        }

        public override void WriteByte(byte value)
        {
            BytesWritten++;
            _target.WriteByte(value);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            BytesWritten += buffer.Length;
            return _target.WriteAsync(buffer, cancellationToken);
        }

        public override void Flush() => _target.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => _target.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
