using System.Runtime.InteropServices;

namespace RemapDaemon.Store.Interop;

/// <summary>The libc calls the store needs that .NET does not expose: flock(2), statvfs(3), rename(2), fsync(2) of a directory.</summary>
internal static partial class LibC
{
    private const string Libc = "libc";

    internal const int LOCK_SH = 1;
    internal const int LOCK_EX = 2;
    internal const int LOCK_NB = 4;
    internal const int LOCK_UN = 8;

    internal const int EINTR = 4;
    internal const int EWOULDBLOCK = 11;
    internal const int ENOSPC = 28;
    internal const int EDQUOT = 122;

    internal const int O_RDONLY = 0;
    internal const int O_DIRECTORY = 0x10000;
    internal const int O_CLOEXEC = 0x80000;

    /// <summary>glibc's struct statvfs on 64-bit Linux.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct statvfs_t
    {
        public ulong f_bsize;
        public ulong f_frsize;
        public ulong f_blocks;
        public ulong f_bfree;
        public ulong f_bavail;
        public ulong f_files;
        public ulong f_ffree;
        public ulong f_favail;
        public ulong f_fsid;
        public ulong f_flag;
        public ulong f_namemax;
        public int f_type;
        public int __f_spare0;
        public int __f_spare1;
        public int __f_spare2;
        public int __f_spare3;
        public int __f_spare4;
    }

    [LibraryImport(Libc, EntryPoint = "flock", SetLastError = true)]
    internal static partial int Flock(SafeHandle fd, int operation);

    [LibraryImport(Libc, EntryPoint = "statvfs", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int Statvfs(string path, out statvfs_t buf);

    [LibraryImport(Libc, EntryPoint = "rename", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int Rename(string oldpath, string newpath);

    [LibraryImport(Libc, EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int Open(string path, int flags);

    [LibraryImport(Libc, EntryPoint = "fsync", SetLastError = true)]
    internal static partial int Fsync(int fd);

    [LibraryImport(Libc, EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);
}
