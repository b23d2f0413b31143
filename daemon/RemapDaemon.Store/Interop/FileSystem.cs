using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace RemapDaemon.Store.Interop;

/// <summary>The store's file-system primitives, each one libc call with its errno turned into an IOException.</summary>
public static class FileSystem
{
    /// <summary>Space on the file system holding <paramref name="path"/>: total bytes and bytes an unprivileged writer may still use.</summary>
    public static (ulong Total, ulong Available) Space(string path)
    {
        if (LibC.Statvfs(path, out LibC.statvfs_t s) != 0)
        {
            throw Error("statvfs", path);
        }

        return (s.f_blocks * s.f_frsize, s.f_bavail * s.f_frsize);
    }

    /// <summary>rename(2): atomic within the file system; a reader sees the old name or the new, never a part.</summary>
    public static void Rename(string from, string to)
    {
        if (LibC.Rename(from, to) != 0)
        {
            throw Error("rename", from);
        }
    }

    /// <summary>fsync(2) of a directory, so that a rename or unlink in it survives a power loss.</summary>
    public static void SyncDirectory(string directory)
    {
        int fd = LibC.Open(directory, LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC);
        if (fd < 0)
        {
            throw Error("open", directory);
        }

        try
        {
            if (LibC.Fsync(fd) != 0)
            {
                throw Error("fsync", directory);
            }
        }
        finally
        {
            _ = LibC.Close(fd);
        }
    }

    /// <summary>flock(2) on an open file; false when <paramref name="wait"/> is false and another holder has it.</summary>
    public static bool TryLock(SafeFileHandle file, bool exclusive, bool wait)
    {
        ArgumentNullException.ThrowIfNull(file);
        int op = (exclusive ? LibC.LOCK_EX : LibC.LOCK_SH) | (wait ? 0 : LibC.LOCK_NB);
        while (LibC.Flock(file, op) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == LibC.EINTR)
            {
                continue;
            }

            if (errno == LibC.EWOULDBLOCK && !wait)
            {
                return false;
            }

            throw new IOException($"flock: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
        }

        return true;
    }

    /// <summary>Whether <paramref name="e"/> says the file system is full (ENOSPC) or the quota spent (EDQUOT).</summary>
    public static bool IsDiskFull(Exception e) =>
        e is IOException io && (io.HResult is LibC.ENOSPC or LibC.EDQUOT
            || io.Message.Contains("No space left on device", StringComparison.Ordinal)
            || io.Message.Contains("Disk quota exceeded", StringComparison.Ordinal));

    private static IOException Error(string call, string path)
    {
        int errno = Marshal.GetLastPInvokeError();
        return new IOException($"{call} {path}: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
    }
}
