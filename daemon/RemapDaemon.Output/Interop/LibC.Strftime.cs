using System.Runtime.InteropServices;

namespace RemapDaemon.Output.Interop;

internal static partial class LibC
{
    /// <summary>
    /// strftime(3): <paramref name="format"/> (NUL-terminated) expanded for <paramref name="tm"/>
    /// into <paramref name="s"/>; returns the bytes written without the NUL, or 0 when they did
    /// not fit in <paramref name="max"/> (or the result is empty).
    /// </summary>
    [LibraryImport(Library, EntryPoint = "strftime")]
    internal static unsafe partial nuint strftime(byte* s, nuint max, byte* format, tm* tm);
}
