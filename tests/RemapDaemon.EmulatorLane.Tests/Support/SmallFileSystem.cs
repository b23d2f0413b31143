using RemapDaemon.Tests.Support;

namespace RemapDaemon.EmulatorLane.Tests.Support;

/// <summary>A tmpfs of a few MB mounted for one test (root only), for free-space and full-disk behaviour.</summary>
internal sealed class SmallFileSystem : IDisposable
{
    public SmallFileSystem(string mountPoint, int megabytes)
    {
        Directory.CreateDirectory(mountPoint);
        ToolResult r = ExternalTool.Run("mount", "-t", "tmpfs", "-o", $"size={megabytes}m", "tmpfs", mountPoint);
        r.ExitCode.Should().Be(0, r.ToString());
        Path = mountPoint;
    }

    public string Path { get; }

    /// <summary>A foreign file of <paramref name="bytes"/> (not the store's): the "other process" that fills the disk.</summary>
    public string Fill(string name, long bytes)
    {
        string path = System.IO.Path.Combine(Path, name);
        using var f = new FileStream(path, FileMode.Create);
        var chunk = new byte[1 << 16];
        Array.Fill(chunk, (byte)0x5a);
        for (long left = bytes; left > 0; left -= chunk.Length)
        {
            f.Write(chunk, 0, (int)Math.Min(chunk.Length, left));
        }

        return path;
    }

    public (ulong Total, ulong Available) Space() => RemapDaemon.Store.Interop.FileSystem.Space(Path);

    public void Dispose() => ExternalTool.Run("umount", "-l", Path);
}
