using RemapDaemon.Abi;

namespace RemapDaemon.Backends;

/// <summary>How a capture ended: the last progress (after the drain) and why it stopped.</summary>
public sealed record CaptureResult(CaptureProgress Final, string StopReason)
{
    /// <summary>
    /// Every packet skbremap captured was read from a window: after STOP and the drain,
    /// skbremap's captured counter equals the packets this process parsed.
    /// </summary>
    public bool NothingLost => Final.Stats.captured == Final.PacketsRead && Final.BadWindows == 0;

    public ulong Dropped => Drops.Total(Final.Stats);
}

/// <summary>The drop reasons of skbremap_stats, named as the docs name them.</summary>
public static class Drops
{
    public static ulong Total(in skbremap_stats s) => s.drop_queue_full + s.drop_no_window + s.drop_nomem + s.drop_too_big;
}
