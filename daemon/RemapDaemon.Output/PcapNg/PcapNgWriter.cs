using System.Buffers.Binary;
using System.Text;
using RemapDaemon.Output.Pcap;
using RemapDaemon.Protocol;

namespace RemapDaemon.Output.PcapNg;

/// <summary>
/// Writes captured packets as a pcapng section (draft-ietf-opsawg-pcapng), which tshark,
/// Wireshark, capinfos and tcpdump read:
/// <list type="bullet">
/// <item>a section header block (SHB) first, with shb_userappl;</item>
/// <item>an interface description block (IDB) the first time an ifindex is seen (or given
/// drops), with if_tsresol = 9 (nanosecond timestamps) and if_name when the name lookup knows it;
/// pcapng interface ids count from 0 in that order;</item>
/// <item>one enhanced packet block (EPB) per packet: interface id, nanosecond timestamp,
/// caplen, wire length, the bytes with the VLAN tag re-inserted like <see cref="PcapWriter"/>;</item>
/// <item>at dispose, one interface statistics block (ISB) per interface: isb_starttime and
/// isb_endtime (the clock when the writer was opened and closed), isb_usrdeliv (packets
/// written for it) and, when <see cref="SetInterfaceDrops"/> was called for it, isb_ifdrop.</item>
/// </list>
/// A section that saw no packet gets an IDB for ifindex 0 at dispose, because libpcap (tcpdump)
/// refuses a pcapng file without one.
/// Blocks are assembled in one pooled buffer: <see cref="Write"/> allocates nothing once an
/// interface has been seen. Not thread-safe: one writer per capture loop.
/// </summary>
public sealed class PcapNgWriter : IPacketWriter, IAsyncDisposable
{
    private const int MinBufferSize = 64 * 1024;

    /// <summary>Largest IDB: fixed part + if_name (up to <see cref="MaxInterfaceNameBytes"/>) + if_tsresol + end.</summary>
    private const int MaxInterfaceNameBytes = 256;

    private readonly RecordBuffer _out;
    private readonly Func<int, string?> _interfaceName;
    private readonly Func<ulong> _clockNs;
    private readonly ulong _startNs;
    private readonly Dictionary<int, InterfaceState> _interfaces = [];
    private readonly List<InterfaceState> _interfacesById = [];
    private InterfaceState? _last;

    /// <param name="output">Where the section goes; written from its current position.</param>
    /// <param name="snaplen">Every IDB's snaplen; 0 means <see cref="PcapFormat.MaximumSnaplen"/> (whole packets).</param>
    /// <param name="linkType">LINKTYPE_* of every interface; VLAN tags are re-inserted only for LINKTYPE_ETHERNET.</param>
    /// <param name="interfaceName">if_name for an ifindex, or null when unknown (then the IDB has no if_name). Called once per interface.</param>
    /// <param name="leaveOpen">Leave <paramref name="output"/> open on dispose.</param>
    /// <param name="clockNs">CLOCK_REALTIME in nanoseconds for isb_starttime/isb_endtime; the system clock by default.</param>
    /// <param name="application">shb_userappl.</param>
    public PcapNgWriter(
        Stream output,
        uint snaplen,
        uint linkType = PcapFormat.LinkTypeEthernet,
        Func<int, string?>? interfaceName = null,
        bool leaveOpen = false,
        Func<ulong>? clockNs = null,
        string application = "remapd")
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(application);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(snaplen, PcapFormat.MaximumSnaplen);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(linkType, (uint)ushort.MaxValue);

        _interfaceName = interfaceName ?? (_ => null);
        _clockNs = clockNs ?? RealtimeClock.NowNs;
        Snaplen = snaplen == 0 ? PcapFormat.MaximumSnaplen : snaplen;
        LinkType = linkType;

