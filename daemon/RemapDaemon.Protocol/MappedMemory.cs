using System.Buffers;

namespace RemapDaemon.Protocol;

/// <summary>
/// Memory&lt;byte&gt; over a native mapping (a region's windows part), so that SCATTER packets can
/// be handed out as <see cref="ReadOnlySequence{T}"/> slices of it without a copy. The owner of
/// the mapping keeps it alive longer than every Memory taken from this; pinning is a no-op
/// (the memory does not move).
/// </summary>
public sealed unsafe class MappedMemory : MemoryManager<byte>
{
    private readonly byte* _base;
    private readonly int _length;

    public MappedMemory(byte* pointer, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        _base = pointer;
        _length = length;
    }

    public override Span<byte> GetSpan() => new(_base, _length);

    public override MemoryHandle Pin(int elementIndex = 0)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)elementIndex, (uint)_length, nameof(elementIndex));
        return new MemoryHandle(_base + elementIndex);
    }

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
    }
}
