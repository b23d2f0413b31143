using System.Runtime.InteropServices;

namespace RemapDaemon.Output.Interop;

internal static partial class LibC
{
    /// <summary>IOV_MAX on Linux: the most segments one writev/pwritev call takes.</summary>
    internal const int IovMax = 1024;

    /// <summary>
    /// pwritev(2): the <paramref name="iovcnt"/> segments of <paramref name="iov"/>, in order, at
    /// <paramref name="offset"/> of the file, in one system call; the file position does not move.
    /// Returns the bytes written (possibly fewer than asked) or -1 with errno.
    /// </summary>
    [LibraryImport(Library, EntryPoint = "pwritev", SetLastError = true)]
    internal static unsafe partial nint pwritev(SafeHandle fd, iovec* iov, int iovcnt, long offset);

    /// <summary>writev(2): as <see cref="pwritev"/> at the file's position (a pipe or a terminal has none).</summary>
    [LibraryImport(Library, EntryPoint = "writev", SetLastError = true)]
    internal static unsafe partial nint writev(SafeHandle fd, iovec* iov, int iovcnt);

    internal const int SeekCur = 1;

    /// <summary>lseek(2); -1 (errno ESPIPE) on a pipe, a FIFO or a socket, which have no position.</summary>
    [LibraryImport(Library, EntryPoint = "lseek", SetLastError = true)]
    internal static partial long lseek(SafeHandle fd, long offset, int whence);
}
