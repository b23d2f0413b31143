namespace RemapDaemon.Backends;

internal static partial class Interop
{
    /// <summary>The errno values skbremap and libc return to us (asm-generic/errno-base.h).</summary>
    internal static class Errno
    {
        internal const int EPERM = 1;
        internal const int ENOENT = 2;
        internal const int EINTR = 4;
        internal const int ENXIO = 6;
        internal const int EAGAIN = 11;
        internal const int EACCES = 13;
        internal const int EBUSY = 16;
        internal const int ENODEV = 19;
        internal const int EINVAL = 22;
        internal const int ENOTTY = 25;
    }
}
