using System.Runtime.InteropServices;

namespace RemapDaemon.Protocol.Abi;

/// <summary>
/// One per packet after the info header (all (k)). The captured bytes are contiguous in the
/// window's data area from page * page_size + offset; check them against pages_used first.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct skbremap_info_entry
{
    public uint page;
    public uint offset;
    public uint caplen;
    public uint wirelen;
    public ulong tstamp_ns;
    public int ifindex;
    /// <summary>skb->protocol, network byte order.</summary>
    public ushort protocol;
    public byte pkttype;
    public byte path;
    /// <summary>Host byte order, valid with SKBREMAP_PKT_VLAN.</summary>
    public ushort vlan_tci;
    /// <summary>Network byte order, valid with SKBREMAP_PKT_VLAN.</summary>
    public ushort vlan_proto;
    public uint flags;
    /// <summary>SCATTER head: number of segment entries that follow it; else 0 (v1 addition).</summary>
    public uint segments;
    public uint reserved;
}
