using CommandLine;

namespace RemapDaemon.Remapctl.Cli;

[Verb("start", HelpText = "Resume capturing on a host that 'fleet stop' paused: its filter in force again. Prints the host's new state.")]
internal sealed class FleetStartOptions : IFleetConnectionOptions
{
    [Option("server", MetaValue = "URLS", HelpText = IFleetConnectionOptions.ServerHelp)]
    public string? Server { get; set; }

    [Option("hub-domain", Default = "hub", MetaValue = "DOMAIN", HelpText = IFleetConnectionOptions.HubDomainHelp)]
    public string HubDomain { get; set; } = "hub";

    [Option("host", Required = true, MetaValue = "HOST", HelpText = "The host (repeat for more).")]
    public IEnumerable<string> Host { get; set; } = [];
}
