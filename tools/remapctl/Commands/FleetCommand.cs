using RemapDaemon.Cli;
using RemapDaemon.Fleet.Hub;
using RemapDaemon.Remapctl.Cli;

namespace RemapDaemon.Remapctl.Commands;

/// <summary>
/// remapctl fleet: parses the fleet's own verbs (status, find, extract, config, start, stop),
/// connects to the hub and runs the verb. What the caller got wrong (a bad time, filter, host
/// name or KEY=VALUE, an unknown host) exits 2; the hub or a host failing exits 1.
/// </summary>
internal static class FleetCommand
{
    internal const string Program = "remapctl fleet";

    /// <summary>The exit codes under 'remapctl fleet --help'.</summary>
    internal static readonly IReadOnlyList<string> ExitCodeLines =
    [
        "",
        "Exit codes:",
        "  0  ok",
        "  1  runtime error: the hub does not answer, a host does not answer or refuses",
        "     (one 'error:' line says which and why)",
        "  2  bad option or value: a time, a filter expression (libpcap's message), a host name,",
        "     KEY=VALUE, a host the hub has no stream of",
    ];

    /// <param name="args">What follows 'fleet'.</param>
    internal static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        CommandLineParsing.Outcome parsed = CommandLineParsing.Parse<FleetStatusOptions, FleetFindOptions, FleetExtractOptions, FleetConfigOptions, FleetStartOptions, FleetStopOptions>(
            Program, args, ExitCodeLines, stdout, stderr);
        if (parsed.Options is not IFleetConnectionOptions options)
        {
            return parsed.ExitCode;
        }

        try
        {
            return parsed.Options switch
            {
                FleetStatusOptions o => FleetStatusCommand.Run(o, stdout),
                FleetFindOptions o => FleetFindCommand.Run(o, stdout),
                FleetExtractOptions o => FleetExtractCommand.Run(o, stderr),
                FleetConfigOptions o => FleetConfigCommand.Run(o, stdout, stderr),
                FleetStartOptions o => FleetServiceCommand.Run(o, o.Host, "start", stdout),
                FleetStopOptions o => FleetServiceCommand.Run(o, o.Host, "stop", stdout),
                _ => throw new InvalidOperationException($"no command for {options.GetType().Name}"),
            };
        }
        catch (FleetUsageException e)
        {
            throw new CommandException(ExitCode.Usage, e.Message, e);
        }
    }

    /// <summary>Connects as the options say (--server, else $REMAPD_FLEET_SERVER, else the default).</summary>
    internal static FleetClient Connect(IFleetConnectionOptions o, TimeSpan? requestTimeout = null)
    {
        string servers = Servers(o.Server, Environment.GetEnvironmentVariable(IFleetConnectionOptions.ServerVariable));
        var options = new FleetClientOptions { Servers = servers, HubDomain = o.HubDomain };
        if (requestTimeout is TimeSpan timeout)
        {
            options = options with { RequestTimeout = timeout };
        }

        return FleetClient.ConnectAsync(options).GetAwaiter().GetResult();
    }

    /// <summary>--server, else the environment's, else <see cref="IFleetConnectionOptions.DefaultServer"/>.</summary>
    internal static string Servers(string? option, string? environment) =>
        !string.IsNullOrWhiteSpace(option) ? option.Trim()
        : !string.IsNullOrWhiteSpace(environment) ? environment.Trim()
        : IFleetConnectionOptions.DefaultServer;

    /// <summary>--from/--to as ns since the epoch (absent: 0 and no end).</summary>
    internal static (ulong From, ulong To) Range(string? from, string? to, DateTime nowUtc)
    {
        ulong fromNs = from is null ? 0 : TimeArguments.Time(from, nowUtc)
            ?? throw new CommandException(ExitCode.Usage, $"--from {from}: not a time ({TimeArguments.TimeForms})");
        ulong toNs = to is null ? ulong.MaxValue : TimeArguments.Time(to, nowUtc)
            ?? throw new CommandException(ExitCode.Usage, $"--to {to}: not a time ({TimeArguments.TimeForms})");
        return toNs < fromNs
            ? throw new CommandException(ExitCode.Usage, $"--to {to} is before --from {from}")
            : (fromNs, toNs);
    }
}
