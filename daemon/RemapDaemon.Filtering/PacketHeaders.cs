using System.Buffers.Binary;

namespace RemapDaemon.Filtering;

/// <summary>
/// A span-based header walker: Ethernet, stacked 802.1Q/802.1ad tags, IPv4 (options,
/// fragments), IPv6 with extension headers (hop-by-hop, routing, fragment, destination
/// options, AH), TCP and UDP. Reads fields with <see cref="BinaryPrimitives"/> after checking
/// every length; never copies, allocates or throws, whatever the bytes.
/// </summary>
public static class PacketHeaders
{
    public const ushort EtherTypeIpv4 = 0x0800;
    public const ushort EtherTypeIpv6 = 0x86dd;
    public const ushort EtherTypeVlan = 0x8100;
    public const ushort EtherTypeQinQ = 0x88a8;

    /// <summary>The pre-standard QinQ TPID some switches still use.</summary>
    public const ushort EtherTypeQinQLegacy = 0x9100;

    public const byte ProtoHopByHop = 0;
    public const byte ProtoTcp = 6;
    public const byte ProtoUdp = 17;
    public const byte ProtoRouting = 43;
    public const byte ProtoFragment = 44;
    public const byte ProtoEsp = 50;
    public const byte ProtoAh = 51;
    public const byte ProtoNoNextHeader = 59;
    public const byte ProtoDestinationOptions = 60;

    private const int EthernetHeaderSize = 14;
    private const int VlanTagSize = 4;
    private const int MaxVlanTags = 8;
    private const int MaxExtensionHeaders = 16;
    private const int Ipv6HeaderSize = 40;
    private const int UdpHeaderSize = 8;

    /// <summary>
    /// Walks the headers of <paramref name="frame"/> (an Ethernet frame as captured).
    /// </summary>
    /// <param name="hasVlanTagInMeta">The kernel moved a tag into skb metadata, so it is not in
    /// the bytes: recorded in the flags; offsets stay relative to the bytes given.</param>
    /// <param name="layout">What was found, as far as the walker got, even when it returns false.</param>
    /// <returns>True when every header the walker knows was present and sane, up to the payload.</returns>
    public static bool TryParse(ReadOnlySpan<byte> frame, bool hasVlanTagInMeta, out PacketLayout layout)
    {
        var w = new Walk { Flags = hasVlanTagInMeta ? LayoutFlags.VlanInMetadata : LayoutFlags.None };
        bool complete = WalkFrame(frame, ref w);
        if (!complete && (w.Flags & LayoutFlags.Malformed) == 0)
        {
            w.Flags |= LayoutFlags.Truncated;
        }

        layout = new PacketLayout
        {
            Flags = w.Flags,
            VlanCount = w.VlanCount,
            OuterVlanId = w.OuterVlanId,
            EtherType = w.EtherType,
            L3Offset = w.L3Offset,
            IpProtocol = w.IpProtocol,
            L4Offset = w.L4Offset,
            PayloadOffset = w.PayloadOffset,
            PayloadLength = w.PayloadLength,
            PayloadKind = w.PayloadKind,
            SourcePort = w.SourcePort,
            DestinationPort = w.DestinationPort,
            TcpFlags = w.TcpFlags,
        };
        return complete;
    }

    private static bool WalkFrame(ReadOnlySpan<byte> frame, ref Walk w)
    {
        if (frame.Length < EthernetHeaderSize)
        {
            return false;
        }

        int at = 12;
        ushort type = BinaryPrimitives.ReadUInt16BigEndian(frame[at..]);
        while (type is EtherTypeVlan or EtherTypeQinQ or EtherTypeQinQLegacy && w.VlanCount < MaxVlanTags)
        {
            if (frame.Length < at + 2 + VlanTagSize)
            {
                w.L3Offset = -1;
                return false;
            }

            if (w.VlanCount == 0)
            {
                w.OuterVlanId = (ushort)(BinaryPrimitives.ReadUInt16BigEndian(frame[(at + 2)..]) & 0x0fff);
            }

            w.VlanCount++;
            w.Flags |= LayoutFlags.VlanInFrame;
            at += VlanTagSize;
            type = BinaryPrimitives.ReadUInt16BigEndian(frame[at..]);
        }

        int l3 = at + 2;
        w.L3Offset = l3;
        w.EtherType = type >= 0x0600 ? type : (ushort)0;
        switch (type)
        {
            case EtherTypeIpv4:
                return WalkIpv4(frame, l3, ref w);
            case EtherTypeIpv6:
                return WalkIpv6(frame, l3, ref w);
            default:
                w.SetPayload(PayloadKind.Link, l3, frame.Length);
                return true;
        }
    }

