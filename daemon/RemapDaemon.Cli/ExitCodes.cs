using RemapDaemon.Device.Errors;

namespace RemapDaemon.Cli;

/// <summary>Which exit code an exception means, for remapd and remapctl alike.</summary>
public static class ExitCodes
{
    /// <summary>
    /// The program's own failures say their code (<see cref="IExitCodeException"/>); the device's
    /// errors a user can act on have theirs; everything else is <see cref="ExitCode.RuntimeError"/>.
    /// </summary>
    public static ExitCode Of(Exception e) => e switch
    {
        IExitCodeException coded => coded.ExitCode,
        BackendUsageException => ExitCode.Usage,
        NoDeviceException => ExitCode.NoDevice,
        PermissionDeniedException => ExitCode.NoPermission,
        AbiVersionMismatchException => ExitCode.AbiVersionMismatch,
        UnknownInterfaceException => ExitCode.UnknownInterface,
        _ => ExitCode.RuntimeError,
    };
}
