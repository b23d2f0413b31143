using System.Runtime.InteropServices;

namespace RemapDaemon.Protocol;

/// <summary>
/// A failed call into skbremap (module or emulator), or an answer from it that breaks the
/// protocol (a layout or control header this build cannot use): which operation, and the errno.
/// Subclasses (RemapDaemon.Device.Errors) name the failures a user can act on; their message is
/// one line. The programs map them to exit codes (RemapDaemon.Cli.ExitCodes).
/// </summary>
public class SkbremapException : Exception
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
}
