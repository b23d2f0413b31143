using System.Buffers.Binary;
using RemapDaemon.Engine;
using RemapDaemon.Protocol;
using static RemapDaemon.Protocol.Abi.Skbremap;

namespace RemapDaemon.Tests.Protocol;

/// <summary>One info-page entry as the test wants it encoded; protocol and vlan_proto in host order.</summary>
internal sealed class TestEntry
{
    public uint Page;
    public uint Offset;
    public uint Caplen;
    public uint Wirelen;
    public ulong TstampNs;
    public int Ifindex;
    public ushort Protocol;
    public byte Pkttype;
    public byte Path = (byte)SKBREMAP_PATH_BOUNCE;
    public ushort VlanTci;
    public ushort VlanProto;
    public uint Flags;
    public uint Segments;
    public uint Reserved;
}

/// <summary>
/// Builds a window (info page + data pages) in a byte[] the way the kernel lays it out.
/// The encoding is written by hand from struct skbremap_info_hdr / skbremap_info_entry in
/// skbremap.h with BinaryPrimitives, independently of the C# mirror the reader uses
/// (<see cref="InfoPageBuilderTests"/> checks these offsets against the gcc-checked mirror).
/// </summary>
internal sealed class InfoPageBuilder
{
    // struct skbremap_info_hdr
    public const int HdrMagic = 0;
    public const int HdrAbiVersion = 4;
    public const int HdrSeq = 8;
    public const int HdrCount = 16;
    public const int HdrPagesUsed = 20;
    public const int HdrDrops = 24;
    public const int HdrFlags = 32;
    public const int HdrWindow = 36;
    public const int HdrReserved = 40;
    public const int HdrSize = 64;

    // struct skbremap_info_entry
    public const int EntPage = 0;
    public const int EntOffset = 4;
    public const int EntCaplen = 8;
    public const int EntWirelen = 12;
    public const int EntTstampNs = 16;
    public const int EntIfindex = 24;
    public const int EntProtocol = 28;
    public const int EntPkttype = 30;
    public const int EntPath = 31;
    public const int EntVlanTci = 32;
    public const int EntVlanProto = 34;
    public const int EntFlags = 36;
    public const int EntSegments = 40;
    public const int EntReserved = 44;
    public const int EntSize = 48;

    public const int PageSize = 4096;
    public const int EntriesMax = (PageSize - HdrSize) / EntSize;

    private long _nextFree;
    private long _usedEnd;

    public InfoPageBuilder(int pagesPerWindow = 4, uint snaplen = 0)
    {
        Geometry = new WindowGeometry(PageSize, pagesPerWindow, EntriesMax, snaplen);
        Window = new byte[Geometry.WindowBytes];
    }

    public WindowGeometry Geometry { get; }

    public byte[] Window { get; }

    public uint Magic { get; set; } = SKBREMAP_INFO_MAGIC;

    public uint AbiVersion { get; set; } = SKBREMAP_ABI_VERSION;

    public ulong Seq { get; set; } = 1;

    /// <summary>null: the number of entries.</summary>
    public uint? Count { get; set; }

    /// <summary>null: the pages touched by the packets as <see cref="Add"/> placed them (later edits of entries do not count).</summary>
    public uint? PagesUsed { get; set; }

    public ulong Drops { get; set; }

    public uint HeaderFlags { get; set; }

    public uint WindowIndex { get; set; }

    public ulong[] HeaderReserved { get; } = new ulong[3];

    public List<TestEntry> Entries { get; } = [];

    public Span<byte> Data => Window.AsSpan(PageSize);

    /// <summary>
    /// Puts <paramref name="bytes"/> at the next free spot (or at page/offset) of the data
    /// area and adds its entry. wirelen defaults to the length (not truncated).
    /// </summary>
    public TestEntry Add(ReadOnlySpan<byte> bytes, uint? wirelen = null, ulong tstampNs = 1_700_000_000_123_456_789,
        int ifindex = 1, ushort protocol = 0x0800, uint? page = null, uint? offset = null)
    {
        long at = page is null ? _nextFree : ((long)page.Value * PageSize) + (offset ?? 0);
        bytes.CopyTo(Data[(int)at..]);
        _nextFree = Math.Max(_nextFree, at + bytes.Length + 24); // a gap, as different skb offsets give
        _usedEnd = Math.Max(_usedEnd, at + bytes.Length);
        var e = new TestEntry
        {
            Page = (uint)(at / PageSize),
            Offset = (uint)(at % PageSize),
            Caplen = (uint)bytes.Length,
            Wirelen = wirelen ?? (uint)bytes.Length,
            TstampNs = tstampNs,
            Ifindex = ifindex,
            Protocol = protocol,
        };
        if (e.Caplen < e.Wirelen)
        {
            e.Flags |= SKBREMAP_PKT_TRUNCATED;
        }

        Entries.Add(e);
        return e;
    }

