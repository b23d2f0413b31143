using System.Runtime.InteropServices;

namespace RemapDaemon.Protocol.Abi;

/// <summary>SKBREMAP_IOC_CONFIGURE: size the region. All fields (u); 0 takes the SKBREMAP_DEF_*.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct skbremap_config
{
    public uint windows;
    public uint pages_per_window;
    public uint snaplen;
    public uint retire_usec;
    public uint queue_limit;
    public uint flags;
    /// <summary>SKBREMAP_MODE_*; 0 = ADAPTIVE where the host has it (v1 addition).</summary>
    public uint mode;
    /// <summary>ADAPTIVE: caplen below this goes to the ring; 0 = calibrate at START (v1 addition).</summary>
    public uint copy_threshold;
    /// <summary>Info pages per window: 0 = 1, 1..SKBREMAP_MAX_INFO_PAGES (v1 addition, needs SKBREMAP_FEAT_INFO_PAGES above 1).</summary>
    public uint info_pages;
    public uint reserved0;
}
