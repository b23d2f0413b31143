using System.Runtime.InteropServices;

namespace RemapDaemon.Protocol.Abi;

/// <summary>
/// One per window in the control part at win_ctl_offset. status is (k/u) and moves
/// ownership: read it with Volatile.Read (acquire) and write SKBREMAP_WIN_RELEASED with
/// Volatile.Write (release) on the mapped memory, never through a copy of this struct.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct skbremap_win_ctl
{
    public uint status;
    public uint reserved0;
    public ulong seq;
}
