using System.Buffers.Binary;

namespace RemapDaemon.Protocol;

/// <summary>
/// What libpcap does for AF_PACKET auxdata, shared by the file writers: a packet whose VLAN tag
/// the kernel moved into skb metadata (<see cref="CapturedPacket.HasVlan"/>) gets the tag back
/// after its MAC addresses, only on Ethernet and only when both addresses were captured; the
/// captured and wire lengths grow by 4, then the caller cuts to its snaplen.
/// </summary>
public static class VlanReinsertion
{
    /// <summary>Bytes of the two MAC addresses, after which an 802.1Q tag goes.</summary>
    private const int MacAddressesSize = 12;

    /// <summary>TPID + TCI of one 802.1Q tag.</summary>
    private const int VlanTagSize = 4;

    /// <summary>ETH_P_8021Q: the TPID libpcap uses when the kernel gave none.</summary>
    private const ushort EthP8021Q = 0x8100;

    /// <summary>Whether <paramref name="p"/> gets its tag back in a file of <paramref name="linkType"/>.</summary>
    public static bool Applies(in CapturedPacket p, uint linkType) =>
        p.HasVlan && linkType == LinkTypes.Ethernet && p.Length >= MacAddressesSize;

    /// <summary>Bytes of the record before the snaplen cut.</summary>
    public static long PresentLength(in CapturedPacket p, bool tag) =>
        tag ? p.Length + VlanTagSize : p.Length;

    /// <summary>The wire length the file reports (saturating).</summary>
    public static uint WireLength(in CapturedPacket p, bool tag) =>
        !tag ? p.WireLength
        : p.WireLength > uint.MaxValue - VlanTagSize ? uint.MaxValue
        : p.WireLength + VlanTagSize;

    /// <summary>Fills <paramref name="body"/> (the record's caplen bytes) with the packet, tag re-inserted if <paramref name="tag"/>.</summary>
    public static void Copy(in CapturedPacket p, bool tag, Span<byte> body)
    {
        if (!tag)
        {
            // Contiguous or SCATTER segments alike, straight into the record.
            p.CopyTo(0, body);
            return;
        }

        Span<byte> vlan = stackalloc byte[VlanTagSize];
        BinaryPrimitives.WriteUInt16BigEndian(vlan, p.VlanProto != 0 ? p.VlanProto : EthP8021Q);
        BinaryPrimitives.WriteUInt16BigEndian(vlan[2..], p.VlanTci);
        int macs = Math.Min(body.Length, MacAddressesSize);
        p.CopyTo(0, body[..macs]);
        body = body[macs..];
        body = CopyPart(body, vlan);
        int rest = Math.Min(body.Length, p.Length - MacAddressesSize);
        p.CopyTo(MacAddressesSize, body[..rest]);
    }

    /// <summary>Copies as much of <paramref name="part"/> as fits and returns the space left.</summary>
    private static Span<byte> CopyPart(Span<byte> destination, scoped ReadOnlySpan<byte> part)
    {
        int n = Math.Min(destination.Length, part.Length);
        part[..n].CopyTo(destination);
        return destination[n..];
    }
}
