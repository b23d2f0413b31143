using System.Runtime.InteropServices;

namespace RemapDaemon.Remapd.Signals;

/// <summary>
/// SIGHUP, the daemon's "reload" (remapd: re-read --filter-file). The handler only counts the
/// signal; the capture loop takes the request on its own thread (<see cref="IFilterReloads"/>),
/// so a SIGHUP can arrive at any time — before the capture starts, while it runs, while it
/// stops — and never ends or interrupts the process. Registered once and kept for the life of
/// the process: disposing it would put back the default action (terminate), and a SIGHUP after
/// that, during the drain or the summary, would kill remapd with its files half closed.
/// <para>
/// A process started with SIGHUP ignored (nohup, or a script's trap '' HUP) gets it back: the
/// .NET runtime leaves an ignored signal ignored (see <see cref="StopSignals"/>), and a daemon
/// whose reload works only when it was not started under nohup would surprise. Here SIGHUP
/// never terminates anyway, so nohup's purpose is kept.
/// </para>
/// </summary>
public sealed class ReloadSignal
{
    private static readonly Lock Gate = new();
    private static ReloadSignal? s_instance;

    // Kept alive with the instance for the life of the process; never disposed (see above).
    private PosixSignalRegistration? _registration;
    private int _pending;

    private ReloadSignal()
    {
    }

    /// <summary>A SIGHUP was received and not yet taken.</summary>
    public bool Pending => Volatile.Read(ref _pending) != 0;

    /// <summary>Handles SIGHUP from now on (the same instance every call).</summary>
    public static ReloadSignal Listen()
    {
        lock (Gate)
        {
            if (s_instance is { } listening)
            {
                return listening;
            }

            var signal = new ReloadSignal();

            // Not ignored any more, then handled at once: the default action (terminate) is
            // in place only between these two calls.
            if (Interop.Sys.Signal(Interop.Sys.SIGHUP, Interop.Sys.SIG_DFL) is var previous && previous != Interop.Sys.SIG_IGN)
            {
                Interop.Sys.Signal(Interop.Sys.SIGHUP, previous);
            }

            signal._registration = PosixSignalRegistration.Create(PosixSignal.SIGHUP, signal.OnSignal);
            s_instance = signal;
            return signal;
        }
    }

    /// <summary>True once for any number of SIGHUPs since the last call: they ask for one reload.</summary>
    public bool TryTake() => Interlocked.Exchange(ref _pending, 0) != 0;

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true; // never the default action (terminate)
        Volatile.Write(ref _pending, 1);
    }
}
