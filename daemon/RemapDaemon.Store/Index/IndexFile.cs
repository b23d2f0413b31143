using System.Buffers.Binary;
using RemapDaemon.Store.Interop;

namespace RemapDaemon.Store.Index;

/// <summary>A capture file's index as read back (<see cref="IndexFormat"/>).</summary>
public sealed class IndexFile
{
    public required ulong DataSize { get; init; }
    public required ulong FirstNs { get; init; }
    public required ulong LastNs { get; init; }
    public required ulong Packets { get; init; }
    public required uint LinkType { get; init; }
    public required byte Format { get; init; }
    public required IReadOnlyList<IndexedFlow> Flows { get; init; }

    /// <summary>
    /// Writes the index of a complete capture file: hidden (<c>.NAME.idx.part</c>), fsync, then
    /// renamed to <c>NAME.idx</c>. Returns the index's size in bytes.
    /// </summary>
    public static long Write(string dataPath, ulong dataSize, uint linkType, byte format, ulong firstNs, ulong lastNs, ulong packets, IReadOnlyList<IndexedFlow> flows)
    {
        ArgumentNullException.ThrowIfNull(dataPath);
        ArgumentNullException.ThrowIfNull(flows);
        string dir = Path.GetDirectoryName(dataPath)!;
        string final = dataPath + StoreFileName.IndexSuffix;
        string part = Path.Combine(dir, StoreFileName.Hidden(Path.GetFileName(final)));
        long positionBytes = 0;
        foreach (IndexedFlow f in flows)
        {
            positionBytes += f.PositionBytes;
        }

        long size;
        using (var fs = new FileStream(part, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16))
        {
            Span<byte> h = stackalloc byte[IndexFormat.HeaderSize];
            h.Clear();
            BinaryPrimitives.WriteUInt32LittleEndian(h, IndexFormat.Magic);
            BinaryPrimitives.WriteUInt16LittleEndian(h[4..], IndexFormat.Version);
            BinaryPrimitives.WriteUInt16LittleEndian(h[6..], IndexFormat.HeaderSize);
            BinaryPrimitives.WriteUInt64LittleEndian(h[8..], dataSize);
            BinaryPrimitives.WriteUInt64LittleEndian(h[16..], firstNs);
            BinaryPrimitives.WriteUInt64LittleEndian(h[24..], lastNs);
            BinaryPrimitives.WriteUInt64LittleEndian(h[32..], packets);
            BinaryPrimitives.WriteUInt32LittleEndian(h[40..], (uint)flows.Count);
            BinaryPrimitives.WriteUInt32LittleEndian(h[44..], linkType);
            h[48] = format;
            BinaryPrimitives.WriteUInt64LittleEndian(h[56..], (ulong)positionBytes);
            fs.Write(h);

            Span<byte> r = stackalloc byte[IndexFormat.FlowSize];
            foreach (IndexedFlow f in flows)
            {
                r.Clear();
                FlowKey k = f.Key;
                r[0] = k.Kind;
                r[1] = k.Proto;
                r[2] = k.Ihl;
                r[3] = k.Flags;
                BinaryPrimitives.WriteUInt16LittleEndian(r[4..], k.EtherType);
                BinaryPrimitives.WriteUInt16LittleEndian(r[6..], k.VlanTpid);
                BinaryPrimitives.WriteUInt16LittleEndian(r[8..], k.VlanId);
                BinaryPrimitives.WriteUInt16LittleEndian(r[10..], k.PortA);
                BinaryPrimitives.WriteUInt16LittleEndian(r[12..], k.PortB);
                BinaryPrimitives.WriteUInt128BigEndian(r[16..], k.AddrA);
                BinaryPrimitives.WriteUInt128BigEndian(r[32..], k.AddrB);
                BinaryPrimitives.WriteUInt64LittleEndian(r[48..], f.FirstNs);
                BinaryPrimitives.WriteUInt64LittleEndian(r[56..], f.LastNs);
                BinaryPrimitives.WriteUInt64LittleEndian(r[64..], f.Packets);
                BinaryPrimitives.WriteUInt64LittleEndian(r[72..], f.WireBytes);
                BinaryPrimitives.WriteUInt64LittleEndian(r[80..], (ulong)f.PositionBytes);
                fs.Write(r);
            }

            foreach (IndexedFlow f in flows)
            {
                fs.Write(f.EncodedPositions);
            }

            Span<byte> t = stackalloc byte[IndexFormat.TrailerSize];
            t.Clear();
            BinaryPrimitives.WriteUInt32LittleEndian(t, IndexFormat.Magic);
            fs.Write(t);
            fs.Flush(flushToDisk: true);
            size = fs.Length;
        }

        FileSystem.Rename(part, final);
        return size;
    }

