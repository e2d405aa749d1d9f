using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Monitoring.Benchmarks.Pipeline;

/// <summary>
/// A response kept in memory, with Kestrel's rules for starting it: the <c>OnStarting</c> callbacks run, last
/// registered first, before the first body byte or at completion, and the headers are read-only from then on.
/// </summary>
internal sealed class InMemoryResponse : IHttpResponseFeature, IHttpResponseBodyFeature
{
    private readonly MemoryStream _body = new();
    private readonly Stack<(Func<object, Task> Callback, object State)> _onStarting = new();
    private readonly Stack<(Func<object, Task> Callback, object State)> _onCompleted = new();
    private readonly StartingStream _stream;
    private PipeWriter? _writer;

    public InMemoryResponse() => _stream = new StartingStream(this, _body);

    public int StatusCode { get; set; } = StatusCodes.Status200OK;

    public string? ReasonPhrase { get; set; }

    public IHeaderDictionary Headers { get; set; } = new HeaderDictionary();

    [Obsolete("Use IHttpResponseBodyFeature.Stream.")]
    public Stream Body
    {
        get => _stream;
        set => throw new NotSupportedException("Replace the IHttpResponseBodyFeature instead.");
    }

    public bool HasStarted { get; private set; }

    public Stream Stream => _stream;

    public PipeWriter Writer => _writer ??= PipeWriter.Create(_stream, new StreamPipeWriterOptions(leaveOpen: true));

    public ReadOnlySpan<byte> BodyBytes => _body.GetBuffer().AsSpan(0, (int)_body.Length);

    public void OnStarting(Func<object, Task> callback, object state) => _onStarting.Push((callback, state));

    public void OnCompleted(Func<object, Task> callback, object state) => _onCompleted.Push((callback, state));

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (HasStarted)
        {
            return;
        }
        while (_onStarting.TryPop(out var starting))
        {
            await starting.Callback(starting.State);
        }
        HasStarted = true;
        ((HeaderDictionary)Headers).IsReadOnly = true;
    }

    public async Task CompleteAsync()
    {
        await StartAsync();
        if (_writer is not null)
        {
            await _writer.FlushAsync();
        }
    }

    public async Task FireOnCompletedAsync()
    {
        while (_onCompleted.TryPop(out var completed))
        {
            await completed.Callback(completed.State);
        }
    }

    public void DisableBuffering()
    {
    }

    public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) =>
        SendFileFallback.SendFileAsync(_stream, path, offset, count, cancellationToken);

    /// <summary>The body: the first write starts the response.</summary>
    private sealed class StartingStream(InMemoryResponse response, MemoryStream body) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => body.Length;
        public override long Position { get => body.Position; set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (!response.HasStarted)
            {
                response.StartAsync().GetAwaiter().GetResult();
            }
            body.Write(buffer);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (!response.HasStarted)
            {
                await response.StartAsync(cancellationToken);
            }
            body.Write(buffer.Span);
        }

        public override void Flush()
        {
        }

        public override Task FlushAsync(CancellationToken cancellationToken) =>
            response.HasStarted ? Task.CompletedTask : response.StartAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
