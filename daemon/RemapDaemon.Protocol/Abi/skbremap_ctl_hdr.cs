using System.Runtime.InteropServices;

namespace RemapDaemon.Protocol.Abi;

/// <summary>Control part header at offset 0 of the region (k).</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct skbremap_ctl_hdr
{
    public uint magic;
    public uint abi_version;
    public uint windows;
    public uint pages_per_window;
    public fixed ulong reserved[6];
}
