namespace RemapDaemon.Capture;

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
    public const uint LinkTypeEthernet = 1;

    /// <summary>libpcap's MAXIMUM_SNAPLEN: the largest snaplen tcpdump and Wireshark accept without complaint.</summary>
    public const uint MaximumSnaplen = 262144;

    /// <summary>Bytes of the two MAC addresses, after which an 802.1Q tag goes.</summary>
    internal const int MacAddressesSize = 12;

    /// <summary>TPID + TCI of one 802.1Q tag.</summary>
    internal const int VlanTagSize = 4;

    /// <summary>ETH_P_8021Q: the TPID libpcap uses when the kernel gave none.</summary>
    internal const ushort EthP8021Q = 0x8100;
}
