using System.Runtime.InteropServices;

namespace RemapDaemon.Protocol.Abi;

/// <summary>
/// SKBREMAP_IOC_STATS: counters of one capture (k). After STOP,
/// seen == captured + filtered + drop_queue_full + drop_no_window + drop_nomem + drop_too_big + drop_mem_limit,
/// and captured == bounced + remapped + copied.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct skbremap_stats
{
    public ulong seen;
    public ulong captured;
    public ulong captured_bytes;
    public ulong wire_bytes;
    public ulong drop_queue_full;
    public ulong drop_no_window;
    public ulong drop_nomem;
    public ulong drop_too_big;
    public ulong in_flight;
    public ulong windows_published;
    public ulong windows_retired;
    public ulong windows_released;
    public ulong windows_user;
    public ulong bounced;
    public ulong pages_mapped;
    public ulong pages_held;
    public ulong skbs_held;
    public ulong skbs_freed;
    public ulong bad_release;
    public ulong filtered;

    // Added in v1 (issue 3), taken from reserved[].

    /// <summary>Packets delivered by SKBREMAP_PATH_REMAP.</summary>
    public ulong remapped;
    /// <summary>Packets copied into ring pages (SKBREMAP_PATH_RING).</summary>
    public ulong copied;
    /// <summary>Packet pages inserted by the remap path.</summary>
    public ulong pages_remapped;
    /// <summary>Gauge: effective SKBREMAP_MODE_* (0: a host that predates modes, i.e. bounce).</summary>
    public ulong mode;
    /// <summary>Gauge: effective copy threshold (ADAPTIVE).</summary>
    public ulong copy_threshold;
    /// <summary>Gauge: calibration's cost of copying one page, ns (0: threshold from config).</summary>
    public ulong calib_copy_ns;
    /// <summary>Gauge: calibration's cost of remapping one page, ns.</summary>
    public ulong calib_remap_ns;

    // Added in v1 (SKBREMAP_FEAT_MEM_LIMIT), taken from reserved[]; 0 from a module without it.

    /// <summary>Packets dropped because the capture held mem_limit bytes already.</summary>
    public ulong drop_mem_limit;
    /// <summary>Gauge: truesize of the skbs the capture holds.</summary>
    public ulong skb_bytes_held;
    /// <summary>Gauge: most bytes of skbs and per-packet pool pages the capture may hold.</summary>
    public ulong mem_limit;
    public fixed ulong reserved[2];
}
