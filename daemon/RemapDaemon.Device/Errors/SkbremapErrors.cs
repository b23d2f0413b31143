using RemapDaemon.Protocol;

namespace RemapDaemon.Device.Errors;

/// <summary>The exception for a failed skbremap call, by its errno.</summary>
public static class SkbremapErrors
{
    /// <summary>The specific exception for an errno of any skbremap call but open and bind.</summary>
    public static SkbremapException FromErrno(string operation, int errno) => errno switch
    {
        Errno.EACCES or Errno.EPERM => new PermissionDeniedException(operation, errno),
        _ => new SkbremapException(operation, errno),
    };
}
