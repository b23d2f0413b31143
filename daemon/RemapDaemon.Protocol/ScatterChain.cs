using System.Buffers;
using static RemapDaemon.Protocol.Abi.Skbremap;

namespace RemapDaemon.Protocol;

/// <summary>
/// The reusable segment chain behind <see cref="CapturedPacket.Sequence"/>: up to
/// SKBREMAP_MAX_SEGMENTS segments allocated once, re-pointed at each SCATTER packet's runs of
/// the mapping. No allocation per packet; a sequence it built is valid until it builds the next
/// one. Not thread-safe: one chain per capture loop (per <see cref="InfoPageReader"/> in use).
/// </summary>
public sealed class ScatterChain
{
    private readonly Segment[] _segments;

    public ScatterChain()
    {
        _segments = new Segment[SKBREMAP_MAX_SEGMENTS];
        for (int i = 0; i < _segments.Length; i++)
        {
            _segments[i] = new Segment();
        }
    }

    /// <summary>Starts a new packet; previous sequences of this chain become invalid.</summary>
    internal void Reset() => Count = 0;

    internal int Count { get; private set; }

    /// <summary>Appends a run; the caller has checked it lies in the mapping and that there is room.</summary>
    internal void Add(ReadOnlyMemory<byte> run)
    {
        Segment s = _segments[Count];
        long index = Count == 0 ? 0 : _segments[Count - 1].End;
        s.Set(run, index);
        if (Count > 0)
        {
            _segments[Count - 1].Link(s);
        }

        Count++;
    }

    internal ReadOnlySequence<byte> Build()
    {
        Segment last = _segments[Count - 1];
        last.Link(null);
        return new ReadOnlySequence<byte>(_segments[0], 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public long End => RunningIndex + Memory.Length;

        public void Set(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
            Next = null;
        }

        public void Link(Segment? next) => Next = next;
    }
}
