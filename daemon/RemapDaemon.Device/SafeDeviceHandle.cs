using Microsoft.Win32.SafeHandles;

namespace RemapDaemon.Device;

/// <summary>
/// The fd of one open() of /dev/skbremap: one capture. Closing it is the teardown the
/// module must survive at any moment (it returns every page and skb), so it is safe to
/// let the finalizer do it if an owner forgets.
/// </summary>
public sealed class SafeDeviceHandle : SafeHandleMinusOneIsInvalid
{
    public SafeDeviceHandle()
        : base(ownsHandle: true)
    {
    }

    internal int Fd => (int)handle;

    protected override bool ReleaseHandle() => Interop.Sys.Close((int)handle) == 0;
}
