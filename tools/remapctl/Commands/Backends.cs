using RemapDaemon.Backends;

namespace RemapDaemon.Remapctl.Commands;

/// <summary>--backend as remapd spells it.</summary>
internal static class Backends
{
    internal static BackendKind Parse(string value) => value switch
    {
        "auto" => BackendKind.Auto,
        "kernel" => BackendKind.Kernel,
        "emulator" => BackendKind.Emulator,
        _ => throw new BackendUsageException("--backend", 0, $"--backend {value}: not a backend (auto, kernel or emulator)"),
    };
}
