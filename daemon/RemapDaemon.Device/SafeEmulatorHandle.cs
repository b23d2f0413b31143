namespace RemapDaemon.Device;

/// <summary>A struct skbremap_emu*: the emulator's equivalent of the device fd.</summary>
public sealed class SafeEmulatorHandle : System.Runtime.InteropServices.SafeHandle
{
    public SafeEmulatorHandle()
        : base(invalidHandleValue: 0, ownsHandle: true)
    {
    }

    internal SafeEmulatorHandle(nint emu)
        : this()
    {
        SetHandle(emu);
    }

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        Interop.SkbremapEmu.Close(handle);
        return true;
    }
}
