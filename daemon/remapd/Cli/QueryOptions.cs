using CommandLine;

namespace RemapDaemon.Remapd.Cli;

/// <summary>remapd query: the options as the user types them (see <see cref="Commands.QueryCommand"/>).</summary>
[Verb("query", HelpText = "Write the packets of a capture store (remapd capture --store) between two times that match a tcpdump filter expression, " +
    "as pcap or pcapng, in timestamp order: 'remapd query --store /var/lib/remapd --from \"10m ago\" -w x.pcap host 10.0.0.1 and port 443'. " +
    "Reads only the files whose index covers the range and, in them, only the positions of the flows the filter may match; every packet read is judged by the filter itself.")]
internal sealed class QueryOptions
{
    [Option("store", Required = true, MetaValue = "DIR", HelpText = "The store directory.")]
    public string Store { get; set; } = "";

    [Option("from", MetaValue = "TIME",
        HelpText = "First time wanted (inclusive): RFC 3339 ('2026-12-06T14:02:00Z', no zone = UTC), seconds since the epoch ('1765029720.5'), or relative ('10m ago', '90s ago', '2h ago', 'now'). Default: the beginning.")]
    public string? From { get; set; }

    [Option("to", MetaValue = "TIME", HelpText = "End of the range (exclusive), as --from. Default: no end.")]
    public string? To { get; set; }

    [Option('w', "write", Default = "-", MetaValue = "FILE", HelpText = "Write the packets to FILE; '-' (the default) to stdout.")]
    public string Write { get; set; } = "-";

    [Option("format", MetaValue = "pcap|pcapng", HelpText = "Output format. Default: pcapng when -w ends in .pcapng, else pcap.")]
    public string? Format { get; set; }

    [Option("store-name", MetaValue = "NAME", HelpText = "Only the files of this capture. Default: every capture in the store.")]
    public string? StoreName { get; set; }

    [Option("no-index", Default = false, HelpText = "Ignore the indexes: read every file of the store whole (for comparison).")]
    public bool NoIndex { get; set; }

    [Option('q', "quiet", Default = false, HelpText = "No summary line on stderr.")]
    public bool Quiet { get; set; }

    [Value(0, MetaName = "EXPRESSION", HelpText = "tcpdump filter expression (pcap-filter(7)); none: every packet of the range.")]
    public IEnumerable<string> Expression { get; set; } = [];

    [Option('v', "verbose", Default = false, HelpText = "The stack trace of an error too.")]
    public bool Verbose { get; set; }
}
