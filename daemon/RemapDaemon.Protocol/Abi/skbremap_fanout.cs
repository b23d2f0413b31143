using System.Runtime.InteropServices;

namespace RemapDaemon.Protocol.Abi;

/// <summary>
/// SKBREMAP_IOC_FANOUT: join fanout group <c>id</c> of the capture's network namespace with
/// <c>mode</c> (SKBREMAP_FANOUT_HASH, CPU or LB) and <c>flags</c> (SKBREMAP_FANOUT_F_ROLLOVER);
/// only while stopped, once per open. All fields (u); <c>reserved</c> must be 0.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct skbremap_fanout
{
    public uint id;
    public ushort mode;
    public ushort flags;
    public fixed ulong reserved[3];
}
