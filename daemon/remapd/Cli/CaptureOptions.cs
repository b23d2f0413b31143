using CommandLine;

namespace RemapDaemon.Remapd.Cli;

/// <summary>
/// remapd capture: the options as the user types them. Sizes left 0 take skbremap's defaults
/// (SKBREMAP_DEF_*); skbremap checks every value again (it must: they are hostile input).
/// CommandLineParser fills this by reflection: <see cref="CommandLineParsing"/> keeps its members
/// alive under trimming and NativeAOT.
/// </summary>
[Verb("capture", isDefault: true, HelpText = "Capture packets into a pcap file (the default verb: 'remapd -i lo -w x.pcap' works too).")]
internal sealed class CaptureOptions
{
    [Option('i', "interface", Default = "any", MetaValue = "IFACE",
        HelpText = "Interface to capture on, by name; 'any' captures every interface. As with tcpdump, a packet sent on lo is written once (its outgoing copy is skipped).")]
    public string Interface { get; set; } = "any";

    [Option('w', "write", Required = true, MetaValue = "FILE",
        HelpText = "Write packets to this pcap file (nanosecond timestamps, Ethernet link type); '-' writes to stdout.")]
    public string Write { get; set; } = "";

    [Option('c', "count", Default = 0UL, MetaValue = "N",
        HelpText = "Stop after writing N packets (0 = no limit).")]
    public ulong Count { get; set; }

    [Option('d', "duration", Default = 0.0, MetaValue = "SECONDS",
        HelpText = "Stop after this many seconds (0 = no limit).")]
    public double Duration { get; set; }

    [Option("backend", Default = "auto", MetaValue = "auto|kernel|emulator",
        HelpText = "kernel: skbremap.ko through /dev/skbremap. emulator: the workqueue remap emulation (libskbremap_emu.so) in this process. auto: kernel when /dev/skbremap exists, else emulator.")]
    public string Backend { get; set; } = "auto";

    [Option("source", MetaValue = "SPEC",
        HelpText = "Emulator only: where packets come from. afpacket (default: an AF_PACKET socket on -i), pcap:FILE (replay, then stop), synthetic:count=N,min=A,max=B,rate=R (generated UDP frames, then stop).")]
    public string? Source { get; set; }

    [Option('s', "snaplen", Default = 0U, MetaValue = "BYTES",
        HelpText = "Bytes kept of each packet (0 = the whole packet; at most 262144).")]
    public uint Snaplen { get; set; }

    [Option("windows", Default = 0U, MetaValue = "N",
        HelpText = "Windows in the region, 2..256 (0 = skbremap's default, 16).")]
    public uint Windows { get; set; }

    [Option("pages-per-window", Default = 0U, MetaValue = "P",
        HelpText = "Data pages per window, 1..512 (0 = skbremap's default, 64).")]
    public uint PagesPerWindow { get; set; }

    [Option("retire-usec", Default = 0U, MetaValue = "USEC",
        HelpText = "Publish a part-full window after this many microseconds, at most 10000000 (0 = skbremap's default, 10000).")]
    public uint RetireUsec { get; set; }

    [Option("queue-limit", Default = 0U, MetaValue = "N",
        HelpText = "Packets queued between the packet hook and the worker before it drops, at most 65536 (0 = skbremap's default, 4096).")]
    public uint QueueLimit { get; set; }

    [Option("stats-interval", Default = 1.0, MetaValue = "SECONDS",
        HelpText = "Refresh the live statistics line on stderr this often (0 = no live line).")]
    public double StatsInterval { get; set; }

    [Option('q', "quiet", Default = false,
        HelpText = "No live line and no informational log lines: only warnings, errors and the final summary.")]
    public bool Quiet { get; set; }

    /// <summary>
    /// A word that is not an option ('remapd frobnicate'): CommandLineParser would ignore it
    /// silently; the command refuses it instead.
    /// </summary>
    [Value(0, MetaName = "unexpected", Hidden = true)]
    public string? Unexpected { get; set; }

    [Option('v', "verbose", Default = false,
        HelpText = "Also log the ABI handshake and the region layout.")]
    public bool Verbose { get; set; }
}
