using RemapDaemon.Protocol;

namespace RemapDaemon.Device;

/// <summary>A mapping made by mmap(2) on /dev/skbremap; released by munmap(2).</summary>
internal sealed class SafeMmapHandle : SafeMappingHandle
{
    internal SafeMmapHandle(nint address, ulong length)
        : base(address, length)
    {
    }

    protected override bool ReleaseHandle() => Interop.Sys.Munmap(handle, (nuint)Length) == 0;
}
