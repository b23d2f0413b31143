using System.Runtime.InteropServices;

namespace RemapDaemon.Backends;

/// <summary>
/// A failed call into skbremap (module or emulator): which operation, and the errno.
/// Subclasses name the failures a user can act on; their message is one line.
/// </summary>
public class SkbremapException : Exception, IExitCodeException
{
    public SkbremapException(string operation, int errno)
        : this(operation, errno, $"{operation}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})")
    {
    }

    public SkbremapException(string operation, int errno, string message)
        : base(message)
    {
        Operation = operation;
        Errno = errno;
    }

    public string Operation { get; }

    /// <summary>Positive errno; 0 when the failure is not a failed system call.</summary>
    public int Errno { get; }

    public virtual ExitCode ExitCode => ExitCode.RuntimeError;

    /// <summary>The specific exception for an errno of any skbremap call but open and bind.</summary>
    public static SkbremapException FromErrno(string operation, int errno) => errno switch
    {
        Interop.Errno.EACCES or Interop.Errno.EPERM => new PermissionDeniedException(operation, errno),
        _ => new SkbremapException(operation, errno),
    };
}
