using System.Runtime.InteropServices;

namespace RemapDaemon.Protocol.Abi;

/// <summary>First bytes of every window's info page (all (k)).</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct skbremap_info_hdr
{
    public uint magic;
    public uint abi_version;
    public ulong seq;
    public uint count;
    public uint pages_used;
    public ulong drops;
    public uint flags;
    public uint window;
    public fixed ulong reserved[3];
}
