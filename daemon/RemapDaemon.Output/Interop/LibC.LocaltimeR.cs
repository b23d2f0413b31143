using System.Runtime.InteropServices;

namespace RemapDaemon.Output.Interop;

internal static partial class LibC
{
    /// <summary>
    /// localtime_r(3): <paramref name="timep"/> (a time_t, 64 bits on every LP64 Linux) broken
    /// down in the local time zone into <paramref name="result"/>; null (errno EOVERFLOW) when
    /// the year does not fit in an int.
    /// </summary>
    [LibraryImport(Library, EntryPoint = "localtime_r", SetLastError = true)]
    internal static unsafe partial tm* localtime_r(long* timep, tm* result);
}
