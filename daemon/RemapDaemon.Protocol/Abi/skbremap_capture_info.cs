using System.Runtime.InteropServices;

namespace RemapDaemon.Protocol.Abi;

/// <summary>
/// SKBREMAP_IOC_CAPTURES: one open capture, for remapctl. index is (u): set it to
/// 0, 1, 2, ... until the call fails with ENOENT; everything else is (k).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct skbremap_capture_info
{
    public uint index;
    public uint id;
    public int pid;
    public int ifindex;
    public uint running;
    public uint windows;
    public uint windows_free;
    public uint windows_filling;
    public uint windows_user;
    public uint pages_per_window;
    public uint snaplen;
    /// <summary>Info pages per window (v1 addition: was reserved0).</summary>
    public uint info_pages;
    public skbremap_stats stats;
    /// <summary>Fanout group id, if <see cref="fanout_mode"/> != 0 (SKBREMAP_FEAT_FANOUT; was reserved[0]).</summary>
    public uint fanout_id;
    /// <summary>SKBREMAP_FANOUT_*; 0 = in no group.</summary>
    public ushort fanout_mode;
    /// <summary>SKBREMAP_FANOUT_F_* of the group.</summary>
    public ushort fanout_flags;
    /// <summary>Index among the group's running members, or SKBREMAP_FANOUT_NOT_LINKED while stopped (was reserved[1]).</summary>
    public uint fanout_member;
    /// <summary>Running members of the group.</summary>
    public uint fanout_members;
    public fixed ulong reserved[2];
}
