using System.Buffers;
using RemapDaemon.Protocol;

namespace RemapDaemon.Output;

/// <summary>
/// The output half shared by the capture file writers. Two ways out:
/// <list type="bullet">
/// <item>a <see cref="Stream"/>: records (pcap) or blocks (pcapng) are assembled in one pooled
/// buffer and handed to the stream in large writes;</item>
/// <item>an <see cref="OutputFile"/> of an <see cref="OutputQueue"/> (remapd's files): headers and
/// small packets are copied into the queue's batch, large packets referenced in their window
/// (<see cref="Append"/>), and the queue's writer thread writes them with pwritev.</item>
/// </list>
/// Either way writing a packet allocates nothing. <see cref="Reserve"/> gives room at the end;
/// <see cref="Commit"/> keeps what was written there; <see cref="Append"/> adds bytes that are
/// somewhere else. Not thread-safe: one writer per capture loop.
/// </summary>
internal sealed class RecordBuffer : IDisposable, IAsyncDisposable
{
    private readonly Stream? _output;
    private readonly OutputFile? _file;
    private readonly bool _leaveOpen;
    private readonly object _owner;
    private byte[]? _buffer;
    private bool _closed;
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

    /// <param name="file">The file; closed (on the writer thread) at dispose.</param>
    /// <param name="owner">The writer, named in <see cref="ObjectDisposedException"/>.</param>
    public RecordBuffer(OutputFile file, object owner)
    {
        ArgumentNullException.ThrowIfNull(file);
        _file = file;
        _owner = owner;
    }

    /// <summary>Bytes committed so far, including those still buffered or queued.</summary>
    public long BytesCommitted { get; private set; }

    public bool IsDisposed => _file is null ? _buffer is null : _closed;

    public void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(IsDisposed, _owner);

    /// <summary>Room for <paramref name="size"/> bytes at the end, flushing (or starting a new batch) first if needed.</summary>
    public Span<byte> Reserve(int size)
    {
        if (_file is not null)
        {
            ThrowIfDisposed();
            _file.Queue.ThrowIfFailed();
            return _file.Queue.Reserve(size);
        }

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
        if (_file is not null)
        {
            _file.Queue.Commit(_file, size);
        }
        else
        {
            _used += size;
        }

        BytesCommitted += size;
    }

    /// <summary>
    /// Appends <paramref name="bytes"/>: into a queue, referenced where they lie when the queue
    /// gathers them (<see cref="OutputQueue.Append"/>), else copied; into a stream, copied into the buffer.
    /// </summary>
    public void Append(ReadOnlySpan<byte> bytes)
    {
        if (_file is not null)
        {
            ThrowIfDisposed();
            _file.Queue.ThrowIfFailed();
            _file.Queue.Append(_file, bytes);
            BytesCommitted += bytes.Length;
            return;
        }

        bytes.CopyTo(Reserve(bytes.Length));
        Commit(bytes.Length);
    }

    /// <summary>Appends the first <paramref name="length"/> bytes of <paramref name="p"/>, segment by segment for a SCATTER packet.</summary>
    public void Append(in CapturedPacket p, int length)
    {
        if (!p.IsScattered)
        {
            Append(p.Data[..length]);
            return;
        }

        foreach (ReadOnlyMemory<byte> segment in p.Sequence.Slice(0, length))
        {
            Append(segment.Span);
        }
    }

    /// <summary>Hands everything buffered to the stream and flushes it (a queue: to the writer thread).</summary>
    public void Flush()
    {
        ThrowIfDisposed();
        if (_file is not null)
        {
            _file.Queue.Flush();
            return;
        }

        WriteOut();
        _output!.Flush();
    }

    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        if (_file is not null)
        {
            Flush();
            return;
        }

        byte[] buffer = _buffer ?? throw new ObjectDisposedException(_owner.GetType().Name);
        await _output!.WriteAsync(buffer.AsMemory(0, _used), cancellationToken).ConfigureAwait(false);
        _used = 0;
        await _output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Stream: writes out and flushes what is buffered, returns the buffer, closes the stream
    /// unless left open. Queue: the file is closed once what was queued for it is written.
    /// </summary>
    public void Dispose()
    {
        if (_file is not null)
        {
            if (!_closed)
            {
                _closed = true;
                _file.Queue.Close(_file);
            }

            return;
        }

        byte[]? buffer = _buffer;
        if (buffer is null)
        {
            return;
        }

        try
        {
            WriteOut();
            _output!.Flush();
        }
        finally
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
            if (!_leaveOpen)
            {
                _output!.Dispose();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_file is not null)
        {
            Dispose();
            return;
        }

        byte[]? buffer = _buffer;
        if (buffer is null)
        {
            return;
        }

        try
        {
            await _output!.WriteAsync(buffer.AsMemory(0, _used)).ConfigureAwait(false);
            _used = 0;
            await _output.FlushAsync().ConfigureAwait(false);
        }
        finally
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
            if (!_leaveOpen)
            {
                await _output!.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private void WriteOut()
    {
        if (_used > 0)
        {
            _output!.Write(_buffer!, 0, _used);
            _used = 0;
        }
    }
}
