using System.Runtime.InteropServices;

namespace RemapDaemon.Protocol.Abi;

/// <summary>SKBREMAP_IOC_BIND: which packets the hook sees. All fields (u).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct skbremap_bind
{
    public int ifindex;
    public uint flags;
    public ulong reserved;
}
