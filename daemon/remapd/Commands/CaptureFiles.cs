using System.Collections.Concurrent;
using RemapDaemon.Cli;
using RemapDaemon.Device;
using RemapDaemon.Output;
using RemapDaemon.Output.PcapNg;
using RemapDaemon.Remapd.Cli;

namespace RemapDaemon.Remapd.Commands;

/// <summary>The output side of remapd capture: -w, --format, -s, -C, -G, -W as a checked <see cref="CaptureFileOptions"/>, and the writer.</summary>
internal static class CaptureFiles
{
    internal static CaptureFileOptions From(CaptureOptions o)
    {
        CaptureFileFormat format = o.Format switch
        {
            "pcap" => CaptureFileFormat.Pcap,
            "pcapng" => CaptureFileFormat.PcapNg,
            null => o.Write.EndsWith(".pcapng", StringComparison.OrdinalIgnoreCase) ? CaptureFileFormat.PcapNg : CaptureFileFormat.Pcap,
            _ => throw new CommandException(ExitCode.Usage, $"--format {o.Format}: not a format (pcap or pcapng)"),
        };

        if (!(o.FileSizeMb >= 0 && o.FileSizeMb * CaptureOutput.RotateSizeUnit <= long.MaxValue))
        {
            throw new CommandException(ExitCode.Usage, "-C/--file-size: megabytes (1,000,000 bytes), 0 or more");
        }

        // Names are looked up once per interface (sysfs), when its first packet comes.
        var names = new ConcurrentDictionary<int, string?>();
        var options = new CaptureFileOptions
        {
            Path = o.Write,
            Format = format,
            Snaplen = o.Snaplen,
            RotateBytes = (long)Math.Ceiling(o.FileSizeMb * CaptureOutput.RotateSizeUnit),
            RotateSeconds = o.RotateSeconds,
            FileCount = o.FileCount,

            // Now, before the capture starts: no packet is stamped earlier, so the first -G
            // file's name is never later than its first packet (RotatingWriter).
            StartTimeNs = RealtimeClock.NowNs(),
            InterfaceName = ifindex => names.GetOrAdd(ifindex, NetworkInterfaces.TryNameOf),
        };

        try
        {
            CaptureOutput.Validate(options);
        }
        catch (ArgumentException e)
        {
            throw new CommandException(ExitCode.Usage, e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal));
        }

        return options;
    }

    /// <summary>Opens the file (or stdout, or the first of a rotating series); pcapng describes the bound interface at once.</summary>
    internal static IPacketWriter Open(CaptureFileOptions options, int boundIfindex)
    {
        IPacketWriter writer;
        try
        {
            writer = CaptureOutput.Open(options);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CommandException(ExitCode.RuntimeError, $"cannot write {options.Path}: {e.Message}");
        }

        // A pcapng reader needs an IDB before the first packet: on a pipe, give it one now.
        if (writer is PcapNgWriter pcapng && boundIfindex != 0)
        {
            pcapng.DescribeInterface(boundIfindex);
        }

        return writer;
    }
}
