using Microsoft.Win32.SafeHandles;
using RemapDaemon.Output.Interop;

namespace RemapDaemon.Output;

/// <summary>
/// One file (or stdout) written through an <see cref="OutputQueue"/>: an unbuffered descriptor
/// (no FileStream, no managed buffer) that the queue's writer thread writes with pwritev at its
/// own offset (a file this process created) or writev (stdout, which may be a pipe). The capture
/// thread opens it; the writer thread writes and closes it, after every byte queued before the
/// close (<see cref="OutputQueue.Close"/>).
/// </summary>
public sealed class OutputFile
{
    private OutputFile(OutputQueue queue, SafeFileHandle handle, string name, bool positional)
    {
        Queue = queue;
        Handle = handle;
        Name = name;
        Positional = positional;
    }

    public OutputQueue Queue { get; }

    /// <summary>The path (or "stdout"), as error messages name it.</summary>
    public string Name { get; }

    internal SafeFileHandle Handle { get; }

    /// <summary>pwritev at <see cref="Offset"/> (true) or writev at the descriptor's position.</summary>
    internal bool Positional { get; }

    /// <summary>Where the next pwritev goes. Writer thread only.</summary>
    internal long Offset { get; set; }

    /// <summary>Creates (or truncates) <paramref name="path"/>, unbuffered, for <paramref name="queue"/>.</summary>
    /// <exception cref="IOException">It cannot be created.</exception>
    /// <exception cref="UnauthorizedAccessException">Permission denied.</exception>
    public static OutputFile Create(OutputQueue queue, string path)
    {
        ArgumentNullException.ThrowIfNull(queue);
        SafeFileHandle handle = File.OpenHandle(path, FileMode.Create, FileAccess.Write, FileShare.Read, FileOptions.None);

        // A character device (/dev/null, /dev/full) takes pwritev too; a FIFO does not (ESPIPE).
        bool positional = LibC.lseek(handle, 0, LibC.SeekCur) >= 0;
        return new OutputFile(queue, handle, path, positional);
    }

    /// <summary>The process's stdout (not closed by the queue), written with writev at its position.</summary>
    public static OutputFile Stdout(OutputQueue queue)
    {
        ArgumentNullException.ThrowIfNull(queue);
        return new OutputFile(queue, new SafeFileHandle(1, ownsHandle: false), "stdout", positional: false);
    }
}
