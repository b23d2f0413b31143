using System.Runtime.InteropServices;
using RemapDaemon.Protocol;

namespace RemapDaemon.Device.Errors;

/// <summary>
/// EACCES/EPERM: opening a capture needs CAP_NET_RAW in the caller's network namespace, as
/// AF_PACKET does, or (skbremap's group_capture=1) only the device node's permission.
/// </summary>
public sealed class PermissionDeniedException : SkbremapException
{
    public PermissionDeniedException(string operation, int errno)
        : base(operation, errno,
            $"{operation}: {Marshal.GetPInvokeErrorMessage(errno)}: capturing needs CAP_NET_RAW in this network namespace (root, or root of a container), or read/write access to the device with skbremap's group_capture=1 (group skbcapture)")
    {
    }
}
