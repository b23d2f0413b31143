using System.Runtime.InteropServices;

namespace RemapDaemon.Protocol.Abi;

/// <summary>
/// SKBREMAP_IOC_LAYOUT: where everything is. All fields (k). Consumers use these numbers,
/// not sizeof; RemapDaemon.Protocol.LayoutValidator checks them once per capture.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct skbremap_layout
{
    public ulong ctl_offset;
    public ulong ctl_size;
    public ulong win_offset;
    public ulong win_size;
    public ulong win_stride;
    public uint windows;
    public uint pages_per_window;
    public uint page_size;
    public uint snaplen;
    public uint info_hdr_size;
    public uint info_entry_size;
    public uint info_entries_max;
    public uint win_ctl_offset;
    public uint win_ctl_size;
    /// <summary>Info pages at the start of every window; data page 0 is at info_pages * page_size (v1 addition: was reserved0, always 1).</summary>
    public uint info_pages;
    public fixed ulong reserved[4];
}
