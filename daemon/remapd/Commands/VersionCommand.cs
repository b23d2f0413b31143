using RemapDaemon.Cli;
using RemapDaemon.Device;
using RemapDaemon.Protocol;
using RemapDaemon.Protocol.Abi;
using RemapDaemon.Remapd.Cli;
using static RemapDaemon.Protocol.Abi.Skbremap;

namespace RemapDaemon.Remapd.Commands;

/// <summary>remapd version: this build, and the VERSION answer of each backend that is there.</summary>
internal static class VersionCommand
{
    internal static int Run(TextWriter stdout)
    {
        stdout.WriteLine($"remapd {ProgramVersion.Text}, speaks skbremap ABI {SKBREMAP_ABI_VERSION}");
        stdout.WriteLine($"kernel:   {Describe(BackendKind.Kernel)}");
        stdout.WriteLine($"emulator: {Describe(BackendKind.Emulator)}");
        return (int)ExitCode.Ok;
    }

    private static string Describe(BackendKind kind)
    {
        if (kind == BackendKind.Kernel && !KernelBackend.DeviceExists)
        {
            return $"{KernelBackend.DevicePath} absent (skbremap.ko not loaded)";
        }

        try
        {
            using ICaptureBackend backend = BackendFactory.Open(kind);
            skbremap_version v = backend.CheckVersion();
            return $"{backend.Name}: ABI {v.abi_version}, page size {v.page_size}, features 0x{v.features:x}";
        }
        catch (SkbremapException e)
        {
            return e.Message;
        }
    }
}
