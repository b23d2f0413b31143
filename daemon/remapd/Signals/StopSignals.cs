namespace RemapDaemon.Remapd.Signals;

/// <summary>
/// A shell starts a background job (<c>remapd ... &amp;</c>) with SIGINT ignored, and the .NET
/// runtime leaves an ignored SIGINT ignored, so <c>kill -INT</c> would not stop such a capture.
/// tcpdump installs its handler regardless; so do we: a capture tool stops on SIGINT and
/// SIGTERM wherever it was started from. Call before registering the handlers.
/// </summary>
public static class StopSignals
{
    /// <summary>Puts SIGINT and SIGTERM back to their default disposition if they were ignored.</summary>
    public static void Unignore()
    {
        foreach (int signo in (ReadOnlySpan<int>)[Interop.Sys.SIGINT, Interop.Sys.SIGTERM])
        {
            nint previous = Interop.Sys.Signal(signo, Interop.Sys.SIG_DFL);
            if (previous != Interop.Sys.SIG_IGN)
            {
                // Not ignored: put back whatever was there (the runtime's handler).
                Interop.Sys.Signal(signo, previous);
            }
        }
    }
}
