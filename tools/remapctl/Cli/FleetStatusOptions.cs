using CommandLine;

namespace RemapDaemon.Remapctl.Cli;

[Verb("status", HelpText = "One row per host of the hub's remapd-alive bucket: alive (its last status younger than three intervals) and the status's age, state, packets, drops, filter, and its configuration's revisions and whether it was applied.")]
internal sealed class FleetStatusOptions : IFleetConnectionOptions
{
    [Option("server", MetaValue = "URLS", HelpText = IFleetConnectionOptions.ServerHelp)]
    public string? Server { get; set; }

    [Option("hub-domain", Default = "hub", MetaValue = "DOMAIN", HelpText = IFleetConnectionOptions.HubDomainHelp)]
    public string HubDomain { get; set; } = "hub";

    [Option("json", Default = false, HelpText = "Print JSON: every host's age, alive and its status as the host published it.")]
    public bool Json { get; set; }
}
