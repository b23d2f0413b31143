using System.Runtime.InteropServices;

namespace RemapDaemon.Abi;

/// <summary>
/// SKBREMAP_IOC_STATS: counters of one capture (k). After STOP,
/// seen == captured + filtered + drop_queue_full + drop_no_window + drop_nomem + drop_too_big.
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
    public fixed ulong reserved[12];
}
