using System.Globalization;
using RemapDaemon.Cli;
using RemapDaemon.Fleet.Hub;
using RemapDaemon.Remapctl.Cli;

namespace RemapDaemon.Remapctl.Commands;

/// <summary>remapctl fleet config set|get|delete: the remapd-config bucket, key by key of its remapd.conf text.</summary>
internal static class FleetConfigCommand
{
    internal static int Run(FleetConfigOptions o, TextWriter stdout, TextWriter stderr)
    {
        string? host = o.Host;
        if (host is not null && o.All)
        {
            throw new CommandException(ExitCode.Usage, "--host and --all: one or the other");
        }

        if (host is not null)
        {
            FleetClient.CheckHostName(host);
        }

        List<string> arguments = [.. o.Arguments];
        switch (o.Action)
        {
            case "set" when arguments.Count == 0:
                throw new CommandException(ExitCode.Usage, "config set: no KEY=VALUE given");
            case "get" when arguments.Count > 0:
                throw new CommandException(ExitCode.Usage, $"config get takes no KEY (got '{arguments[0]}')");
            case "set" or "get" or "delete":
                break;
            default:
                throw new CommandException(ExitCode.Usage, $"config {o.Action}: not an action (set, get or delete)");
        }

        // Every argument checked before the hub is asked.
        List<(string Key, string Value)> assignments = o.Action == "set" ? [.. arguments.Select(ConfigText.ParseAssignment)] : [];
        List<string> keys = o.Action == "delete" ? [.. arguments.Select(ConfigText.ParseKey)] : [];

        FleetClient client = FleetCommand.Connect(o);
        using (Disposer.Of(client))
        {
            ConfigEntry? current = client.ConfigGetAsync(host).GetAwaiter().GetResult();
            string key = current?.Key ?? (host is null ? Fleet.FleetNames.AllHostsKey : Fleet.FleetNames.HostKey(host));
            switch (o.Action)
            {
                case "get":
                    if (current is null)
                    {
                        stderr.WriteLine($"remapctl: fleet config: no configuration under key '{key}'");
                        return (int)ExitCode.Ok;
                    }

                    stdout.Write(current.Text);
                    return (int)ExitCode.Ok;
                case "set":
                    ulong revision = client.ConfigSetAsync(host, ConfigText.Set(current?.Text ?? "", assignments)).GetAwaiter().GetResult();
                    stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{key}: revision {revision}"));
                    return (int)ExitCode.Ok;
                default:
                    if (keys.Count > 0)
                    {
                        if (current is null)
                        {
                            stdout.WriteLine($"{key}: no configuration, nothing to delete");
                            return (int)ExitCode.Ok;
                        }

                        ulong after = client.ConfigSetAsync(host, ConfigText.Remove(current.Text, keys)).GetAwaiter().GetResult();
                        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{key}: revision {after}"));
                        return (int)ExitCode.Ok;
                    }

                    bool deleted = client.ConfigDeleteAsync(host).GetAwaiter().GetResult();
                    stdout.WriteLine(deleted ? $"{key}: deleted" : $"{key}: no configuration, nothing to delete");
                    return (int)ExitCode.Ok;
            }
        }
    }
}
