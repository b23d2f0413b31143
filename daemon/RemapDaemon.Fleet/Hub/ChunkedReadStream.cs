namespace RemapDaemon.Fleet.Hub;

/// <summary>
/// A read-only, forward-only stream over a remote file of known length fetched in chunks on
/// demand (a host's extract through its <c>chunk</c> service). One chunk beyond the one being
/// read is requested ahead, so the next reply is on its way while the merge consumes this
/// one; nothing is requested past the length, because the host deletes the extract once its
/// last byte was fetched.
/// </summary>
public sealed class ChunkedReadStream : Stream
{
    /// <summary>Fetches <c>length</c> bytes at <c>offset</c>; fewer only at the end, empty past it.</summary>
    public delegate Task<ReadOnlyMemory<byte>> ChunkFetch(long offset, int length, CancellationToken cancellationToken);

    private readonly ChunkFetch _fetch;
    private readonly string _name;
    private readonly int _chunkSize;
    private readonly CancellationTokenSource _cancel = new();
    private ReadOnlyMemory<byte> _current;
    private long _position;
    private long _requested;
    private (Task<ReadOnlyMemory<byte>> Reply, int Length)? _ahead;

    /// <param name="fetch">The chunk request.</param>
    /// <param name="length">The remote file's length in bytes.</param>
    /// <param name="name">What is read, for error messages.</param>
    /// <param name="chunkSize">Bytes per request, 1..<see cref="FleetNames.MaxChunk"/>.</param>
    public ChunkedReadStream(ChunkFetch fetch, long length, string name, int chunkSize = FleetNames.MaxChunk)
    {
        ArgumentNullException.ThrowIfNull(fetch);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunkSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(chunkSize, FleetNames.MaxChunk);
        _fetch = fetch;
        Length = length;
        _name = name;
        _chunkSize = chunkSize;
    }

    /// <summary>Chunk requests sent so far.</summary>
    public int Requests { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length { get; }

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        if (_current.IsEmpty && !Next().GetAwaiter().GetResult())
        {
            return 0;
        }

        return Take(buffer);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        if (_current.IsEmpty && !await Next().WaitAsync(cancellationToken).ConfigureAwait(false))
        {
            return 0;
        }

        return Take(buffer.Span);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _cancel.Cancel();
            _ahead?.Reply.ContinueWith(t => _ = t.Exception, TaskScheduler.Default); // an abandoned request's failure is nobody's
            _cancel.Dispose();
        }

        base.Dispose(disposing);
    }

    private int Take(Span<byte> buffer)
    {
        int n = Math.Min(buffer.Length, _current.Length);
        _current.Span[..n].CopyTo(buffer);
        _current = _current[n..];
        _position += n;
        return n;
    }

    /// <summary>The next chunk into <see cref="_current"/>, and the one after it requested; false at the end.</summary>
    private async Task<bool> Next()
    {
        if (_position >= Length)
        {
            return false;
        }

        (Task<ReadOnlyMemory<byte>> reply, int length) = _ahead ?? Request();
        _ahead = null;
        ReadOnlyMemory<byte> chunk = await reply.ConfigureAwait(false);
        if (chunk.IsEmpty)
        {
            throw new InvalidDataException($"{_name}: ended at byte {_position} of {Length}");
        }

        if (chunk.Length != length)
        {
            throw new InvalidDataException($"{_name}: {chunk.Length} bytes at byte {_position} where {length} were asked for");
        }

        _current = chunk;
        if (_requested < Length)
        {
            _ahead = Request();
        }

        return true;
    }

    private (Task<ReadOnlyMemory<byte>> Reply, int Length) Request()
    {
        long offset = _requested;
        int length = (int)Math.Min(_chunkSize, Length - offset);
        _requested += length;
        Requests++;
        return (_fetch(offset, length, _cancel.Token), length);
    }
}