    private static bool WalkIpv4(ReadOnlySpan<byte> frame, int l3, ref Walk w)
    {
        w.Flags |= LayoutFlags.Ipv4;
        if (frame.Length < l3 + 20)
        {
            return false;
        }

        ReadOnlySpan<byte> ip = frame[l3..];
        if (ip[0] >> 4 != 4)
        {
            return w.Malformed();
        }

        int headerLength = (ip[0] & 0x0f) * 4;
        int totalLength = BinaryPrimitives.ReadUInt16BigEndian(ip[2..]);
        if (headerLength < 20 || totalLength < headerLength)
        {
            return w.Malformed();
        }

        if (headerLength > 20)
        {
            w.Flags |= LayoutFlags.Ipv4Options;
        }

        w.IpProtocol = ip[9];
        ushort fragment = BinaryPrimitives.ReadUInt16BigEndian(ip[6..]);
        bool moreFragments = (fragment & 0x2000) != 0;
        int fragmentOffset = fragment & 0x1fff;
        if (frame.Length < l3 + headerLength)
        {
            return false;
        }

        // The packet ends at its total length (what follows is Ethernet padding) or where the capture stops.
        int end = Math.Min(frame.Length, l3 + totalLength);
        int next = l3 + headerLength;
        if (moreFragments || fragmentOffset != 0)
        {
            w.Flags |= LayoutFlags.Fragment;
            if (fragmentOffset != 0)
            {
                w.Flags |= LayoutFlags.NonFirstFragment;
                w.SetPayload(PayloadKind.Ip, next, end);
                return true;
            }
        }

        byte protocol = ip[9];
        if (protocol == ProtoAh)
        {
            if (!SkipAuthenticationHeader(frame, ref next, ref protocol, end, ref w))
            {
                return false;
            }

            w.IpProtocol = protocol;
        }

        return WalkTransport(frame, protocol, next, end, ref w);
    }

    private static bool WalkIpv6(ReadOnlySpan<byte> frame, int l3, ref Walk w)
    {
        w.Flags |= LayoutFlags.Ipv6;
        if (frame.Length < l3 + Ipv6HeaderSize)
        {
            return false;
        }

        ReadOnlySpan<byte> ip = frame[l3..];
        if (ip[0] >> 4 != 6)
        {
            return w.Malformed();
        }

        // A payload length of 0 is a jumbogram (hop-by-hop option) or nothing: take the captured bytes.
        int payloadLength = BinaryPrimitives.ReadUInt16BigEndian(ip[4..]);
        int end = payloadLength == 0 ? frame.Length : Math.Min(frame.Length, l3 + Ipv6HeaderSize + payloadLength);
        byte next = ip[6];
        int at = l3 + Ipv6HeaderSize;
        w.IpProtocol = next;
        for (int n = 0; n < MaxExtensionHeaders; n++)
        {
            switch (next)
            {
                case ProtoHopByHop or ProtoRouting or ProtoDestinationOptions:
                {
                    if (end < at + 8)
                    {
                        return Short(frame, at + 8, ref w);
                    }

                    w.Flags |= LayoutFlags.Ipv6ExtensionHeaders;
                    int length = (frame[at + 1] + 1) * 8;
                    next = frame[at];
                    at += length;
                    break;
                }

                case ProtoFragment:
                {
                    if (end < at + 8)
                    {
                        return Short(frame, at + 8, ref w);
                    }

                    w.Flags |= LayoutFlags.Ipv6ExtensionHeaders | LayoutFlags.Fragment;
                    ushort offsetAndFlags = BinaryPrimitives.ReadUInt16BigEndian(frame[(at + 2)..]);
                    next = frame[at];
                    at += 8;
                    if ((offsetAndFlags & 0xfff8) != 0)
                    {
                        w.IpProtocol = next;
                        w.Flags |= LayoutFlags.NonFirstFragment;
                        w.SetPayload(PayloadKind.Ip, at, end);
                        return true;
                    }

                    break;
                }

                case ProtoAh:
                    w.Flags |= LayoutFlags.Ipv6ExtensionHeaders;
                    if (!SkipAuthenticationHeader(frame, ref at, ref next, end, ref w))
                    {
                        return false;
                    }

                    break;

                default:
                    w.IpProtocol = next;
                    if (at > end)
                    {
                        return Short(frame, at, ref w);
                    }

                    return WalkTransport(frame, next, at, end, ref w);
            }

            w.IpProtocol = next;
        }

        // More extension headers than any sane packet has: stop at the IP payload found so far.
        return w.Malformed();
    }

