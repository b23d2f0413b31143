using System.Globalization;
using RemapDaemon.Cli;
using RemapDaemon.Output;
using RemapDaemon.Filtering;
using RemapDaemon.Remapd.Cli;
using RemapDaemon.Store;
using RemapDaemon.Store.Query;

namespace RemapDaemon.Remapd.Commands;

/// <summary>
/// remapd query: parse the times and the format, compile the filter (a bad one exits 2 with
/// libpcap's message), run <see cref="StoreQuery"/> into the file or stdout, and say on stderr
/// how many files and bytes it read. An empty range is a valid capture file with no packets.
/// </summary>
internal static class QueryCommand
{
    internal static int Run(Cli.QueryOptions o, TextWriter stderr)
    {
        DateTime now = DateTime.UtcNow;
        ulong from = o.From is null ? 0 : StoreArguments.Time(o.From, now)
            ?? throw new CommandException(ExitCode.Usage, $"--from {o.From}: not a time (RFC 3339 '2026-12-06T14:02:00Z', epoch seconds, '10m ago', 'now')");
        ulong to = o.To is null ? ulong.MaxValue : StoreArguments.Time(o.To, now)
            ?? throw new CommandException(ExitCode.Usage, $"--to {o.To}: not a time (RFC 3339 '2026-12-06T14:02:00Z', epoch seconds, '10m ago', 'now')");
        CaptureFileFormat format = o.Format switch
        {
            "pcap" => CaptureFileFormat.Pcap,
            "pcapng" => CaptureFileFormat.PcapNg,
            null => o.Write.EndsWith(".pcapng", StringComparison.OrdinalIgnoreCase) ? CaptureFileFormat.PcapNg : CaptureFileFormat.Pcap,
            _ => throw new CommandException(ExitCode.Usage, $"--format {o.Format}: not a format (pcap or pcapng)"),
        };
        if (!Directory.Exists(o.Store))
        {
            throw new CommandException(ExitCode.Usage, $"--store {o.Store}: no such directory");
        }

        var query = new Store.Query.QueryOptions
        {
            Directory = Path.GetFullPath(o.Store),
            FromNs = from,
            ToNs = to,
            Filter = string.Join(' ', o.Expression),
            UseIndex = !o.NoIndex,
            Capture = o.StoreName,
            Format = format,
        };

        // The filter first: a bad one leaves no output file behind.
        try
        {
            _ = BpfProgram.Compile(query.Filter);
        }
        catch (BpfCompileException e)
        {
            throw new CommandException(ExitCode.Usage, $"filter '{query.Filter}': {e.Message}");
        }

        var statistics = new StoreStatistics();
        QueryResult r;
        var started = System.Diagnostics.Stopwatch.StartNew();
        if (o.Write == CaptureOutput.StdoutPath)
        {
            using Stream stdout = Console.OpenStandardOutput();
            using var buffered = new BufferedStream(stdout, 1 << 16);
            r = StoreQuery.Run(query, buffered, statistics);
        }
        else
        {
            using var file = new FileStream(o.Write, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);
            r = StoreQuery.Run(query, file, statistics);
        }

        if (!o.Quiet)
        {
            stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"remapd: query: {r.PacketsWritten} packets written; {r.FilesRead} of {r.FilesInStore} files read ({r.FilesByIndex} through their index, {r.FilesWhole} whole), " +
                $"{r.FlowsSkipped} flows skipped, {r.PacketsExamined} packets examined, {r.BytesRead} bytes read in {started.Elapsed.TotalSeconds:0.000} s"));
        }

        return (int)ExitCode.Ok;
    }
}
