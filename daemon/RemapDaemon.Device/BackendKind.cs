namespace RemapDaemon.Device;

/// <summary>Which skbremap to talk to (--backend).</summary>
public enum BackendKind
{
    /// <summary>The module when /dev/skbremap exists, else the emulator.</summary>
    Auto,

    /// <summary>skbremap.ko through /dev/skbremap.</summary>
    Kernel,

    /// <summary>The workqueue remap emulation, libskbremap_emu.so, in this process.</summary>
    Emulator,
}
