namespace RemapDaemon.Store.Index;

/// <summary>One flow of an index: its key, time range, counts, and its packets' file offsets (LEB128 deltas).</summary>
public sealed class IndexedFlow
{
    private byte[] _positions = new byte[16];
    private long _last;

    public IndexedFlow(FlowKey key) => Key = key;

    public FlowKey Key { get; }
    public ulong FirstNs { get; internal set; }
    public ulong LastNs { get; internal set; }
    public ulong Packets { get; internal set; }
    public ulong WireBytes { get; internal set; }

    /// <summary>The encoded positions (the index's bytes for this flow).</summary>
    public ReadOnlySpan<byte> EncodedPositions => _positions.AsSpan(0, PositionBytes);

    public int PositionBytes { get; private set; }

    internal static IndexedFlow FromEncoded(FlowKey key, byte[] encoded) =>
        new(key) { _positions = encoded, PositionBytes = encoded.Length };

    /// <summary>Appends a packet at <paramref name="offset"/> (not before the last one).</summary>
    internal void Add(ulong timestampNs, long offset, uint wireLength)
    {
        if (Packets == 0)
        {
            FirstNs = timestampNs;
            LastNs = timestampNs;
        }
        else
        {
            FirstNs = Math.Min(FirstNs, timestampNs);
            LastNs = Math.Max(LastNs, timestampNs);
        }

        Packets++;
        WireBytes += wireLength;
        if (_positions.Length - PositionBytes < 10)
        {
            Array.Resize(ref _positions, _positions.Length * 2);
        }

        ulong delta = (ulong)(offset - _last);
        _last = offset;
        int at = PositionBytes;
        while (delta >= 0x80)
        {
            _positions[at++] = (byte)(delta | 0x80);
            delta >>= 7;
        }

        _positions[at++] = (byte)delta;
        PositionBytes = at;
    }

    /// <summary>The offsets, decoded.</summary>
    public IEnumerable<long> Positions()
    {
        long position = 0;
        int at = 0;
        while (at < PositionBytes)
        {
            ulong delta = 0;
            int shift = 0;
            byte b;
            do
            {
                if (at >= PositionBytes || shift > 63)
                {
                    throw new InvalidDataException("index: a position runs past its flow's bytes");
                }

                b = _positions[at++];
                delta |= (ulong)(b & 0x7f) << shift;
                shift += 7;
            }
            while ((b & 0x80) != 0);
            position += (long)delta;
            yield return position;
        }
    }
}
