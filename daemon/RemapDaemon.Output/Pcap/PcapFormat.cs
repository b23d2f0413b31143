using RemapDaemon.Protocol;

namespace RemapDaemon.Output.Pcap;

/// <summary>
/// The classic pcap file format (draft-ietf-opsawg-pcap): a 24-byte file header, then per
/// packet a 16-byte record header and caplen bytes. Values as libpcap's pcap/pcap.h and
/// sf-pcap.c define them.
/// </summary>
public static class PcapFormat
{
    /// <summary>Magic of a file with microsecond timestamps.</summary>
    public const uint MagicMicroseconds = 0xa1b2c3d4;

    /// <summary>Magic of a file with nanosecond timestamps (what <see cref="PcapWriter"/> writes).</summary>
    public const uint MagicNanoseconds = 0xa1b23c4d;

    public const ushort VersionMajor = 2;
    public const ushort VersionMinor = 4;

    public const int FileHeaderSize = 24;
    public const int RecordHeaderSize = 16;

    /// <summary>LINKTYPE_ETHERNET.</summary>
    public const uint LinkTypeEthernet = LinkTypes.Ethernet;

    /// <summary>libpcap's MAXIMUM_SNAPLEN: the largest snaplen tcpdump and Wireshark accept without complaint.</summary>
    public const uint MaximumSnaplen = 262144;
}
