using System.Runtime.InteropServices;

namespace RemapDaemon.Remapd.Signals;

internal static partial class Interop
{
    internal static partial class Sys
    {
        internal const int SIGHUP = 1;
        internal const int SIGINT = 2;
        internal const int SIGTERM = 15;
        internal static readonly nint SIG_DFL = 0;
        internal static readonly nint SIG_IGN = 1;

        /// <summary>signal(2): returns the previous disposition.</summary>
        [LibraryImport("libc", EntryPoint = "signal", SetLastError = true)]
        internal static partial nint Signal(int signo, nint handler);
    }
}
