using RemapDaemon.Cli;
using RemapDaemon.Fleet.Hub;
using RemapDaemon.Fleet.Messages;
using RemapDaemon.Remapctl.Cli;

namespace RemapDaemon.Remapctl.Commands;

/// <summary>remapctl fleet start|stop: the host's service; prints each host's new state.</summary>
internal static class FleetServiceCommand
{
    internal static int Run(IFleetConnectionOptions o, IEnumerable<string> hosts, string verb, TextWriter stdout)
    {
        List<string> names = [.. hosts];
        foreach (string h in names)
        {
            FleetClient.CheckHostName(h);
        }

        FleetClient client = FleetCommand.Connect(o);
        using (Disposer.Of(client))
        {
            foreach (string h in names)
            {
                ServiceReply reply = client.RequestAsync(h, verb).GetAwaiter().GetResult();
                stdout.WriteLine($"{h}: {reply.Status?.State ?? "ok"}");
            }
        }

        return (int)ExitCode.Ok;
    }
}
