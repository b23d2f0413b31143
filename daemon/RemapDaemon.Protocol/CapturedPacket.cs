using System.Buffers;
using static RemapDaemon.Protocol.Abi.Skbremap;

namespace RemapDaemon.Protocol;

/// <summary>
/// One packet of a window, as its info-page entry describes it. <see cref="Data"/> points into
/// the mapped window: valid only while the window is held (between READY and RELEASED), and
/// never copied. Byte-order conversions are done: every field here is in host order.
/// </summary>
public readonly ref struct CapturedPacket
{
    /// <summary>
    /// The captured bytes (caplen of them), a slice of the window's data pages, when they are
    /// contiguous there (every path but a SCATTER packet). Empty when <see cref="IsScattered"/>.
    /// </summary>
    public ReadOnlySpan<byte> Data { get; init; }

    /// <summary>
    /// A SCATTER packet's bytes: one segment per segment entry, each a slice of the mapping,
    /// nothing copied. Valid until the reader reads the next SCATTER packet (its segment chain
    /// is reused) and, like <see cref="Data"/>, only while the window is held.
    /// </summary>
    public ReadOnlySequence<byte> Sequence { get; init; }

    /// <summary>The data are in <see cref="Sequence"/> (SKBREMAP_PKT_SCATTER), not in <see cref="Data"/>.</summary>
    public bool IsScattered => (Flags & SKBREMAP_PKT_SCATTER) != 0;

    /// <summary>Captured bytes, whichever way they are held.</summary>
    public int Length => IsScattered ? (int)Sequence.Length : Data.Length;

    /// <summary>Copies <paramref name="destination"/>.Length bytes from offset <paramref name="from"/> of the packet.</summary>
    public void CopyTo(int from, Span<byte> destination)
    {
        if (!IsScattered)
        {
            Data.Slice(from, destination.Length).CopyTo(destination);
            return;
        }

        Sequence.Slice(from, destination.Length).CopyTo(destination);
    }

    /// <summary>Length of the packet on the wire (wirelen).</summary>
    public uint WireLength { get; init; }

    /// <summary>CLOCK_REALTIME nanoseconds (skb->tstamp).</summary>
    public ulong TimestampNs { get; init; }

    /// <summary>Receiving or sending interface.</summary>
    public int IfIndex { get; init; }

    /// <summary>skb->protocol (an ETH_P_* value) in host order; the ABI carries it in network order.</summary>
    public ushort Protocol { get; init; }

    /// <summary>PACKET_HOST, PACKET_OUTGOING, ... (linux/if_packet.h).</summary>
    public byte PacketType { get; init; }

    /// <summary>SKBREMAP_PATH_*: how the data got into the window.</summary>
    public byte Path { get; init; }

    /// <summary>VLAN TCI (priority, DEI, id) from skb metadata; meaningful when <see cref="HasVlan"/>.</summary>
    public ushort VlanTci { get; init; }

    /// <summary>VLAN TPID (0x8100, 0x88a8) in host order; meaningful when <see cref="HasVlan"/>.</summary>
    public ushort VlanProto { get; init; }

    /// <summary>SKBREMAP_PKT_* as the entry has them.</summary>
    public uint Flags { get; init; }

    /// <summary>
    /// The VLAN tag was in skb metadata, not in <see cref="Data"/>: a pcap writer puts it back
    /// after the MAC addresses, as libpcap does for AF_PACKET.
    /// </summary>
    public bool HasVlan => (Flags & SKBREMAP_PKT_VLAN) != 0;

    /// <summary>Fewer bytes were captured than were on the wire (snaplen).</summary>
    public bool Truncated => (uint)Length < WireLength;
}
