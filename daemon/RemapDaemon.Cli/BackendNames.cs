using RemapDaemon.Device;
using RemapDaemon.Device.Errors;

namespace RemapDaemon.Cli;

/// <summary>--backend of remapd and remapctl: auto, kernel or emulator.</summary>
public static class BackendNames
{
    public static BackendKind Parse(string value) => value switch
    {
        "auto" => BackendKind.Auto,
        "kernel" => BackendKind.Kernel,
        "emulator" => BackendKind.Emulator,
        _ => throw new BackendUsageException("--backend", 0, $"--backend {value}: not a backend (auto, kernel or emulator)"),
    };
}
