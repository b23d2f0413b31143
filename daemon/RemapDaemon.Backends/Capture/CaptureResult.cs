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

