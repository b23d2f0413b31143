namespace RemapDaemon.Store;

/// <summary>
/// The capture file's stream under the pcap/pcapng writer: after a write fails (a full disk)
/// every later write and flush does nothing, so the writer can be closed without writing
/// again, and the store cuts the file back to its last whole record itself.
/// </summary>
internal sealed class GuardedStream(FileStream file) : Stream
{
    public FileStream File { get; } = file;

    public bool Failed { get; private set; }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => File.Length;

    public override long Position
    {
        get => File.Position;
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (Failed)
        {
            return;
        }

        try
        {
            File.Write(buffer);
        }
        catch (IOException)
        {
            Failed = true;
            throw;
        }
    }

    public override void Flush()
    {
        if (!Failed)
        {
            File.Flush();
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    // The store closes the file itself (fsync, rename): disposing the writer leaves it open.
}
