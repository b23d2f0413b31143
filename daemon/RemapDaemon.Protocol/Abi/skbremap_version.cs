using System.Runtime.InteropServices;

namespace RemapDaemon.Protocol.Abi;

/// <summary>SKBREMAP_IOC_VERSION: the first call of every consumer. All fields (k).</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct skbremap_version
{
    public uint magic;
    public uint abi_version;
    public uint page_size;
    public uint features;
    public fixed ulong reserved[2];
}
