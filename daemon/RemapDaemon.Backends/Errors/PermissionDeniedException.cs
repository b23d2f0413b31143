using System.Runtime.InteropServices;

namespace RemapDaemon.Backends;

/// <summary>EACCES/EPERM: opening a capture needs CAP_NET_RAW, as AF_PACKET does.</summary>
public sealed class PermissionDeniedException : SkbremapException
{
    public PermissionDeniedException(string operation, int errno)
        : base(operation, errno,
            $"{operation}: {Marshal.GetPInvokeErrorMessage(errno)}: capturing needs CAP_NET_RAW (run as root or grant the capability)")
    {
    }

    public override ExitCode ExitCode => ExitCode.NoPermission;
}
