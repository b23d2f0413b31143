using System.Buffers.Binary;
using RemapDaemon.Protocol;

namespace RemapDaemon.Output.Pcap;

/// <summary>
/// Writes captured packets as a classic pcap file with nanosecond timestamps (magic
/// 0xa1b23c4d, version 2.4), which tcpdump, tshark and Wireshark read. Records are assembled
/// in one pooled buffer and handed to the stream in large writes: <see cref="Write"/>
/// allocates nothing.
/// <para>
/// A packet whose VLAN tag the kernel moved into skb metadata (<see cref="CapturedPacket.HasVlan"/>)
/// gets the 802.1Q tag back after its MAC addresses, as libpcap does for AF_PACKET auxdata;
/// caplen and wirelen grow by 4 and caplen is then cut to the snaplen.
/// </para>
/// <para>Not thread-safe: one writer per capture loop.</para>
/// </summary>
public sealed class PcapWriter : IPacketWriter, IAsyncDisposable
{
    private const int MinBufferSize = 64 * 1024;

    /// <summary>
    /// From this many bytes a packet's data go to the stream straight from the window rather
    /// than through the buffer (<see cref="RecordBuffer.WriteDirect"/>): one more write, one copy
    /// of the packet fewer. tcpdump's stdio does the same from 4 KiB (its buffer).
    /// </summary>
    public const int DirectWriteMinimum = 8192;
    private const uint NanosecondsPerSecond = 1_000_000_000;

    private readonly RecordBuffer _out;

    /// <param name="output">Where the file goes; written from its current position.</param>
    /// <param name="snaplen">The file's snaplen; 0 means <see cref="PcapFormat.MaximumSnaplen"/> (whole packets).</param>
    /// <param name="linkType">LINKTYPE_*; VLAN tags are re-inserted only for LINKTYPE_ETHERNET.</param>
    /// <param name="leaveOpen">Leave <paramref name="output"/> open on dispose.</param>
    public PcapWriter(Stream output, uint snaplen, uint linkType = PcapFormat.LinkTypeEthernet, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(snaplen, PcapFormat.MaximumSnaplen);

        Snaplen = snaplen == 0 ? PcapFormat.MaximumSnaplen : snaplen;
        LinkType = linkType;

        // Any record (header + at most Snaplen bytes) fits an empty buffer.
        _out = new RecordBuffer(output, Math.Max(MinBufferSize, PcapFormat.RecordHeaderSize + (int)Snaplen), leaveOpen, this);

        Span<byte> h = _out.Reserve(PcapFormat.FileHeaderSize);
        BinaryPrimitives.WriteUInt32LittleEndian(h, PcapFormat.MagicNanoseconds);
        BinaryPrimitives.WriteUInt16LittleEndian(h[4..], PcapFormat.VersionMajor);
        BinaryPrimitives.WriteUInt16LittleEndian(h[6..], PcapFormat.VersionMinor);
        BinaryPrimitives.WriteInt32LittleEndian(h[8..], 0);   // thiszone: timestamps are UTC
        BinaryPrimitives.WriteUInt32LittleEndian(h[12..], 0); // sigfigs
        BinaryPrimitives.WriteUInt32LittleEndian(h[16..], Snaplen);
        BinaryPrimitives.WriteUInt32LittleEndian(h[20..], LinkType);
        _out.Commit(PcapFormat.FileHeaderSize);
    }

    /// <summary>The snaplen in the file header; no record is longer.</summary>
    public uint Snaplen { get; }

    public uint LinkType { get; }

    public long PacketsWritten { get; private set; }

    /// <summary>Bytes of the file so far (header and records), including those still buffered.</summary>
    public long BytesWritten => _out.BytesCommitted;

    /// <summary>Appends one record. The packet's bytes are copied out before this returns.</summary>
    /// <exception cref="ArgumentException">The packet has more bytes than its wire length.</exception>
    public void Write(in CapturedPacket p)
    {
        _out.ThrowIfDisposed();
        if ((uint)p.Length > p.WireLength)
        {
            throw new ArgumentException("captured length exceeds wire length", nameof(p));
        }

        bool tag = VlanReinsertion.Applies(p, LinkType);
        long present = VlanReinsertion.PresentLength(p, tag);
        uint wirelen = VlanReinsertion.WireLength(p, tag);

        int caplen = (int)Math.Min(present, Snaplen);
        int recordSize = PcapFormat.RecordHeaderSize + caplen;
        Span<byte> record = _out.Reserve(recordSize);
        ulong ts = p.TimestampNs;
        BinaryPrimitives.WriteUInt32LittleEndian(record, unchecked((uint)(ts / NanosecondsPerSecond)));
        BinaryPrimitives.WriteUInt32LittleEndian(record[4..], (uint)(ts % NanosecondsPerSecond));
        BinaryPrimitives.WriteUInt32LittleEndian(record[8..], (uint)caplen);
        BinaryPrimitives.WriteUInt32LittleEndian(record[12..], wirelen);

        if (caplen >= DirectWriteMinimum && !tag && !p.IsScattered)
        {
            // Only the header is buffered (Reserve asked for the whole record: harmless).
            _out.Commit(PcapFormat.RecordHeaderSize);
            _out.WriteDirect(p.Data[..caplen]);
        }
        else
        {
            VlanReinsertion.Copy(p, tag, record[PcapFormat.RecordHeaderSize..]);
            _out.Commit(recordSize);
        }

        PacketsWritten++;
    }

    /// <summary>Hands everything buffered to the stream and flushes it.</summary>
    public void Flush() => _out.Flush();

    public Task FlushAsync(CancellationToken cancellationToken = default) => _out.FlushAsync(cancellationToken);

    public void Dispose() => _out.Dispose();

    public ValueTask DisposeAsync() => _out.DisposeAsync();
}
