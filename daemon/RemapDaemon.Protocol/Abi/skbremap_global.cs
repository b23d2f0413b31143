using System.Runtime.InteropServices;

namespace RemapDaemon.Protocol.Abi;

/// <summary>SKBREMAP_IOC_GLOBAL: module-wide gauges (k); all 0 once every capture is closed.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct skbremap_global
{
    public ulong captures;
    public ulong pages_held;
    public ulong skbs_held;
    public ulong mappings;
    /// <summary>Gauge: truesize of the skbs held, all captures (SKBREMAP_FEAT_MEM_LIMIT).</summary>
    public ulong skb_bytes_held;
    public fixed ulong reserved[3];
}
