using CommandLine;

namespace RemapDaemon.Remapctl.Cli;

[Verb("stop", HelpText = "Pause capturing on a host: its filter rejects every packet, nothing is written, remapd keeps running and publishing its status. Prints the host's new state.")]
internal sealed class FleetStopOptions : IFleetConnectionOptions
{
    [Option("server", MetaValue = "URLS", HelpText = IFleetConnectionOptions.ServerHelp)]
    public string? Server { get; set; }

    [Option("hub-domain", Default = "hub", MetaValue = "DOMAIN", HelpText = IFleetConnectionOptions.HubDomainHelp)]
    public string HubDomain { get; set; } = "hub";

    [Option("host", Required = true, MetaValue = "HOST", HelpText = "The host (repeat for more).")]
    public IEnumerable<string> Host { get; set; } = [];
}
