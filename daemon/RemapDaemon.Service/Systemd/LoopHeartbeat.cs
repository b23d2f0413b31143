using System.Diagnostics;

namespace RemapDaemon.Service.Systemd;

/// <summary>
/// The capture loop's pulse, told to systemd: the loop calls <see cref="Beat"/> once per turn
/// (it turns at least every poll timeout, 100 ms, while it is healthy). The first beat says
/// READY=1 (the capture runs); later beats send WATCHDOG=1 at half <c>WatchdogSec=</c>, as
/// sd_watchdog_enabled(3) advises; a beat after a reload says READY=1 again. The pings come from
/// the loop itself, not from a timer: a loop that hangs (a write that blocks forever, a deadlock)
/// stops them, and systemd restarts the service after <c>WatchdogSec=</c>.
/// Thread safety: <see cref="Beat"/> on the loop thread only; <see cref="Reloaded"/> from any.
/// </summary>
public sealed class LoopHeartbeat(ServiceNotifier notifier, string readyStatus)
{
    private readonly long _pingTicks = notifier.WatchdogInterval is { } w ? (long)(w.TotalSeconds / 2 * Stopwatch.Frequency) : long.MaxValue;
    private bool _ready;
    private long _lastPing;
    private int _reloaded;

    /// <summary>Beats so far (the loop's turns).</summary>
    public ulong Beats { get; private set; }

    /// <summary>One turn of the capture loop.</summary>
    public void Beat()
    {
        Beats++;
        if (!notifier.Enabled)
        {
            return;
        }

        long now = Stopwatch.GetTimestamp();
        if (!_ready)
        {
            _ready = true;
            _lastPing = now;
            notifier.Ready(readyStatus);
            return;
        }

        if (Interlocked.Exchange(ref _reloaded, 0) != 0)
        {
            notifier.Ready(readyStatus);
        }

        if (now - _lastPing >= _pingTicks)
        {
            _lastPing = now;
            notifier.WatchdogPing();
        }
    }

    /// <summary>A reload has been applied (or refused): the next beat says READY=1 again.</summary>
    public void Reloaded() => Volatile.Write(ref _reloaded, 1);
}
