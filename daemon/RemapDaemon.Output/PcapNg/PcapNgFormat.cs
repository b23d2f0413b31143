namespace RemapDaemon.Output.PcapNg;

/// <summary>
/// The pcapng block and option codes <see cref="PcapNgWriter"/> uses
/// (draft-ietf-opsawg-pcapng). Every block is: type u32, total length u32, body padded to
/// 4 bytes, total length u32 again; options are code u16, length u16, value padded to 4,
/// ended by opt_endofopt.
/// </summary>
public static class PcapNgFormat
{
    public const uint BlockTypeSectionHeader = 0x0a0d0d0a;
    public const uint BlockTypeInterfaceDescription = 0x00000001;
    public const uint BlockTypeInterfaceStatistics = 0x00000005;
    public const uint BlockTypeEnhancedPacket = 0x00000006;

    /// <summary>Byte-order magic of the section header block, written in host (little-endian) order.</summary>
    public const uint ByteOrderMagic = 0x1a2b3c4d;

    public const ushort VersionMajor = 1;
    public const ushort VersionMinor = 0;

    /// <summary>Section length "not specified": the writer streams and does not seek back.</summary>
    public const long SectionLengthUnknown = -1;

    public const ushort OptEndOfOpt = 0;
    public const ushort OptComment = 1;

    public const ushort ShbUserAppl = 4;

    public const ushort IfName = 2;
    public const ushort IfTsResol = 9;

    /// <summary>if_tsresol value: 10^-9 s, timestamps in nanoseconds.</summary>
    public const byte TsResolNanoseconds = 9;

    public const ushort IsbStartTime = 2;
    public const ushort IsbEndTime = 3;
    public const ushort IsbIfDrop = 5;
    public const ushort IsbUsrDeliv = 8;

    /// <summary>Block type + total length, before the body.</summary>
    public const int BlockHeaderSize = 8;

    /// <summary>The trailing copy of the total length.</summary>
    public const int BlockTrailerSize = 4;

    /// <summary>Fixed part of an enhanced packet block body: interface id, timestamp high/low, caplen, origlen.</summary>
    public const int EnhancedPacketFixedSize = 20;

    /// <summary>Rounds up to the 4-byte alignment of block bodies and option values.</summary>
    public static int Pad4(int length) => (length + 3) & ~3;
}
