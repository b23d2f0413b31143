namespace RemapDaemon.Device;

/// <summary>Opens the backend --backend names; auto prefers the module when it is loaded.</summary>
public static class BackendFactory
{
    public static BackendKind Resolve(BackendKind kind) =>
        kind == BackendKind.Auto ? (KernelBackend.DeviceExists ? BackendKind.Kernel : BackendKind.Emulator) : kind;

    public static ICaptureBackend Open(BackendKind kind) => Resolve(kind) switch
    {
        BackendKind.Kernel => KernelBackend.Open(),
        _ => EmulatorBackend.Open(),
    };
}
