using CommandLine;
using RemapDaemon.Cli;

namespace RemapDaemon.Remapd.Cli;

/// <summary>
/// remapd capture: the options as the user types them. Sizes left 0 take skbremap's defaults
/// (SKBREMAP_DEF_*); skbremap checks every value again (it must: they are hostile input).
/// CommandLineParser fills this by reflection: <see cref="CommandLineParsing"/> keeps its members
/// alive under trimming and NativeAOT.
/// </summary>
[Verb("capture", isDefault: true, HelpText = "Capture packets into a pcap or pcapng file (the default verb: 'remapd -i lo -w x.pcap' works too). " +
    "Words after the options are a tcpdump filter expression, as with tcpdump: 'remapd -i lo -w x.pcap tcp port 80'. " +
    "SIGHUP re-reads --filter-file and replaces the filter while capturing.")]
internal sealed class CaptureOptions : ICaptureShapeOptions
{
    [Option('i', "interface", Default = "any", MetaValue = "IFACE",
        HelpText = "Interface to capture on, by name; 'any' captures every interface. As with tcpdump, a packet sent on lo is written once (its outgoing copy is skipped).")]
    public string Interface { get; set; } = "any";

    [Option('w', "write", MetaValue = "FILE",
        HelpText = "Write packets to this file (or give --store instead) (nanosecond timestamps, Ethernet link type); '-' writes to stdout, flushed after every window so that 'remapd -w - | tcpdump -r -' shows packets as they come (logs, the live line and the summary go to stderr).")]
    public string Write { get; set; } = "";

    [Option("format", MetaValue = "pcap|pcapng",
        HelpText = "File format. pcapng has an interface description (with the interface's name) per interface and, at the end, interface statistics with the drop count of the bound interface. Default: pcapng when the -w name ends in .pcapng, else pcap.")]
    public string? Format { get; set; }

    [Option('C', "file-size", Default = 0.0, MetaValue = "MB",
        HelpText = "Rotate: start a new file before writing a packet once the current one is larger than MB x 1,000,000 bytes (tcpdump's -C). " +
            "Files are FILE, FILE1, FILE2, ... (with -W N: a ring FILE0..FILE<N-1>); with -G they count from each -G name (NAME, NAME1, ...). 0 = never.")]
    public double FileSizeMb { get; set; }

    [Option('G', "rotate-seconds", Default = 0, MetaValue = "SECONDS",
        HelpText = "Rotate: start a new file before a packet stamped SECONDS or more after the start of the current interval (packet time, so a replay rotates as it was captured). " +
            "As with tcpdump, the -w name is then a strftime(3) format for the local time the interval starts: -G 60 -w 'cap-%Y%m%d-%H%M%S.pcap'. " +
            "Unlike tcpdump, remapd never overwrites a file it wrote: a name without time conversions, or one that comes again (e.g. %H%M with -G 1), gets 1, 2, ... appended. 0 = never.")]
    public int RotateSeconds { get; set; }

    [Option('W', "file-count", Default = 0, MetaValue = "N",
        HelpText = "With -C: keep at most N files, reusing their names in a ring (FILE0..FILE<N-1>, zero-padded; with -G, one ring per -G name). " +
            "With -G and no -C: stop after N files (exit 0), as tcpdump does. 0 = no limit.")]
    public int FileCount { get; set; }

    [Option('F', "filter", MetaValue = "EXPRESSION",
        HelpText = "The filter expression as one argument (unlike tcpdump's -F, not a file name: see --filter-file); the same as giving it after the options, which cannot be combined with it. " +
            "Compiled by libpcap for Ethernet and the snaplen, run in skbremap's packet hook (unselected packets are never queued or remapped; counted as 'filtered'); " +
            "a backend without filter support gets it run by remapd instead, with a warning. A bad expression exits 2 with libpcap's message.")]
    public string? Filter { get; set; }

    [Option("filter-file", MetaValue = "FILE",
        HelpText = "Read the filter expression from FILE, as tcpdump's -F FILE does ('#' starts a comment that runs to the end of its line; an empty file is no filter). " +
            "On SIGHUP remapd reads FILE again, compiles it with libpcap as at the start and puts the new program in force while capturing, atomically: each packet is judged by the old program or by the new one. " +
            "A bad expression or an unreadable file is logged with the reason, and the running filter stays. Not with -F or an expression after the options.")]
    public string? FilterFile { get; set; }

