namespace RemapDaemon.Tests.Support;

/// <summary>A MemoryStream that remembers the size of every write (which writes a writer made, not only what).</summary>
internal sealed class WriteSizeStream : MemoryStream
{
    public List<int> Writes { get; } = [];

    public override void Write(byte[] buffer, int offset, int count)
    {
        Writes.Add(count);
        base.Write(buffer, offset, count);
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Writes.Add(buffer.Length);
        base.Write(buffer);
    }
}
