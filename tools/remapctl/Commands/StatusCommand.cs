using System.Text.Json;
using RemapDaemon.Cli;
using RemapDaemon.Device;
using RemapDaemon.Protocol.Abi;
using RemapDaemon.Remapctl.Cli;

namespace RemapDaemon.Remapctl.Commands;

/// <summary>
/// remapctl status: SKBREMAP_IOC_GLOBAL and SKBREMAP_IOC_CAPTURES. Opening the device is
/// itself a capture (unconfigured: windows 0), so remapctl's own shows up in the list, marked.
/// </summary>
internal static class StatusCommand
{
    internal static int Run(StatusOptions o, TextWriter stdout)
    {
        using ICaptureBackend backend = BackendFactory.Open(BackendNames.Parse(o.Backend));
        skbremap_version version = backend.CheckVersion();
        skbremap_global global = backend.Global();
        List<skbremap_capture_info> captures = backend.Captures();
        int self = Environment.ProcessId;

        if (o.Json)
        {
            using var j = new Utf8JsonWriter(Console.OpenStandardOutput(), new JsonWriterOptions { Indented = true });
            j.WriteStartObject();
            j.WriteString("backend", backend.Name);
            j.WriteNumber("abi_version", version.abi_version);
            j.WriteNumber("page_size", version.page_size);
            j.WriteNumber("features", version.features);
            StatsFormat.Json(j, global);
            j.WriteStartArray("captures");
            foreach (skbremap_capture_info c in captures)
            {
                StatsFormat.Json(j, c);
            }

            j.WriteEndArray();
            j.WriteEndObject();
            j.Flush();
            stdout.WriteLine();
            return (int)ExitCode.Ok;
        }

        stdout.WriteLine($"backend  {backend.Name}: ABI {version.abi_version}, page size {version.page_size}, features 0x{version.features:x}");
        StatsFormat.Text(stdout, global);
        foreach (skbremap_capture_info c in captures)
        {
            StatsFormat.Text(stdout, c);
            if (c.pid == self && c.windows == 0)
            {
                stdout.WriteLine("  (this is remapctl's own, unconfigured capture)");
            }
        }

        return (int)ExitCode.Ok;
    }
}
