using System.Buffers.Binary;

namespace RemapDaemon.Store.Index;

/// <summary>
/// What the index groups packets by: the header fields that every packet of a flow has in
/// common, both directions folded together (the lower address/port pair is A). Parsed from the
/// packet as the capture file holds it (VLAN tags in the bytes, as libpcap reads them):
/// Ethernet, at most one 802.1Q/802.1ad tag (its id; a second tag ends the parse), then IPv4
/// (with its header length and whether it is a later fragment, which has no ports), IPv6 (next
/// header of the fixed header), or any other EtherType (no addresses). Ports for TCP, UDP and
/// SCTP when present. These are also the only bytes <see cref="FlowMatcher"/> may assume are the
/// same in every packet of the flow: everything else a filter reads is unknown to it.
/// </summary>
public readonly record struct FlowKey
{
    public const byte KindOther = 0;
    public const byte KindIPv4 = 4;
    public const byte KindIPv6 = 6;

    /// <summary>Ports are present (TCP/UDP/SCTP, first fragment, captured).</summary>
    public const byte FlagPorts = 1;

    /// <summary>IPv4 later fragment (offset != 0).</summary>
    public const byte FlagFragment = 2;

    /// <summary>A second VLAN tag follows the first: nothing after it is keyed.</summary>
    public const byte FlagInnerVlan = 4;

    /// <summary>Ethernet header plus one tag: the least a keyed packet needs.</summary>
    public const int MaxHeaderBytes = 14 + 4 + 60 + 4;

    public byte Kind { get; init; }
    public byte Proto { get; init; }

    /// <summary>IPv4 header length in 32-bit words (5..15); 0 otherwise.</summary>
    public byte Ihl { get; init; }
    public byte Flags { get; init; }
    public ushort EtherType { get; init; }

    /// <summary>The tag's TPID (0x8100, 0x88a8); 0: untagged.</summary>
    public ushort VlanTpid { get; init; }

    /// <summary>The tag's 12-bit VLAN id.</summary>
    public ushort VlanId { get; init; }
    public ushort PortA { get; init; }
    public ushort PortB { get; init; }

    /// <summary>Address A in network byte order (IPv4 in the first 4 bytes, as big-endian UInt128 bytes).</summary>
    public UInt128 AddrA { get; init; }
    public UInt128 AddrB { get; init; }

    public bool HasPorts => (Flags & FlagPorts) != 0;

    /// <summary>Keys a frame from its first bytes (at least what was captured of <see cref="MaxHeaderBytes"/>).</summary>
    public static FlowKey Parse(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < 14)
        {
            return new FlowKey { EtherType = 0 };
        }

        int at = 12;
        ushort type = BinaryPrimitives.ReadUInt16BigEndian(frame[at..]);
        ushort tpid = 0;
        ushort vid = 0;
        byte flags = 0;
        if (type is 0x8100 or 0x88a8)
        {
            if (frame.Length < 18)
            {
                return new FlowKey { EtherType = 0 };
            }

            tpid = type;
            vid = (ushort)(BinaryPrimitives.ReadUInt16BigEndian(frame[14..]) & 0x0fff);
            at = 16;
            type = BinaryPrimitives.ReadUInt16BigEndian(frame[at..]);
            if (type is 0x8100 or 0x88a8)
            {
                return new FlowKey { EtherType = type, VlanTpid = tpid, VlanId = vid, Flags = FlagInnerVlan };
            }
        }

        int l3 = at + 2;
        var key = new FlowKey { EtherType = type, VlanTpid = tpid, VlanId = vid };
        ReadOnlySpan<byte> ip = frame[l3..];
        if (type == 0x0800 && ip.Length >= 20 && ip[0] >> 4 == 4 && (ip[0] & 0x0f) >= 5)
        {
            int ihl = ip[0] & 0x0f;
            bool later = (BinaryPrimitives.ReadUInt16BigEndian(ip[6..]) & 0x1fff) != 0;
            byte proto = ip[9];
            var src = new UInt128((ulong)BinaryPrimitives.ReadUInt32BigEndian(ip[12..]) << 32, 0);
            var dst = new UInt128((ulong)BinaryPrimitives.ReadUInt32BigEndian(ip[16..]) << 32, 0);
            flags |= later ? FlagFragment : (byte)0;
            return Fold(key with { Kind = KindIPv4, Proto = proto, Ihl = (byte)ihl }, src, dst, !later ? ip[(ihl * 4)..] : default, proto, flags);
        }

        if (type == 0x86dd && ip.Length >= 40 && ip[0] >> 4 == 6)
        {
            byte next = ip[6];
            UInt128 src = BinaryPrimitives.ReadUInt128BigEndian(ip[8..]);
            UInt128 dst = BinaryPrimitives.ReadUInt128BigEndian(ip[24..]);
            return Fold(key with { Kind = KindIPv6, Proto = next }, src, dst, ip[40..], next, flags);
        }

        return key;
    }

    /// <summary>IPv4 addresses are kept in the high bytes of the UInt128 so both families write the same way.</summary>
    private static FlowKey Fold(FlowKey key, UInt128 src, UInt128 dst, ReadOnlySpan<byte> l4, byte proto, byte flags)
    {
        ushort sport = 0;
        ushort dport = 0;
        if (proto is 6 or 17 or 132 && l4.Length >= 4)
        {
            sport = BinaryPrimitives.ReadUInt16BigEndian(l4);
            dport = BinaryPrimitives.ReadUInt16BigEndian(l4[2..]);
            flags |= FlagPorts;
        }

        bool swap = dst < src || (dst == src && dport < sport);
        return swap
            ? key with { AddrA = dst, AddrB = src, PortA = dport, PortB = sport, Flags = flags }
            : key with { AddrA = src, AddrB = dst, PortA = sport, PortB = dport, Flags = flags };
    }

    /// <summary>The IPv4 address as 4 bytes (network order) when <see cref="Kind"/> is IPv4.</summary>
    internal static uint IPv4Of(UInt128 addr) => (uint)((ulong)(addr >> 64) >> 32);
}
