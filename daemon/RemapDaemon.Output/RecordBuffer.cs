using System.Buffers;

namespace RemapDaemon.Output;

/// <summary>
/// The output half shared by the capture file writers: records (pcap) or blocks (pcapng) are
/// assembled in one pooled buffer and handed to the stream in large writes, so writing a
/// packet allocates nothing. <see cref="Reserve"/> gives room at the end (flushing first when
/// the buffer is full); <see cref="Commit"/> keeps what was written there.
/// Not thread-safe: one writer per capture loop.
/// </summary>
internal sealed class RecordBuffer : IDisposable, IAsyncDisposable
{
    private readonly Stream _output;
    private readonly bool _leaveOpen;
    private readonly object _owner;
    private byte[]? _buffer;
    private int _used;

    /// <param name="output">The stream; must be writable.</param>
    /// <param name="capacity">At least the largest record, so any record fits an empty buffer.</param>
    /// <param name="leaveOpen">Leave <paramref name="output"/> open on dispose.</param>
    /// <param name="owner">The writer, named in <see cref="ObjectDisposedException"/>.</param>
    public RecordBuffer(Stream output, int capacity, bool leaveOpen, object owner)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (!output.CanWrite)
        {
            throw new ArgumentException("stream is not writable", nameof(output));
        }

        _output = output;
        _leaveOpen = leaveOpen;
        _owner = owner;
        _buffer = ArrayPool<byte>.Shared.Rent(capacity);
    }

    /// <summary>Bytes committed so far, including those still buffered.</summary>
    public long BytesCommitted { get; private set; }

    public bool IsDisposed => _buffer is null;

    public void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_buffer is null, _owner);

    /// <summary>Room for <paramref name="size"/> bytes at the end of the buffer, flushing first if needed.</summary>
    public Span<byte> Reserve(int size)
    {
        byte[] buffer = _buffer ?? throw new ObjectDisposedException(_owner.GetType().Name);
        if (buffer.Length - _used < size)
        {
            WriteOut();
        }

        return buffer.AsSpan(_used, size);
    }

    /// <summary>Keeps the <paramref name="size"/> bytes last written into <see cref="Reserve"/>'s span.</summary>
    public void Commit(int size)
    {
        _used += size;
        BytesCommitted += size;
    }

    /// <summary>
    /// Appends <paramref name="bytes"/> without copying them into the buffer: what is buffered
    /// goes to the stream first, then <paramref name="bytes"/> straight from where they are
    /// (a large packet, from the mapped window), as stdio's fwrite does for a chunk larger
    /// than its buffer. Two writes, no copy in user space.
    /// </summary>
    public void WriteDirect(ReadOnlySpan<byte> bytes)
    {
        ThrowIfDisposed();
        WriteOut();
        _output.Write(bytes);
        BytesCommitted += bytes.Length;
    }

    /// <summary>Hands everything buffered to the stream and flushes it.</summary>
    public void Flush()
    {
        ThrowIfDisposed();
        WriteOut();
        _output.Flush();
    }

    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        byte[] buffer = _buffer ?? throw new ObjectDisposedException(_owner.GetType().Name);
        await _output.WriteAsync(buffer.AsMemory(0, _used), cancellationToken).ConfigureAwait(false);
        _used = 0;
        await _output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes out and flushes what is buffered, returns the buffer, closes the stream unless left open.</summary>
    public void Dispose()
    {
        byte[]? buffer = _buffer;
        if (buffer is null)
        {
            return;
        }

        try
        {
            WriteOut();
            _output.Flush();
        }
        finally
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
            if (!_leaveOpen)
            {
                _output.Dispose();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        byte[]? buffer = _buffer;
        if (buffer is null)
        {
            return;
        }

        try
        {
            await _output.WriteAsync(buffer.AsMemory(0, _used)).ConfigureAwait(false);
            _used = 0;
            await _output.FlushAsync().ConfigureAwait(false);
        }
        finally
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
            if (!_leaveOpen)
            {
                await _output.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private void WriteOut()
    {
        if (_used > 0)
        {
            _output.Write(_buffer!, 0, _used);
            _used = 0;
        }
    }
}
