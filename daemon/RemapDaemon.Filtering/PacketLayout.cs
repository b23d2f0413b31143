namespace RemapDaemon.Filtering;

/// <summary>What <see cref="PacketHeaders.TryParse"/> found in a frame.</summary>
[Flags]
public enum LayoutFlags : ushort
{
    None = 0,

    /// <summary>The frame had one or more 802.1Q/802.1ad tags in its bytes.</summary>
    VlanInFrame = 1 << 0,

    /// <summary>The caller said the kernel moved a tag into skb metadata (not in the bytes).</summary>
    VlanInMetadata = 1 << 1,

    Ipv4 = 1 << 2,
    Ipv6 = 1 << 3,

    /// <summary>IPv4 with options (IHL above 5).</summary>
    Ipv4Options = 1 << 4,

    /// <summary>One or more IPv6 extension headers were walked.</summary>
    Ipv6ExtensionHeaders = 1 << 5,

    /// <summary>A fragment (IPv4 MF or offset, or an IPv6 fragment header).</summary>
    Fragment = 1 << 6,

    /// <summary>A fragment other than the first: it carries no transport header.</summary>
    NonFirstFragment = 1 << 7,

    Tcp = 1 << 8,
    Udp = 1 << 9,

    /// <summary>The frame ends inside a header the walker wanted to read (snaplen or a short frame).</summary>
    Truncated = 1 << 10,

    /// <summary>A header field is impossible (IHL below 5, TCP data offset below 5, lengths that do not fit).</summary>
    Malformed = 1 << 11,
}

/// <summary>Where the payload starts: how deep the walker got.</summary>
public enum PayloadKind : byte
{
    /// <summary>No payload located (truncated or malformed before it).</summary>
    None = 0,

    /// <summary>After the Ethernet and VLAN headers: a protocol the walker does not know (ARP, LLDP...).</summary>
    Link,

    /// <summary>After the IP header chain: ICMP, other IP protocols, non-first fragments, ESP.</summary>
    Ip,

    /// <summary>After the TCP or UDP header.</summary>
    Transport,
}

/// <summary>
/// Offsets into one frame (relative to its first captured byte) and the protocol numbers on
/// the way, as <see cref="PacketHeaders.TryParse"/> found them; a value type with no
/// reference to the frame, so it costs nothing. Offsets of layers not reached are -1.
/// </summary>
public readonly record struct PacketLayout
{
    public LayoutFlags Flags { get; init; }

    /// <summary>Tags in the frame's bytes (stacked 802.1ad/802.1Q count each).</summary>
    public int VlanCount { get; init; }

    /// <summary>VLAN id of the outermost tag in the bytes; 0 when there is none.</summary>
    public ushort OuterVlanId { get; init; }

    /// <summary>The EtherType after the tags (0x0800, 0x86dd, 0x0806, ...); 0 for an 802.3 length field.</summary>
    public ushort EtherType { get; init; }

    /// <summary>Start of the network header, after the Ethernet header and tags.</summary>
    public int L3Offset { get; init; }

    /// <summary>The transport protocol number (IPv4 protocol, or the last IPv6 next header); -1 if not reached.</summary>
    public int IpProtocol { get; init; }

    /// <summary>Start of the transport header; -1 if not reached or a non-first fragment.</summary>
    public int L4Offset { get; init; }

    /// <summary>Start of the payload (see <see cref="PayloadKind"/>); -1 if none.</summary>
    public int PayloadOffset { get; init; }

    /// <summary>
    /// Payload bytes present in the frame: cut at the end of the IP packet (Ethernet padding
    /// is not payload) and at the end of the captured bytes.
    /// </summary>
    public int PayloadLength { get; init; }

    public PayloadKind PayloadKind { get; init; }

    /// <summary>TCP/UDP source port; 0 otherwise.</summary>
    public ushort SourcePort { get; init; }

    /// <summary>TCP/UDP destination port; 0 otherwise.</summary>
    public ushort DestinationPort { get; init; }

    /// <summary>TCP flags byte (CWR..FIN); 0 otherwise.</summary>
    public byte TcpFlags { get; init; }

    public bool IsTcp => (Flags & LayoutFlags.Tcp) != 0;

    public bool IsUdp => (Flags & LayoutFlags.Udp) != 0;

    /// <summary>The payload of <paramref name="frame"/> (the frame this layout was parsed from); empty when none.</summary>
    public ReadOnlySpan<byte> Payload(ReadOnlySpan<byte> frame) =>
        PayloadOffset < 0 || PayloadOffset > frame.Length ? default : frame.Slice(PayloadOffset, Math.Min(PayloadLength, frame.Length - PayloadOffset));
}
