using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using RemapDaemon.Protocol.Abi;
using static RemapDaemon.Protocol.Abi.Skbremap;

namespace RemapDaemon.Protocol;

/// <summary>
/// Walks the entries of one published window. The structs are read through the C# mirror of
/// skbremap.h (checked against the header by gcc), so the header stays the only definition
/// of the layout; nothing is copied to the heap and nothing is allocated.
/// <para>
/// Every kernel-written number is checked before it is used as an index: the header once in
/// <see cref="TryOpen"/>, each entry in <see cref="TryReadNext"/>. Arithmetic on them is done
/// in 64 bits from 32-bit inputs, so it cannot overflow. A bad entry ends the walk for good:
/// the window is suspect and the caller should count it and release it.
/// </para>
/// <para>
/// The ABI is host-endian (x86-64 and arm64 are little-endian); only protocol and vlan_proto
/// are in network order and are converted here.
/// </para>
/// </summary>
public ref struct InfoPageReader
{
    private static readonly int HdrSize = Unsafe.SizeOf<skbremap_info_hdr>();
    private static readonly int EntrySize = Unsafe.SizeOf<skbremap_info_entry>();

    private readonly ReadOnlySpan<byte> _info;
    private readonly ReadOnlySpan<byte> _data;
    private readonly WindowGeometry _geo;
    private readonly long _usedBytes;
    private ReadOnlyMemory<byte> _dataMemory;
    private ScatterChain? _chain;
    private uint _next;
    private InfoPageError _failed;

    private InfoPageReader(ReadOnlySpan<byte> info, ReadOnlySpan<byte> data, scoped in WindowGeometry geo, scoped in skbremap_info_hdr hdr)
    {
        _info = info;
        _data = data;
        _geo = geo;
        Sequence = hdr.seq;
        Count = hdr.count;
        Drops = hdr.drops;
        Flags = hdr.flags;
        PagesUsed = hdr.pages_used;
        _usedBytes = (long)hdr.pages_used * geo.PageSize;
        _next = 0;
        _failed = InfoPageError.None;
    }

    /// <summary>skbremap_info_hdr.seq: 1, 2, 3, ... in publish order.</summary>
    public ulong Sequence { get; }

    /// <summary>Entries in this window (checked against info_entries_max).</summary>
    public uint Count { get; }

    /// <summary>Packets dropped between the previous window and this one.</summary>
    public ulong Drops { get; }

    /// <summary>SKBREMAP_INFO_*: why the window was published (full, retired, flushed).</summary>
    public uint Flags { get; }

    /// <summary>Data pages holding packet data (checked against pages_per_window).</summary>
    public uint PagesUsed { get; }

    /// <summary>
    /// Checks the info page of <paramref name="window"/>: the whole mapped window, info pages
    /// followed by the data pages, as a span over the mapping (bytes past
    /// <see cref="WindowGeometry.WindowBytes"/> are ignored).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="geo"/> itself is inconsistent (a caller bug, not kernel input).</exception>
    public static InfoPageError TryOpen(ReadOnlySpan<byte> window, in WindowGeometry geo, uint expectedWindowIndex, out InfoPageReader reader)
    {
        reader = default;
        geo.Validate();
        if (window.Length < geo.WindowBytes)
        {
            return InfoPageError.TooSmall;
        }

        ReadOnlySpan<byte> info = window[..geo.InfoBytes];
        ReadOnlySpan<byte> data = window.Slice(geo.InfoBytes, geo.DataBytes);
        skbremap_info_hdr hdr = MemoryMarshal.Read<skbremap_info_hdr>(info);

        if (hdr.magic != SKBREMAP_INFO_MAGIC)
        {
            return InfoPageError.BadMagic;
        }

        if (hdr.abi_version != SKBREMAP_ABI_VERSION)
        {
            return InfoPageError.BadAbiVersion;
        }

        if (hdr.window != expectedWindowIndex)
        {
            return InfoPageError.WrongWindow;
        }

        if (hdr.count > (uint)geo.InfoEntriesMax)
        {
            return InfoPageError.CountTooLarge;
        }

        if (hdr.pages_used > (uint)geo.PagesPerWindow)
        {
            return InfoPageError.PagesUsedTooLarge;
        }

        // The three reserved u64 after 'window'.
        int reservedAt = HdrSize - (3 * sizeof(ulong));
        if (!IsZero(info.Slice(reservedAt, 3 * sizeof(ulong))))
        {
            return InfoPageError.HeaderReservedNotZero;
        }

        reader = new InfoPageReader(info, data, geo, hdr);
        return InfoPageError.None;
    }

    /// <summary>
    /// As <see cref="TryOpen(ReadOnlySpan{byte}, in WindowGeometry, uint, out InfoPageReader)"/>,
    /// over the window as memory, so that SCATTER packets can be handed out as
    /// <see cref="CapturedPacket.Sequence"/> slices of it; <paramref name="chain"/> is reused for
    /// their segments (a sequence is valid until the next SCATTER packet is read).
    /// </summary>
    public static InfoPageError TryOpen(ReadOnlyMemory<byte> window, in WindowGeometry geo, uint expectedWindowIndex, ScatterChain chain, out InfoPageReader reader)
    {
        ArgumentNullException.ThrowIfNull(chain);
        InfoPageError error = TryOpen(window.Span, geo, expectedWindowIndex, out reader);
        if (error == InfoPageError.None)
        {
            reader._dataMemory = window.Slice(geo.InfoBytes, geo.DataBytes);
            reader._chain = chain;
        }

        return error;
    }

    /// <summary>
    /// The next packet. False at the end of the window (<paramref name="error"/> None) or on a
    /// bad entry (<paramref name="error"/> says which check failed; every later call fails the
    /// same way). On success <see cref="CapturedPacket.Data"/> lies inside the first
    /// pages_used data pages of the window.
    /// </summary>
    public bool TryReadNext(out CapturedPacket packet, out InfoPageError error)
    {
        packet = default;
        error = _failed;
        if (error != InfoPageError.None || _next >= Count)
        {
            return false;
        }

        // _next < Count <= InfoEntriesMax, and the geometry guarantees that many entries fit.
        skbremap_info_entry e = EntryAt(_next);
        ReadOnlySequence<byte> sequence = default;
        long start = 0;
        if ((e.flags & SKBREMAP_PKT_SCATTER) != 0)
        {
            error = CheckScatter(e, out sequence);
        }
        else if ((e.flags & SKBREMAP_PKT_SEGMENT) != 0)
        {
            error = InfoPageError.SegmentOutOfPlace;
        }
        else if (e.segments != 0)
        {
            error = InfoPageError.SegmentsWithoutScatter;
        }
        else
        {
            error = Check(e, out start);
        }

        if (error != InfoPageError.None)
        {
            _failed = error;
            return false;
        }

        _next += 1 + e.segments;
        packet = new CapturedPacket
        {
            Data = e.segments == 0 ? _data.Slice((int)start, (int)e.caplen) : default,
            Sequence = sequence,
            WireLength = e.wirelen,
            TimestampNs = e.tstamp_ns,
            IfIndex = e.ifindex,
            Protocol = NetworkToHost(e.protocol),
            PacketType = e.pkttype,
            Path = e.path,
            VlanTci = e.vlan_tci,
            VlanProto = NetworkToHost(e.vlan_proto),
            Flags = e.flags,
        };
        return true;
    }

    private readonly skbremap_info_entry EntryAt(uint index) =>
        MemoryMarshal.Read<skbremap_info_entry>(_info.Slice(HdrSize + ((int)index * EntrySize), EntrySize));

    /// <summary>
    /// A SCATTER head and its segment entries (uapi header, "Scatter"): the head's own fields as
    /// an entry's, then each segment's run as an entry's data, in 64-bit sums.
    /// </summary>
    private readonly InfoPageError CheckScatter(in skbremap_info_entry e, out ReadOnlySequence<byte> sequence)
    {
        sequence = default;
        if (_chain is null)
        {
            return InfoPageError.ScatterNeedsMemory;
        }

        if (e.page != 0 || e.offset != 0)
        {
            return InfoPageError.ScatterHeadNotEmpty;
        }

        if (e.segments < 2 || e.segments > SKBREMAP_MAX_SEGMENTS || (ulong)_next + 1 + e.segments > Count)
        {
            return InfoPageError.ScatterSegmentCount;
        }

        InfoPageError error = CheckLengths(e);
        if (error != InfoPageError.None)
        {
            return error;
        }

        _chain.Reset();
        long sum = 0;
        for (uint i = 1; i <= e.segments; i++)
        {
            skbremap_info_entry s = EntryAt(_next + i);
            if (s.flags != SKBREMAP_PKT_SEGMENT)
            {
                return (s.flags & SKBREMAP_PKT_SEGMENT) == 0 ? InfoPageError.SegmentOutOfPlace : InfoPageError.SegmentFieldsNotZero;
            }

            if (s.wirelen != 0 || s.tstamp_ns != 0 || s.ifindex != 0 || s.protocol != 0 || s.pkttype != 0
                || s.vlan_tci != 0 || s.vlan_proto != 0 || s.segments != 0 || s.reserved != 0)
            {
                return InfoPageError.SegmentFieldsNotZero;
            }

            error = CheckRun(s.page, s.offset, s.caplen, out long start);
            if (error != InfoPageError.None)
            {
                return error;
            }

            sum += s.caplen;
            _chain.Add(_dataMemory.Slice((int)start, (int)s.caplen));
        }

        if (sum != e.caplen)
        {
            return InfoPageError.ScatterLengthMismatch;
        }

        sequence = _chain.Build();
        return InfoPageError.None;
    }

    /// <summary>Where a run of bytes lies: inside the data pages and the first pages_used of them.</summary>
    private readonly InfoPageError CheckRun(uint page, uint offset, uint length, out long start)
    {
        start = 0;
        if (page >= (uint)_geo.PagesPerWindow)
        {
            return InfoPageError.EntryPageOutOfRange;
        }

        if (offset >= (uint)_geo.PageSize)
        {
            return InfoPageError.EntryOffsetOutOfRange;
        }

        if (length == 0)
        {
            return InfoPageError.EntryEmpty;
        }

        long first = ((long)page * _geo.PageSize) + offset;
        long end = first + length;
        if (end > _geo.DataBytes)
        {
            return InfoPageError.EntryLengthOutOfRange;
        }

        if (page >= PagesUsed || end > _usedBytes)
        {
            return InfoPageError.EntryBeyondPagesUsed;
        }

        start = first;
        return InfoPageError.None;
    }

    /// <summary>caplen against wirelen, snaplen, the TRUNCATED flag; reserved zero.</summary>
    private readonly InfoPageError CheckLengths(in skbremap_info_entry e)
    {
        if (e.caplen == 0)
        {
            return InfoPageError.EntryEmpty;
        }

        if (e.caplen > e.wirelen)
        {
            return InfoPageError.CaplenExceedsWirelen;
        }

        if (_geo.Snaplen != 0 && e.caplen > _geo.Snaplen)
        {
            return InfoPageError.CaplenExceedsSnaplen;
        }

        if (((e.flags & SKBREMAP_PKT_TRUNCATED) != 0) != (e.caplen < e.wirelen))
        {
            return InfoPageError.TruncatedFlagMismatch;
        }

        return e.reserved != 0 ? InfoPageError.EntryReservedNotZero : InfoPageError.None;
    }

    private readonly InfoPageError Check(in skbremap_info_entry e, out long start)
    {
        // One test at a time, each on values already known to be in range. All inputs are
        // u32 and PageSize <= 64 KiB, so the 64-bit sums below cannot wrap.
        start = 0;
        if (e.page >= (uint)_geo.PagesPerWindow)
        {
            return InfoPageError.EntryPageOutOfRange;
        }

        if (e.offset >= (uint)_geo.PageSize)
        {
            return InfoPageError.EntryOffsetOutOfRange;
        }

        if (e.caplen == 0)
        {
            return InfoPageError.EntryEmpty;
        }

        if (e.caplen > e.wirelen)
        {
            return InfoPageError.CaplenExceedsWirelen;
        }

        if (_geo.Snaplen != 0 && e.caplen > _geo.Snaplen)
        {
            return InfoPageError.CaplenExceedsSnaplen;
        }

        long first = ((long)e.page * _geo.PageSize) + e.offset;
        long end = first + e.caplen;
        if (end > _geo.DataBytes)
        {
            return InfoPageError.EntryLengthOutOfRange;
        }

        if (e.page >= PagesUsed || end > _usedBytes)
        {
            return InfoPageError.EntryBeyondPagesUsed;
        }

        if (((e.flags & SKBREMAP_PKT_TRUNCATED) != 0) != (e.caplen < e.wirelen))
        {
            return InfoPageError.TruncatedFlagMismatch;
        }

        if (e.reserved != 0)
        {
            return InfoPageError.EntryReservedNotZero;
        }

        start = first;
        return InfoPageError.None;
    }

    private static ushort NetworkToHost(ushort value) =>
        BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(value) : value;

    private static bool IsZero(ReadOnlySpan<byte> bytes) => !bytes.ContainsAnyExcept((byte)0);
}
