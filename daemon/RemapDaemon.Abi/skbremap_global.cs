using System.Runtime.InteropServices;

namespace RemapDaemon.Abi;

/// <summary>SKBREMAP_IOC_GLOBAL: module-wide gauges (k); all 0 once every capture is closed.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct skbremap_global
{
    public ulong captures;
    public ulong pages_held;
    public ulong skbs_held;
    public ulong mappings;
    public fixed ulong reserved[4];
}