        // Any EPB (fixed part + at most Snaplen bytes, padded) fits an empty buffer, and so do the SHB and any IDB.
        _out = new RecordBuffer(output, Math.Max(MinBufferSize, MaxEnhancedPacketSize((int)Snaplen)), leaveOpen, this);
        _startNs = _clockNs();
        WriteSectionHeader(application);
    }

    /// <param name="interfaceNames">if_name by ifindex; an ifindex not in it gets no if_name.</param>
    public PcapNgWriter(Stream output, uint snaplen, IReadOnlyDictionary<int, string> interfaceNames, uint linkType = PcapFormat.LinkTypeEthernet, bool leaveOpen = false)
        : this(output, snaplen, linkType, LookupIn(interfaceNames), leaveOpen)
    {
    }

    /// <summary>The snaplen in every IDB; no packet block holds more.</summary>
    public uint Snaplen { get; }

    public uint LinkType { get; }

    public long PacketsWritten { get; private set; }

    /// <summary>Bytes of the section so far (all blocks), including those still buffered.</summary>
    public long BytesWritten => _out.BytesCommitted;

    /// <summary>Interfaces described so far (IDBs written).</summary>
    public int InterfaceCount => _interfacesById.Count;

    /// <summary>The pcapng interface id of <paramref name="ifindex"/>, or -1 if no IDB describes it yet.</summary>
    public int InterfaceIdOf(int ifindex) => _interfaces.TryGetValue(ifindex, out InterfaceState? s) ? s.Id : -1;

    /// <summary>Appends one enhanced packet block, and first an IDB if the packet's ifindex is new.</summary>
    /// <exception cref="ArgumentException">The packet has more bytes than its wire length.</exception>
    public void Write(in CapturedPacket p)
    {
        _out.ThrowIfDisposed();
        if ((uint)p.Length > p.WireLength)
        {
            throw new ArgumentException("captured length exceeds wire length", nameof(p));
        }

        InterfaceState iface = _last is { } last && last.IfIndex == p.IfIndex ? last : Interface(p.IfIndex);
        _last = iface;

        bool tag = VlanReinsertion.Applies(p, LinkType);
        int caplen = (int)Math.Min(VlanReinsertion.PresentLength(p, tag), Snaplen);
        int blockSize = PcapNgFormat.BlockHeaderSize + PcapNgFormat.EnhancedPacketFixedSize + PcapNgFormat.Pad4(caplen) + PcapNgFormat.BlockTrailerSize;
        Span<byte> block = Reserve(blockSize);

        WriteBlockFrame(block, PcapNgFormat.BlockTypeEnhancedPacket);
        Span<byte> body = block[PcapNgFormat.BlockHeaderSize..];
        BinaryPrimitives.WriteUInt32LittleEndian(body, (uint)iface.Id);
        BinaryPrimitives.WriteUInt32LittleEndian(body[4..], (uint)(p.TimestampNs >> 32));
        BinaryPrimitives.WriteUInt32LittleEndian(body[8..], (uint)p.TimestampNs);
        BinaryPrimitives.WriteUInt32LittleEndian(body[12..], (uint)caplen);
        BinaryPrimitives.WriteUInt32LittleEndian(body[16..], VlanReinsertion.WireLength(p, tag));
        Span<byte> data = body.Slice(PcapNgFormat.EnhancedPacketFixedSize, PcapNgFormat.Pad4(caplen));
        if (caplen >= PcapWriter.DirectWriteMinimum && !tag && !p.IsScattered)
        {
            // As PcapWriter: the block's head is buffered, the data go straight from the window,
            // then the padding and the trailing length.
            Commit(PcapNgFormat.BlockHeaderSize + PcapNgFormat.EnhancedPacketFixedSize);
            _out.WriteDirect(p.Data[..caplen]);
            int tail = PcapNgFormat.Pad4(caplen) - caplen + PcapNgFormat.BlockTrailerSize;
            Span<byte> trailer = Reserve(tail);
            trailer[..^PcapNgFormat.BlockTrailerSize].Clear();
            BinaryPrimitives.WriteUInt32LittleEndian(trailer[^PcapNgFormat.BlockTrailerSize..], (uint)blockSize);
            Commit(tail);
        }
        else
        {
            VlanReinsertion.Copy(p, tag, data[..caplen]);
            data[caplen..].Clear();
            Commit(blockSize);
        }

        iface.Delivered++;
        PacketsWritten++;
    }

    /// <summary>
    /// Records the capture's drop count for <paramref name="ifindex"/> (a running total since
    /// the capture started), written as isb_ifdrop at dispose. Describes the interface now if
    /// no packet of it was written yet, so that drops on a quiet interface are not lost.
    /// </summary>
    public void SetInterfaceDrops(int ifindex, ulong drops)
    {
        _out.ThrowIfDisposed();
        InterfaceState iface = Interface(ifindex);
        iface.Drops = drops;
    }

    /// <summary>
    /// Writes the IDB of <paramref name="ifindex"/> now if it has none yet: for the interface
    /// a capture is bound to, so that a reader sees it before the first packet arrives.
    /// </summary>
    public void DescribeInterface(int ifindex)
    {
        _out.ThrowIfDisposed();
        Interface(ifindex);
    }

    /// <summary>Hands everything buffered to the stream and flushes it.</summary>
    public void Flush() => _out.Flush();

    /// <summary>Writes the interface statistics blocks, flushes, and closes the stream unless left open.</summary>
    public void Dispose()
    {
        if (_out.IsDisposed)
        {
            return;
        }

        try
        {
            WriteStatistics();
        }
        finally
        {
            _out.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_out.IsDisposed)
        {
            return;
        }

        try
        {
            WriteStatistics();
        }
        finally
        {
            await _out.DisposeAsync().ConfigureAwait(false);
        }
    }

    private InterfaceState Interface(int ifindex)
    {
        if (_interfaces.TryGetValue(ifindex, out InterfaceState? known))
        {
            return known;
        }

        var iface = new InterfaceState(ifindex, _interfacesById.Count);
        WriteInterfaceDescription(_interfaceName(ifindex));
        _interfaces.Add(ifindex, iface);
        _interfacesById.Add(iface);
        return iface;
    }

    private void WriteSectionHeader(string application)
    {
        byte[] appl = Encoding.UTF8.GetBytes(application);
        int size = PcapNgFormat.BlockHeaderSize + 16 + OptionSize(appl.Length) + OptionSize(0) + PcapNgFormat.BlockTrailerSize;
        Span<byte> block = Reserve(size);
        WriteBlockFrame(block, PcapNgFormat.BlockTypeSectionHeader);
        Span<byte> body = block[PcapNgFormat.BlockHeaderSize..];
        BinaryPrimitives.WriteUInt32LittleEndian(body, PcapNgFormat.ByteOrderMagic);
        BinaryPrimitives.WriteUInt16LittleEndian(body[4..], PcapNgFormat.VersionMajor);
        BinaryPrimitives.WriteUInt16LittleEndian(body[6..], PcapNgFormat.VersionMinor);
        BinaryPrimitives.WriteInt64LittleEndian(body[8..], PcapNgFormat.SectionLengthUnknown);
        Span<byte> options = body[16..];
        options = WriteOption(options, PcapNgFormat.ShbUserAppl, appl);
        WriteOption(options, PcapNgFormat.OptEndOfOpt, []);
        Commit(size);
    }

    private void WriteInterfaceDescription(string? name)
    {
        byte[]? nameBytes = null;
        if (!string.IsNullOrEmpty(name))
        {
            nameBytes = Encoding.UTF8.GetBytes(name);
            if (nameBytes.Length > MaxInterfaceNameBytes)
            {
                nameBytes = nameBytes[..MaxInterfaceNameBytes];
            }
        }

        int size = PcapNgFormat.BlockHeaderSize + 8
            + (nameBytes is null ? 0 : OptionSize(nameBytes.Length))
            + OptionSize(1) + OptionSize(0) + PcapNgFormat.BlockTrailerSize;
        Span<byte> block = Reserve(size);
        WriteBlockFrame(block, PcapNgFormat.BlockTypeInterfaceDescription);
        Span<byte> body = block[PcapNgFormat.BlockHeaderSize..];
        BinaryPrimitives.WriteUInt16LittleEndian(body, (ushort)LinkType);
        BinaryPrimitives.WriteUInt16LittleEndian(body[2..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(body[4..], Snaplen);
        Span<byte> options = body[8..];
        if (nameBytes is not null)
        {
            options = WriteOption(options, PcapNgFormat.IfName, nameBytes);
        }

        options = WriteOption(options, PcapNgFormat.IfTsResol, [PcapNgFormat.TsResolNanoseconds]);
        WriteOption(options, PcapNgFormat.OptEndOfOpt, []);
        Commit(size);
    }

    private void WriteStatistics()
    {
        // libpcap refuses a section without an IDB ("the capture file has no Interface
        // Description Blocks"): a capture that saw nothing still gets one, for ifindex 0.
        if (_interfacesById.Count == 0)
        {
            Interface(0);
        }

        ulong endNs = _clockNs();
        Span<byte> value = stackalloc byte[8];
        foreach (InterfaceState iface in _interfacesById)
        {
            int size = PcapNgFormat.BlockHeaderSize + 12 + (OptionSize(8) * (iface.Drops.HasValue ? 4 : 3)) + OptionSize(0) + PcapNgFormat.BlockTrailerSize;
            Span<byte> block = Reserve(size);
            WriteBlockFrame(block, PcapNgFormat.BlockTypeInterfaceStatistics);
            Span<byte> body = block[PcapNgFormat.BlockHeaderSize..];
            BinaryPrimitives.WriteUInt32LittleEndian(body, (uint)iface.Id);
            WriteTimestamp(body[4..], endNs);
            Span<byte> options = body[12..];
            WriteTimestamp(value, _startNs);
            options = WriteOption(options, PcapNgFormat.IsbStartTime, value);
            WriteTimestamp(value, endNs);
            options = WriteOption(options, PcapNgFormat.IsbEndTime, value);
            if (iface.Drops is ulong drops)
            {
                BinaryPrimitives.WriteUInt64LittleEndian(value, drops);
                options = WriteOption(options, PcapNgFormat.IsbIfDrop, value);
            }

            BinaryPrimitives.WriteUInt64LittleEndian(value, iface.Delivered);
            options = WriteOption(options, PcapNgFormat.IsbUsrDeliv, value);
            WriteOption(options, PcapNgFormat.OptEndOfOpt, []);
            Commit(size);
        }
    }

    /// <summary>A pcapng timestamp: high 32 bits then low 32 bits, in if_tsresol units (ns).</summary>
    private static void WriteTimestamp(Span<byte> destination, ulong ns)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, (uint)(ns >> 32));
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], (uint)ns);
    }

    /// <summary>Block type and the total length at both ends; the caller fills the body between.</summary>
    private static void WriteBlockFrame(Span<byte> block, uint type)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(block, type);
        BinaryPrimitives.WriteUInt32LittleEndian(block[4..], (uint)block.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(block[^4..], (uint)block.Length);
    }

    private static int OptionSize(int valueLength) => 4 + PcapNgFormat.Pad4(valueLength);

    private static Span<byte> WriteOption(Span<byte> destination, ushort code, scoped ReadOnlySpan<byte> value)
    {
        int size = OptionSize(value.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(destination, code);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[2..], (ushort)value.Length);
        value.CopyTo(destination[4..]);
        destination[(4 + value.Length)..size].Clear();
        return destination[size..];
    }

    private static int MaxEnhancedPacketSize(int snaplen) =>
        PcapNgFormat.BlockHeaderSize + PcapNgFormat.EnhancedPacketFixedSize + PcapNgFormat.Pad4(snaplen) + PcapNgFormat.BlockTrailerSize;

    private Span<byte> Reserve(int size) => _out.Reserve(size);

    private void Commit(int size) => _out.Commit(size);

    private static Func<int, string?> LookupIn(IReadOnlyDictionary<int, string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        return ifindex => names.TryGetValue(ifindex, out string? name) ? name : null;
    }

    /// <summary>One described interface. Owned by the writer; allocated once, when its IDB is written.</summary>
    private sealed class InterfaceState(int ifIndex, int id)
    {
        public int IfIndex { get; } = ifIndex;

        /// <summary>pcapng interface id: the IDB's position in the section.</summary>
        public int Id { get; } = id;

        public ulong Delivered { get; set; }

        public ulong? Drops { get; set; }
    }
}