    /// <summary>AH (RFC 4302): next header, payload length in 4-octet units minus 2.</summary>
    private static bool SkipAuthenticationHeader(ReadOnlySpan<byte> frame, ref int at, ref byte next, int end, ref Walk w)
    {
        if (end < at + 12)
        {
            return Short(frame, at + 12, ref w);
        }

        int length = (frame[at + 1] + 2) * 4;
        next = frame[at];
        at += length;
        if (at > end)
        {
            return Short(frame, at, ref w);
        }

        return true;
    }

    private static bool WalkTransport(ReadOnlySpan<byte> frame, byte protocol, int l4, int end, ref Walk w)
    {
        switch (protocol)
        {
            case ProtoTcp:
            {
                w.Flags |= LayoutFlags.Tcp;
                w.L4Offset = l4;
                ReadPorts(frame, l4, end, ref w);
                if (end < l4 + 20)
                {
                    return Short(frame, l4 + 20, ref w);
                }

                ReadOnlySpan<byte> tcp = frame[l4..];
                w.TcpFlags = tcp[13];
                int dataOffset = (tcp[12] >> 4) * 4;
                if (dataOffset < 20)
                {
                    return w.Malformed();
                }

                if (end < l4 + dataOffset)
                {
                    return Short(frame, l4 + dataOffset, ref w);
                }

                w.SetPayload(PayloadKind.Transport, l4 + dataOffset, end);
                return true;
            }

            case ProtoUdp:
            {
                w.Flags |= LayoutFlags.Udp;
                w.L4Offset = l4;
                ReadPorts(frame, l4, end, ref w);
                if (end < l4 + UdpHeaderSize)
                {
                    return Short(frame, l4 + UdpHeaderSize, ref w);
                }

                w.SetPayload(PayloadKind.Transport, l4 + UdpHeaderSize, end);
                return true;
            }

            case ProtoNoNextHeader:
                w.SetPayload(PayloadKind.Ip, l4, l4);
                return true;

            default:
                // ICMP, ICMPv6, ESP, GRE, SCTP...: the IP payload, from the protocol's own header on.
                w.L4Offset = l4;
                w.SetPayload(PayloadKind.Ip, l4, end);
                return true;
        }
    }

    /// <summary>The ports are the first 4 bytes of TCP and UDP: known even when the rest of the header was cut off.</summary>
    private static void ReadPorts(ReadOnlySpan<byte> frame, int l4, int end, ref Walk w)
    {
        if (end >= l4 + 4)
        {
            w.SourcePort = BinaryPrimitives.ReadUInt16BigEndian(frame[l4..]);
            w.DestinationPort = BinaryPrimitives.ReadUInt16BigEndian(frame[(l4 + 2)..]);
        }
    }

    /// <summary>A header needs bytes up to <paramref name="needed"/>: truncated if the capture stopped first, malformed if the IP packet did.</summary>
    private static bool Short(ReadOnlySpan<byte> frame, int needed, ref Walk w) =>
        needed > frame.Length ? false : w.Malformed();

    /// <summary>The walker's state; one per call, on the stack.</summary>
    private ref struct Walk
    {
        public LayoutFlags Flags;
        public int VlanCount;
        public ushort OuterVlanId;
        public ushort EtherType;
        public int L3Offset;
        public int IpProtocol;
        public int L4Offset;
        public int PayloadOffset;
        public int PayloadLength;
        public PayloadKind PayloadKind;
        public ushort SourcePort;
        public ushort DestinationPort;
        public byte TcpFlags;

        public Walk()
        {
            L3Offset = -1;
            IpProtocol = -1;
            L4Offset = -1;
            PayloadOffset = -1;
        }

        public void SetPayload(PayloadKind kind, int offset, int end)
        {
            PayloadKind = kind;
            PayloadOffset = offset;
            PayloadLength = Math.Max(0, end - offset);
        }

        public bool Malformed()
        {
            Flags |= LayoutFlags.Malformed;
            return false;
        }
    }
}
