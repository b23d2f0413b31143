using System.Runtime.InteropServices;

namespace RemapDaemon.Output.Interop;

internal static partial class LibC
{
    internal const int AtFdCwd = -100;
    internal const uint StatxType = 0x1;

    /// <summary>struct statx is the same on every architecture: 256 bytes, stx_mode (u16) at byte 28.</summary>
    internal const int StatxSize = 256;
    internal const int StatxModeOffset = 28;

    internal const int SIfmt = 0xF000;
    internal const int SIfreg = 0x8000;
    internal const int SIfdir = 0x4000;
    internal const int SIfchr = 0x2000;
    internal const int SIfifo = 0x1000;
    internal const int SIfsock = 0xC000;

    /// <summary>statx(2) of <paramref name="path"/> (symbolic links followed); 0, or -1 with errno.</summary>
    [LibraryImport(Library, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static unsafe partial int statx(int dirfd, string path, int flags, uint mask, byte* statxbuf);
}
