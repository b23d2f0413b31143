using CommandLine;

namespace RemapDaemon.Remapctl.Cli;

[Verb("find", HelpText = "The store files of every host that may hold packets between --from and --to that match EXPRESSION, from the hub's FLEET_* streams alone (index records minus files a 'deleted' event names; no host is asked). " +
    "PACKETS is an upper bound: the packets of the file's flows that meet the range and that the filter may match; a file whose record has no flows is listed as 'may match' with all its packets.")]
internal sealed class FleetFindOptions : IFleetConnectionOptions
{
    [Option("server", MetaValue = "URLS", HelpText = IFleetConnectionOptions.ServerHelp)]
    public string? Server { get; set; }

    [Option("hub-domain", Default = "hub", MetaValue = "DOMAIN", HelpText = IFleetConnectionOptions.HubDomainHelp)]
    public string HubDomain { get; set; } = "hub";

    [Option("from", MetaValue = "TIME",
        HelpText = "First time wanted (inclusive): RFC 3339 ('2026-12-06T14:02:00Z', no zone = UTC), seconds since the epoch ('1765029720.5'), or relative ('10m ago', '90s ago', '2h ago', 'now'). Default: the beginning.")]
    public string? From { get; set; }

    [Option("to", MetaValue = "TIME", HelpText = "End of the range (exclusive), as --from. Default: no end.")]
    public string? To { get; set; }

    [Value(0, MetaName = "EXPRESSION", HelpText = "tcpdump filter expression (pcap-filter(7)); none: every packet of the range.")]
    public IEnumerable<string> Expression { get; set; } = [];
}
