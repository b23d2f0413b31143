using System.Runtime.InteropServices;

namespace RemapDaemon.Device;

internal static partial class Interop
{
    internal static partial class Sys
    {
        // Every SKBREMAP_IOC_* takes a pointer to its struct (or nothing): one signature fits all.
        [LibraryImport(Libraries.Libc, EntryPoint = "ioctl", SetLastError = true)]
        internal static unsafe partial int Ioctl(SafeDeviceHandle fd, nuint request, void* arg);
    }
}
