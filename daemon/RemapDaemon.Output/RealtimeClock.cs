namespace RemapDaemon.Output;

/// <summary>"Now" as capture files record it: CLOCK_REALTIME in nanoseconds since the epoch.</summary>
public static class RealtimeClock
{
    public static ulong NowNs() => (ulong)(DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100UL;
}
