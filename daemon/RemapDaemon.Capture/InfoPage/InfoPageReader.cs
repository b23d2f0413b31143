using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using RemapDaemon.Abi;
using static RemapDaemon.Abi.Skbremap;

namespace RemapDaemon.Capture;

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
    /// Checks the info page of <paramref name="window"/>: the whole mapped window, info page
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

        ReadOnlySpan<byte> info = window[..geo.PageSize];
        ReadOnlySpan<byte> data = window.Slice(geo.PageSize, geo.DataBytes);
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
        int at = HdrSize + ((int)_next * EntrySize);
        skbremap_info_entry e = MemoryMarshal.Read<skbremap_info_entry>(_info.Slice(at, EntrySize));
        error = Check(e, out long start);
        if (error != InfoPageError.None)
        {
            _failed = error;
            return false;
        }

        _next++;
        packet = new CapturedPacket
        {
            Data = _data.Slice((int)start, (int)e.caplen),
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
