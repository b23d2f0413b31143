using CommandLine;

namespace RemapDaemon.Remapctl.Cli;

[Verb("extract", HelpText = "The packets between --from and --to that match EXPRESSION, from every host that 'fleet find' names (or those of --host): each host runs the query on its store, remapctl fetches the result in chunks of 256 KiB as it merges, " +
    "and writes one capture file in timestamp order (equal times: host order, then each host's order). No file found: a valid capture file with no packets. A summary line on stderr.")]
internal sealed class FleetExtractOptions : IFleetConnectionOptions
{
    [Option("server", MetaValue = "URLS", HelpText = IFleetConnectionOptions.ServerHelp)]
    public string? Server { get; set; }

    [Option("hub-domain", Default = "hub", MetaValue = "DOMAIN", HelpText = IFleetConnectionOptions.HubDomainHelp)]
    public string HubDomain { get; set; } = "hub";

    [Option("from", MetaValue = "TIME", HelpText = "First time wanted (inclusive), as in 'fleet find'. Default: the beginning.")]
    public string? From { get; set; }

    [Option("to", MetaValue = "TIME", HelpText = "End of the range (exclusive), as --from. Default: no end.")]
    public string? To { get; set; }

    [Option('w', "write", Required = true, MetaValue = "FILE", HelpText = "Write the packets to FILE; '-' to stdout. A failed extract leaves no FILE behind.")]
    public string Write { get; set; } = "";

    [Option('F', "format", MetaValue = "pcap|pcapng", HelpText = "Output format. Default: pcapng when FILE ends in .pcapng, else pcap.")]
    public string? Format { get; set; }

    [Option("host", MetaValue = "HOST", HelpText = "Only this host (repeat for more); a host the hub has no stream of is an error. Default: every host 'fleet find' names.")]
    public IEnumerable<string> Host { get; set; } = [];

    [Option("timeout", Default = 30.0, MetaValue = "SECONDS", HelpText = "How long each host has to answer a request (the extract request includes the host's query).")]
    public double Timeout { get; set; }

    [Option('q', "quiet", Default = false, HelpText = "No summary line on stderr.")]
    public bool Quiet { get; set; }

    [Value(0, MetaName = "EXPRESSION", HelpText = "tcpdump filter expression (pcap-filter(7)); none: every packet of the range.")]
    public IEnumerable<string> Expression { get; set; } = [];
}