    /// <summary>
    /// A SCATTER packet: <paramref name="bytes"/> split into runs at (page, offset, length),
    /// in packet order; adds the head entry and one SEGMENT entry per run. Returns the head.
    /// </summary>
    public TestEntry AddScatter(ReadOnlySpan<byte> bytes, params (uint Page, uint Offset, int Length)[] runs)
    {
        var head = new TestEntry
        {
            Caplen = (uint)bytes.Length,
            Wirelen = (uint)bytes.Length,
            TstampNs = 1_700_000_000_000_000_001,
            Ifindex = 1,
            Protocol = 0x0800,
            Path = (byte)SKBREMAP_PATH_REMAP,
            Flags = SKBREMAP_PKT_SCATTER,
            Segments = (uint)runs.Length,
        };
        Entries.Add(head);
        int from = 0;
        foreach ((uint page, uint offset, int length) in runs)
        {
            long at = ((long)page * PageSize) + offset;
            bytes.Slice(from, length).CopyTo(Data[(int)at..]);
            from += length;
            _usedEnd = Math.Max(_usedEnd, at + length);
            _nextFree = Math.Max(_nextFree, at + length);
            Entries.Add(new TestEntry { Page = page, Offset = offset, Caplen = (uint)length, Path = (byte)SKBREMAP_PATH_REMAP, Flags = SKBREMAP_PKT_SEGMENT });
        }

        return head;
    }

    /// <summary>Encodes the header and entries into the info page and returns the window.</summary>
    public byte[] Build()
    {
        Span<byte> info = Window.AsSpan(0, PageSize);
        info.Clear();
        uint pagesUsed = PagesUsed ?? (uint)((_usedEnd + PageSize - 1) / PageSize);
        BinaryPrimitives.WriteUInt32LittleEndian(info[HdrMagic..], Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(info[HdrAbiVersion..], AbiVersion);
        BinaryPrimitives.WriteUInt64LittleEndian(info[HdrSeq..], Seq);
        BinaryPrimitives.WriteUInt32LittleEndian(info[HdrCount..], Count ?? (uint)Entries.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(info[HdrPagesUsed..], pagesUsed);
        BinaryPrimitives.WriteUInt64LittleEndian(info[HdrDrops..], Drops);
        BinaryPrimitives.WriteUInt32LittleEndian(info[HdrFlags..], HeaderFlags);
        BinaryPrimitives.WriteUInt32LittleEndian(info[HdrWindow..], WindowIndex);
        for (int i = 0; i < 3; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(info[(HdrReserved + (8 * i))..], HeaderReserved[i]);
        }

        for (int i = 0; i < Entries.Count && HdrSize + ((i + 1) * EntSize) <= PageSize; i++)
        {
            Encode(Entries[i], info.Slice(HdrSize + (i * EntSize), EntSize));
        }

        return Window;
    }

    public static void Encode(TestEntry e, Span<byte> b)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(b[EntPage..], e.Page);
        BinaryPrimitives.WriteUInt32LittleEndian(b[EntOffset..], e.Offset);
        BinaryPrimitives.WriteUInt32LittleEndian(b[EntCaplen..], e.Caplen);
        BinaryPrimitives.WriteUInt32LittleEndian(b[EntWirelen..], e.Wirelen);
        BinaryPrimitives.WriteUInt64LittleEndian(b[EntTstampNs..], e.TstampNs);
        BinaryPrimitives.WriteInt32LittleEndian(b[EntIfindex..], e.Ifindex);
        BinaryPrimitives.WriteUInt16BigEndian(b[EntProtocol..], e.Protocol);     // network order
        b[EntPkttype] = e.Pkttype;
        b[EntPath] = e.Path;
        BinaryPrimitives.WriteUInt16LittleEndian(b[EntVlanTci..], e.VlanTci);    // host order
        BinaryPrimitives.WriteUInt16BigEndian(b[EntVlanProto..], e.VlanProto);   // network order
        BinaryPrimitives.WriteUInt32LittleEndian(b[EntFlags..], e.Flags);
        BinaryPrimitives.WriteUInt32LittleEndian(b[EntSegments..], e.Segments);
        BinaryPrimitives.WriteUInt32LittleEndian(b[EntReserved..], e.Reserved);
    }
}
