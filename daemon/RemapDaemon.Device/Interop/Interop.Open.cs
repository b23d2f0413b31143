using System.Runtime.InteropServices;

namespace RemapDaemon.Device;

internal static partial class Interop
{
    internal static partial class Sys
    {
        internal const int O_RDWR = 0x2;
        internal const int O_CLOEXEC = 0x80000;

        // open(2) is variadic for the mode; without O_CREAT the mode is never read.
        [LibraryImport(Libraries.Libc, EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static partial int Open(string path, int flags);
    }
}
