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
    public fixed ulong reserved[4];
}
