using RemapDaemon.Abi;

namespace RemapDaemon.Backends;

/// <summary>The drop reasons of skbremap_stats, named as the docs name them.</summary>
public static class Drops
{
    public static ulong Total(in skbremap_stats s) =>
        s.drop_queue_full + s.drop_no_window + s.drop_nomem + s.drop_too_big + s.drop_mem_limit;
}
