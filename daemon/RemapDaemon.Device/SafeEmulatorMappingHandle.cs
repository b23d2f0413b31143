using RemapDaemon.Protocol;

namespace RemapDaemon.Device;

/// <summary>
/// A mapping made by skbremap_emu_mmap. It holds a reference on the emulator handle so the
/// emulator cannot be closed under it: skbremap_emu_munmap needs the emulator alive.
/// </summary>
internal sealed class SafeEmulatorMappingHandle : SafeMappingHandle
{
    private readonly SafeEmulatorHandle _emu;

    internal SafeEmulatorMappingHandle(SafeEmulatorHandle emu, nint address, ulong length)
        : base(address, length)
    {
        bool added = false;
        emu.DangerousAddRef(ref added);
        _emu = emu;
    }

    protected override bool ReleaseHandle()
    {
        int rc = Interop.SkbremapEmu.Munmap(_emu.DangerousGetHandle(), handle, Length);
        _emu.DangerousRelease();
        return rc == 0;
    }
}
