namespace RemapDaemon.Store.Index;

/// <summary>
/// The index file beside each capture file (<c>NAME.idx</c>), version 1. Little-endian.
/// <code>
/// header, 64 bytes
///   0  u32 magic 0x58444d52 ("RMDX")      4  u16 version (1)     6  u16 header size (64)
///   8  u64 size of the capture file it describes (bytes)
///  16  u64 first packet time   24  u64 last packet time   (ns since the epoch, UTC)
///  32  u64 packets             40  u32 flows              44  u32 link type (LINKTYPE_*)
///  48  u8  capture file format (0 pcap, 1 pcapng)        49..55 zero
///  56  u64 bytes of the position section
/// flow table, 88 bytes per flow, in order of first packet
///   0  u8 kind (0 other, 4 IPv4, 6 IPv6)  1 u8 IP protocol / next header  2 u8 IPv4 IHL
///   3  u8 flags (1 ports, 2 later fragment, 4 inner VLAN)   4 u16 EtherType
///   6  u16 VLAN TPID (0: untagged)  8 u16 VLAN id  10 u16 port A  12 u16 port B  14 u16 zero
///  16  address A (16 bytes, network order; IPv4 in the first 4)   32 address B
///  48  u64 first time   56 u64 last time   64 u64 packets   72 u64 bytes on the wire
///  80  u64 bytes of this flow's positions in the position section
/// position section: per flow, in table order, the file offsets of its packets' records
///   (pcap record header; pcapng: the block, or a block before it), ascending, each as the
///   unsigned LEB128 of its distance from the one before (the first: from 0)
/// trailer, 8 bytes: u32 magic "RMDX" again, u32 zero
/// </code>
/// An index whose sizes disagree, or whose capture file is not the size it says, is not used:
/// the query reads that capture file whole instead (the index only ever narrows a search).
/// </summary>
public static class IndexFormat
{
    public const uint Magic = 0x58444d52;
    public const ushort Version = 1;
    public const int HeaderSize = 64;
    public const int FlowSize = 88;
    public const int TrailerSize = 8;
    public const byte FormatPcap = 0;
    public const byte FormatPcapNg = 1;
}
