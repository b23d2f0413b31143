using System.Globalization;
using RemapDaemon.Cli;
using RemapDaemon.Fleet.Hub;
using RemapDaemon.Remapctl.Cli;

namespace RemapDaemon.Remapctl.Commands;

/// <summary>remapctl fleet find: the files of the fleet that may hold the packets asked for, from the hub's streams alone.</summary>
internal static class FleetFindCommand
{
    internal static int Run(FleetFindOptions o, TextWriter stdout)
    {
        (ulong from, ulong to) = FleetCommand.Range(o.From, o.To, DateTime.UtcNow);
        string expression = string.Join(' ', o.Expression);
        _ = new FleetFilter(expression); // a bad expression is refused before the hub is asked
        FindResult result;
        FleetClient client = FleetCommand.Connect(o);
        using (Disposer.Of(client))
        {
            result = client.FindAsync(from, to, expression).GetAwaiter().GetResult();
        }

        Table(stdout, result);
        return (int)ExitCode.Ok;
    }

    internal static void Table(TextWriter stdout, FindResult result)
    {
        if (result.Files.Count > 0)
        {
            var rows = new List<string[]> { new[] { "HOST", "FILE", "FIRST", "LAST", "PACKETS" } };
            foreach (FoundFile f in result.Files)
            {
                string packets = f.Packets.ToString(CultureInfo.InvariantCulture);
                rows.Add([f.Host, f.File, TimeArguments.Format(f.FirstNs), TimeArguments.Format(f.LastNs), f.FlowsComplete ? packets : $"{packets} (may match: no flows in its record)"]);
            }

            TextTable.Write(stdout, rows);
        }

        ulong total = 0;
        foreach (FoundFile f in result.Files)
        {
            total += f.Packets;
        }

        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{result.Files.Count} files on {result.HostsWithFiles.Count} of {result.Hosts.Count} hosts, at most {total} packets; " +
            $"{result.IndexRecords} index records read, {result.DeletedFiles} files deleted, {result.DuplicateRecords} duplicate records, {result.UnreadableMessages} unreadable messages"));
    }
}
