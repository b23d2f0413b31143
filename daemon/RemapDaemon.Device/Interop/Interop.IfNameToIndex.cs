using System.Runtime.InteropServices;

namespace RemapDaemon.Device;

internal static partial class Interop
{
    internal static partial class Sys
    {
        /// <summary>if_nametoindex(3): 0 (errno ENODEV/ENXIO) for an unknown name.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "if_nametoindex", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static partial uint IfNameToIndex(string name);

        /// <summary>if_indextoname(3): buf must hold IF_NAMESIZE bytes; null for an unknown index.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "if_indextoname", SetLastError = true)]
        internal static unsafe partial byte* IfIndexToName(uint index, byte* buf);

        internal const int IF_NAMESIZE = 16;
    }
}
