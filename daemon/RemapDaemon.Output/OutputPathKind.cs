using RemapDaemon.Output.Interop;

namespace RemapDaemon.Output;

/// <summary>What a -w path names now, symbolic links followed.</summary>
public enum OutputPathKind
{
    /// <summary>Nothing there yet (or it cannot be looked at): a file will be created.</summary>
    Missing,

    /// <summary>A regular file: truncated and written.</summary>
    Regular,

    /// <summary>A directory: cannot be written.</summary>
    Directory,

    /// <summary>A character device (/dev/null, a terminal).</summary>
    CharacterDevice,

    /// <summary>A FIFO or a socket: one reader, one stream.</summary>
    Stream,

    /// <summary>Anything else (a block device).</summary>
    Other,
}

/// <summary>Classifies an output path (statx(2), STATX_TYPE).</summary>
public static class OutputPaths
{
    /// <summary>What <paramref name="path"/> names now.</summary>
    public static unsafe OutputPathKind KindOf(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte* buf = stackalloc byte[LibC.StatxSize];
        if (LibC.statx(LibC.AtFdCwd, path, 0, LibC.StatxType, buf) != 0)
        {
            return OutputPathKind.Missing;
        }

        int mode = *(ushort*)(buf + LibC.StatxModeOffset);
        return (mode & LibC.SIfmt) switch
        {
            LibC.SIfreg => OutputPathKind.Regular,
            LibC.SIfdir => OutputPathKind.Directory,
            LibC.SIfchr => OutputPathKind.CharacterDevice,
            LibC.SIfifo or LibC.SIfsock => OutputPathKind.Stream,
            _ => OutputPathKind.Other,
        };
    }

    /// <summary>Whether <paramref name="path"/> is /dev/null itself or a link to it: a sink that keeps nothing.</summary>
    public static bool IsDevNull(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (KindOf(path) != OutputPathKind.CharacterDevice)
        {
            return false;
        }

        string full = Path.GetFullPath(path);
        FileSystemInfo? target = new FileInfo(full).ResolveLinkTarget(returnFinalTarget: true);
        return (target?.FullName ?? full) == "/dev/null";
    }
}