    [Option("match-hex", Max = 1, MetaValue = "HEX[@OFFSET]",
        HelpText = "Write only packets whose payload (TCP/UDP payload; the IP payload for other protocols; after the Ethernet header for non-IP) holds these bytes ('de ad be ef', 'deadbeef', '0xde,0xad'), anywhere or at byte OFFSET of the payload. Repeatable.")]
    public IEnumerable<string> MatchHex { get; set; } = [];

    [Option("match-string", Max = 1, MetaValue = "TEXT[@OFFSET]",
        HelpText = "As --match-hex, for the UTF-8 bytes of TEXT (case-sensitive). Repeatable.")]
    public IEnumerable<string> MatchString { get; set; } = [];

    [Option("match-regex", Max = 1, MetaValue = "REGEX[@OFFSET]",
        HelpText = "As --match-hex, for a .NET regular expression over the payload read as Latin-1 (\\xNN is byte NN); at an OFFSET the match must start there. Repeatable.")]
    public IEnumerable<string> MatchRegex { get; set; } = [];

    [Option("match-any", Default = false,
        HelpText = "A packet passes when any --match-* test matches (default: every test must match). Packets that fail are counted as 'payload mismatch'.")]
    public bool MatchAny { get; set; }

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
        HelpText = "Bytes kept of each packet, in skbremap's hook; the wire length is still recorded (0 = the whole packet; at most 262144). Also the files' snaplen and what the filter returns.")]
    public uint Snaplen { get; set; }

    [Option("windows", Default = 0U, MetaValue = "N",
        HelpText = "Windows in the region, 2..256 (0 = skbremap's default, 16).")]
    public uint Windows { get; set; }

    [Option("pages-per-window", Default = 0U, MetaValue = "P",
        HelpText = "Data pages per window, 1..512 (0 = skbremap's default, 64).")]
    public uint PagesPerWindow { get; set; }

    [Option("info-pages", Default = 0U, MetaValue = "N",
        HelpText = "Info pages per window, 1..64: each describes about 85 more packets (0 = enough for one packet per 128 bytes of data pages, " +
            "e.g. 25 for 64 data pages; 1 with a module that predates the option). A window is published when its data pages or its entries run out.")]
    public uint InfoPages { get; set; }

    [Option("retire-usec", Default = 0U, MetaValue = "USEC",
        HelpText = "Publish a part-full window after this many microseconds, at most 10000000 (0 = skbremap's default, 10000).")]
    public uint RetireUsec { get; set; }

    [Option("queue-limit", Default = 0U, MetaValue = "N",
        HelpText = "Packets queued between the packet hook and the worker before it drops, at most 65536 (0 = skbremap's default, 4096). " +
            "Unused where the module copies in its hook (ring, and adaptive that never remaps).")]
    public uint QueueLimit { get; set; }

    [Option("mode", MetaValue = "MODE",
        HelpText = "How packets reach the windows: bounce (copied into a zeroed page of their own, pages mapped per window), " +
            "ring (copied packed into pages mapped once), remap (the packet's own whole pages inserted where they qualify, else bounce), " +
            "adaptive (ring below --copy-threshold, remap at or above it where the pages qualify, else bounce). " +
            "Default: adaptive where the backend has it, else bounce (a module without delivery modes).")]
    public string? Mode { get; set; }

    [Option("copy-threshold", Default = 0U, MetaValue = "BYTES",
        HelpText = "Adaptive mode: packets of at least this many bytes are remapped rather than copied into the ring " +
            "(0 = calibrated when the capture starts; at most 16777216, which never remaps). remapctl status shows the value in use.")]
    public uint CopyThreshold { get; set; }

    [Option('j', "threads", Default = 1U, MetaValue = "N",
        HelpText = "Capture with N consumer threads: N captures of one skbremap fanout group (as PACKET_FANOUT), each with its own region and thread; " +
            "the group's packet hook gives every packet to exactly one of them (--fanout-mode). Without --merge each writes its own file: " +
            "-w cap.pcap gives cap.0.pcap, cap.1.pcap, ... (the member's number before the extension; -w /dev/null: every member discards there). 1..64; 1 = one capture, no group.")]
    public uint Threads { get; set; } = 1;

    [Option("fanout-mode", Default = "hash", MetaValue = "hash|cpu|lb",
        HelpText = "With -j: which member gets a packet. hash: a symmetric hash of its addresses and TCP/UDP/SCTP ports (both directions of a flow go to the same member; IPv4, IPv6, VLAN-tagged or not); " +
            "cpu: the CPU that received it; lb: round robin.")]
    public string FanoutMode { get; set; } = "hash";

    [Option("no-rollover", Default = false,
        HelpText = "With -j: no rollover. By default a packet whose member holds no free window goes to the next member that has one (counted as its 'rollover'); with --no-rollover it is dropped there.")]
    public bool NoRollover { get; set; }

    [Option("merge", Default = false,
        HelpText = "With -j: write one file (-w, or '-' for stdout) with every member's packets in timestamp order (a k-way merge of bounded per-member queues) instead of one file per member.")]
    public bool Merge { get; set; }

    [Option("fanout-group", Default = 0U, MetaValue = "ID",
        HelpText = "With -j: the fanout group id (0 = remapd's process id, which no other remapd of this network namespace has).")]
    public uint FanoutGroup { get; set; }

    [Option("output-queue", Default = 0U, MetaValue = "N",
        HelpText = "Batches of packets (each at most one window's, and at most 288 KiB copied) that may wait for the disk before the capture does: " +
            "a slow disk is absorbed by the region (its windows wait), and what skbremap drops for want of a window while the queue is full is counted as \"output too slow\". " +
            "0 = as many as the region has windows.")]
    public uint OutputQueue { get; set; }

    [Option("gather-min", Default = 0U, MetaValue = "BYTES",
        HelpText = "Packets of at least this many bytes are written from their window in place (pwritev, the window held until written); shorter ones are copied " +
            "into the writer's batch (0 = 8192, from the measurement in docs/performance.md, 'Output path'; above 262144 = always copy).")]
    public uint GatherMin { get; set; }

    [Option("stats-interval", Default = 1.0, MetaValue = "SECONDS",
        HelpText = "Refresh the live statistics line on stderr this often (0 = no live line).")]
    public double StatsInterval { get; set; }

    [Option('q', "quiet", Default = false,
        HelpText = "No live line and no informational log lines: only warnings, errors and the final summary.")]
    public bool Quiet { get; set; }

    /// <summary>
    /// The words after the options: the filter expression, joined with spaces as tcpdump does
    /// ('remapd -w x.pcap tcp port 80'). Put '--' before an expression that starts with '-'.
    /// </summary>
    [Value(0, MetaName = "EXPRESSION", HelpText = "tcpdump filter expression (pcap-filter(7)), e.g. 'tcp port 80 and host 10.0.0.1', 'vlan and udp', 'greater 1000'.")]
    public IEnumerable<string> Expression { get; set; } = [];

    [Option("config", MetaValue = "FILE",
        HelpText = "Read options from FILE (remapd.conf(5)): 'key = value' lines whose keys are these long options without dashes ('interface = eth0', 'filter = tcp port 80', 'quiet = yes'), '#' comments, an optional '[capture NAME]' header. " +
            "They take the place of --config on the command line (a later option wins). Every value is checked at the start, the filter compiled and the output directory tried; a fault exits 2 naming FILE:LINE. " +
            "SIGHUP (systemctl reload) reads FILE again: a new filter is put in force atomically; a bad file is logged and the running configuration stays; other changed keys are logged as needing a restart.")]
    public string? Config { get; set; }

    [Option("name", MetaValue = "NAME",
        HelpText = "The capture's name: the 'capture' label of its metrics. Default: the [capture NAME] of --config, else the config file's name without .conf, else the interface.")]
    public string? Name { get; set; }

    [Option("metrics-listen", MetaValue = "ADDR:PORT",
        HelpText = "Serve Prometheus metrics at http://ADDR:PORT/metrics (e.g. 127.0.0.1:9750, [::1]:9750, :9750 for every address): every counter of skbremap and remapd, labelled by capture and interface. Off by default.")]
    public string? MetricsListen { get; set; }

    // The capture store (docs/architecture.md, "Capture store"): each is also a key of the config file.
    [Option("store", MetaValue = "DIR",
        HelpText = "Capture into a store instead of -w: a directory of complete files, each written hidden (.NAME.part) and renamed when complete, named START-NAME.pcap " +
            "(START: UTC, to the nanosecond, so names sort by time), each with an index beside it (NAME.idx) for 'remapd query'. Rotated by --rotate-size and -G/--rotate-seconds " +
            "(aligned to the clock in a store: -G 60 starts a file on every minute); kept within --retain-bytes, --retain-free and --retain-age by deleting the oldest files, " +
            "never by stopping the capture. Several captures may share one store under different --store-name. A full disk drops and counts packets ('disk full') until there is room.")]
    public string? Store { get; set; }

    [Option("store-name", MetaValue = "NAME",
        HelpText = "This capture's name in the store's file names (letters, digits, . _ @ : + -). Default: the interface (-i).")]
    public string? StoreName { get; set; }

    [Option("rotate-size", MetaValue = "SIZE",
        HelpText = "With --store: close a file before a packet would take it past SIZE bytes (k, M, G: powers of 1000; Ki, Mi, Gi: of 1024). Default 64M.")]
    public string? RotateSize { get; set; }

    [Option("retain-bytes", MetaValue = "SIZE",
        HelpText = "With --store: the store's files (every capture's, indexes and files being written included) take at most SIZE; the oldest complete files are deleted at every rotation and at start. " +
            "At least --rotate-size (a smaller limit could not hold one file, and is refused).")]
    public string? RetainBytes { get; set; }

    [Option("retain-free", MetaValue = "PERCENT%|SIZE",
        HelpText = "With --store: keep at least this much of the file system free (statvfs: '10%' of its size, or a SIZE), plus room for the next file, by deleting the oldest complete files.")]
    public string? RetainFree { get; set; }

    [Option("retain-age", MetaValue = "DURATION",
        HelpText = "With --store: delete files that were completed longer ago than DURATION (90s, 30m, 12h, 7d).")]
    public string? RetainAge { get; set; }

    [Option("no-index", Default = false,
        HelpText = "With --store: write no index (queries then read every file of their time range whole).")]
    public bool NoIndex { get; set; }

    // The capture fleet (docs/fleet.md): each is also a key of the config file.
    [Option("fleet", MetaValue = "URL",
        HelpText = "Join a capture fleet through the local NATS leaf server at URL (e.g. nats://127.0.0.1:4222): publish statistics, one index record per completed store file and events " +
            "into the leaf's JetStream (kept while the hub is out of reach), put a heartbeat into the hub's bucket remapd-alive, apply the desired configuration of the hub's bucket " +
            "remapd-config (keys 'all' and 'host.HOST', remapd.conf lines; a new filter atomically, a bad value logged and refused), and answer status, start, stop and extract " +
            "on remapd.svc.HOST.*. A leaf or hub that does not answer never stops the capture.")]
    public string? Fleet { get; set; }

    [Option("fleet-host", MetaValue = "NAME",
        HelpText = "With --fleet: this host's name in the fleet (letters, digits, _ and -; also the leaf's JetStream domain). Default: the machine's host name.")]
    public string? FleetHost { get; set; }

    [Option("fleet-hub-domain", Default = "hub", MetaValue = "DOMAIN",
        HelpText = "With --fleet: the hub's JetStream domain.")]
    public string FleetHubDomain { get; set; } = "hub";

    [Option("fleet-interval", Default = 5.0, MetaValue = "SECONDS",
        HelpText = "With --fleet: statistics, heartbeat and the store's new files this often (0.2 to 3600).")]
    public double FleetInterval { get; set; }

    [Option("fleet-replicas", Default = 3, MetaValue = "N",
        HelpText = "With --fleet: replicas of this host's stream and of the buckets at the hub (1 to 5; the hub's cluster size).")]
    public int FleetReplicas { get; set; }

    [Option('v', "verbose", Default = false,
        HelpText = "Also log the ABI handshake and the region layout.")]
    public bool Verbose { get; set; }
}
