using RemapDaemon.Protocol;

namespace RemapDaemon.Device.Errors;

/// <summary>The backend asked for is not there: /dev/skbremap absent, or no emulator library.</summary>
public sealed class NoDeviceException : SkbremapException
{
    public NoDeviceException(string operation, int errno, string message)
        : base(operation, errno, message)
    {
    }
}
