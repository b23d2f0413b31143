using System.Globalization;
using RemapDaemon.Cli;
using RemapDaemon.Fleet.Hub;
using RemapDaemon.Output;
using RemapDaemon.Remapctl.Cli;

namespace RemapDaemon.Remapctl.Commands;

/// <summary>
/// remapctl fleet extract: every host that find names runs the query, remapctl merges their
/// answers by timestamp into one file. A failure leaves no output file behind.
/// </summary>
internal static class FleetExtractCommand
{
    internal static int Run(FleetExtractOptions o, TextWriter stderr)
    {
        (ulong from, ulong to) = FleetCommand.Range(o.From, o.To, DateTime.UtcNow);
        CaptureFileFormat format = Format(o.Format, o.Write);
        if (!(o.Timeout > 0 && o.Timeout <= 86400))
        {
            throw new CommandException(ExitCode.Usage, $"--timeout {o.Timeout.ToString(CultureInfo.InvariantCulture)}: not a number of seconds in (0, 86400]");
        }

        string expression = string.Join(' ', o.Expression);
        _ = new FleetFilter(expression); // a bad expression is refused before the hub is asked
        List<string>? hosts = o.Host.Any() ? [.. o.Host] : null;
        foreach (string h in hosts ?? [])
        {
            FleetClient.CheckHostName(h);
        }

        ExtractResult result;
        FleetClient client = FleetCommand.Connect(o, TimeSpan.FromSeconds(o.Timeout));
        using (Disposer.Of(client))
        {
            if (o.Write == "-")
            {
                using Stream stdout = Console.OpenStandardOutput();
                using var buffered = new BufferedStream(stdout, 1 << 16);
                result = client.ExtractAsync(from, to, expression, buffered, format, hosts).GetAwaiter().GetResult();
            }
            else
            {
                result = ToFile(client, o.Write, from, to, expression, format, hosts);
            }
        }

        if (!o.Quiet)
        {
            string parts = string.Join(", ", result.Hosts.Select(h => string.Create(CultureInfo.InvariantCulture, $"{h.Host}: {h.PacketsMerged} packets, {h.Bytes} bytes")));
            stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"remapctl: fleet extract: {result.PacketsWritten} packets written from {result.Hosts.Count} hosts{(parts.Length > 0 ? " (" + parts + ")" : "")}"));
        }

        return (int)ExitCode.Ok;
    }

    internal static CaptureFileFormat Format(string? format, string write) => format switch
    {
        "pcap" => CaptureFileFormat.Pcap,
        "pcapng" => CaptureFileFormat.PcapNg,
        null => write.EndsWith(".pcapng", StringComparison.OrdinalIgnoreCase) ? CaptureFileFormat.PcapNg : CaptureFileFormat.Pcap,
        _ => throw new CommandException(ExitCode.Usage, $"-F/--format {format}: not a format (pcap or pcapng)"),
    };

    private static ExtractResult ToFile(FleetClient client, string path, ulong from, ulong to, string expression, CaptureFileFormat format, List<string>? hosts)
    {
        bool done = false;
        try
        {
            ExtractResult result;
            using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16))
            {
                result = client.ExtractAsync(from, to, expression, file, format, hosts).GetAwaiter().GetResult();
            }

            done = true;
            return result;
        }
        finally
        {
            if (!done)
            {
                File.Delete(path);
            }
        }
    }
}
