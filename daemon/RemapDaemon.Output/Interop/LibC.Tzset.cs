using System.Runtime.InteropServices;

namespace RemapDaemon.Output.Interop;

internal static partial class LibC
{
    /// <summary>tzset(3): reads TZ (or /etc/localtime) once; localtime_r need not do it itself.</summary>
    [LibraryImport(Library, EntryPoint = "tzset")]
    internal static partial void tzset();
}