    /// <summary>
    /// The time range an index's header gives (64 bytes read), so a query reads the rest only
    /// for files that meet its range; null when there is no index header to read.
    /// </summary>
    public static (ulong FirstNs, ulong LastNs, ulong Packets)? TryReadRange(string indexPath)
    {
        Span<byte> h = stackalloc byte[IndexFormat.HeaderSize];
        try
        {
            using Microsoft.Win32.SafeHandles.SafeFileHandle f = File.OpenHandle(indexPath);
            if (RandomAccess.Read(f, h, 0) != IndexFormat.HeaderSize || BinaryPrimitives.ReadUInt32LittleEndian(h) != IndexFormat.Magic
                || BinaryPrimitives.ReadUInt16LittleEndian(h[4..]) != IndexFormat.Version)
            {
                return null;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return (BinaryPrimitives.ReadUInt64LittleEndian(h[16..]), BinaryPrimitives.ReadUInt64LittleEndian(h[24..]), BinaryPrimitives.ReadUInt64LittleEndian(h[32..]));
    }

    /// <summary>Reads and checks an index; null when it is missing, damaged, or not for a file of <paramref name="dataSize"/> bytes.</summary>
    public static IndexFile? TryRead(string indexPath, long dataSize)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(indexPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return TryParse(bytes, dataSize);
    }

    /// <summary>Parses index bytes, checking every size; null for anything but a valid version-1 index of a <paramref name="dataSize"/>-byte file (-1: any size).</summary>
    public static IndexFile? TryParse(ReadOnlySpan<byte> b, long dataSize)
    {
        if (b.Length < IndexFormat.HeaderSize + IndexFormat.TrailerSize
            || BinaryPrimitives.ReadUInt32LittleEndian(b) != IndexFormat.Magic
            || BinaryPrimitives.ReadUInt16LittleEndian(b[4..]) != IndexFormat.Version
            || BinaryPrimitives.ReadUInt16LittleEndian(b[6..]) != IndexFormat.HeaderSize)
        {
            return null;
        }

        ulong size = BinaryPrimitives.ReadUInt64LittleEndian(b[8..]);
        uint flowCount = BinaryPrimitives.ReadUInt32LittleEndian(b[40..]);
        ulong positionBytes = BinaryPrimitives.ReadUInt64LittleEndian(b[56..]);
        ulong expected = IndexFormat.HeaderSize + (ulong)flowCount * IndexFormat.FlowSize + positionBytes + IndexFormat.TrailerSize;
        if ((dataSize >= 0 && size != (ulong)dataSize) || expected != (ulong)b.Length
            || BinaryPrimitives.ReadUInt32LittleEndian(b[^IndexFormat.TrailerSize..]) != IndexFormat.Magic)
        {
            return null;
        }

        var flows = new List<IndexedFlow>((int)flowCount);
        int positionsAt = IndexFormat.HeaderSize + (int)flowCount * IndexFormat.FlowSize;
        ulong used = 0;
        for (int i = 0; i < flowCount; i++)
        {
            ReadOnlySpan<byte> r = b.Slice(IndexFormat.HeaderSize + (i * IndexFormat.FlowSize), IndexFormat.FlowSize);
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(r[80..]);
            if (length > positionBytes - used)
            {
                return null;
            }

            flows.Add(ReadFlow(r, b.Slice(positionsAt + (int)used, (int)length).ToArray()));
            used += length;
        }

        if (used != positionBytes)
        {
            return null;
        }

        return new IndexFile
        {
            DataSize = size,
            FirstNs = BinaryPrimitives.ReadUInt64LittleEndian(b[16..]),
            LastNs = BinaryPrimitives.ReadUInt64LittleEndian(b[24..]),
            Packets = BinaryPrimitives.ReadUInt64LittleEndian(b[32..]),
            LinkType = BinaryPrimitives.ReadUInt32LittleEndian(b[44..]),
            Format = b[48],
            Flows = flows,
        };
    }

    /// <summary>
    /// The flow table of index bytes (<see cref="IndexFormat.FlowSize"/> bytes per flow, in
    /// table order), without the positions: what the fleet's index record carries. Null when
    /// <paramref name="indexBytes"/> is no valid index.
    /// </summary>
    public static byte[]? FlowTableOf(ReadOnlySpan<byte> indexBytes)
    {
        if (TryParse(indexBytes, -1) is null)
        {
            return null;
        }

        uint flowCount = BinaryPrimitives.ReadUInt32LittleEndian(indexBytes[40..]);
        return indexBytes.Slice(IndexFormat.HeaderSize, (int)flowCount * IndexFormat.FlowSize).ToArray();
    }

    /// <summary>The flows of a flow table (<see cref="FlowTableOf"/>), with no positions; null when its length is no whole number of flows.</summary>
    public static IReadOnlyList<IndexedFlow>? ReadFlowTable(ReadOnlySpan<byte> table)
    {
        if (table.Length % IndexFormat.FlowSize != 0)
        {
            return null;
        }

        var flows = new List<IndexedFlow>(table.Length / IndexFormat.FlowSize);
        for (int at = 0; at < table.Length; at += IndexFormat.FlowSize)
        {
            flows.Add(ReadFlow(table.Slice(at, IndexFormat.FlowSize), []));
        }

        return flows;
    }

    private static IndexedFlow ReadFlow(ReadOnlySpan<byte> r, byte[] positions)
    {
        var key = new FlowKey
        {
            Kind = r[0],
            Proto = r[1],
            Ihl = r[2],
            Flags = r[3],
            EtherType = BinaryPrimitives.ReadUInt16LittleEndian(r[4..]),
            VlanTpid = BinaryPrimitives.ReadUInt16LittleEndian(r[6..]),
            VlanId = BinaryPrimitives.ReadUInt16LittleEndian(r[8..]),
            PortA = BinaryPrimitives.ReadUInt16LittleEndian(r[10..]),
            PortB = BinaryPrimitives.ReadUInt16LittleEndian(r[12..]),
            AddrA = BinaryPrimitives.ReadUInt128BigEndian(r[16..]),
            AddrB = BinaryPrimitives.ReadUInt128BigEndian(r[32..]),
        };
        IndexedFlow flow = IndexedFlow.FromEncoded(key, positions);
        flow.FirstNs = BinaryPrimitives.ReadUInt64LittleEndian(r[48..]);
        flow.LastNs = BinaryPrimitives.ReadUInt64LittleEndian(r[56..]);
        flow.Packets = BinaryPrimitives.ReadUInt64LittleEndian(r[64..]);
        flow.WireBytes = BinaryPrimitives.ReadUInt64LittleEndian(r[72..]);
        return flow;
    }
}
