using CommandLine;
using RemapDaemon.Cli;

namespace RemapDaemon.Remapctl.Cli;

[Verb("dump", HelpText = "Open a capture, let it fill windows for a moment (or until the source ends), stop it, then print every published window, its info-page entries and a hexdump of one packet.")]
internal sealed class DumpOptions : ICaptureShapeOptions
{
    [Option("backend", Default = "auto", MetaValue = "auto|kernel|emulator",
        HelpText = "kernel: /dev/skbremap. emulator: libskbremap_emu.so in this process. auto: kernel when /dev/skbremap exists, else emulator.")]
    public string Backend { get; set; } = "auto";

    [Option('i', "interface", Default = "any", MetaValue = "IFACE", HelpText = "Interface to capture on; 'any' = every interface.")]
    public string Interface { get; set; } = "any";

    [Option("source", MetaValue = "SPEC",
        HelpText = "Emulator only: afpacket (default), pcap:FILE or synthetic:count=N,min=A,max=B,rate=R.")]
    public string? Source { get; set; }

    [Option('d', "duration", Default = 1.0, MetaValue = "SECONDS",
        HelpText = "Capture this long before stopping (a finite source stops earlier when it ends).")]
    public double Duration { get; set; }

    [Option("windows", Default = 0U, MetaValue = "N", HelpText = "Windows in the region (0 = skbremap's default, 16).")]
    public uint Windows { get; set; }

    [Option("pages-per-window", Default = 0U, MetaValue = "P", HelpText = "Data pages per window (0 = skbremap's default, 64).")]
    public uint PagesPerWindow { get; set; }

    [Option("info-pages", Default = 0U, MetaValue = "N", HelpText = "Info pages per window, 1..64 (0 = remapd's default: one entry per 128 bytes of data pages).")]
    public uint InfoPages { get; set; }

    [Option('s', "snaplen", Default = 0U, MetaValue = "BYTES", HelpText = "Bytes kept of each packet (0 = whole packet).")]
    public uint Snaplen { get; set; }

    [Option("max-entries", Default = 20U, MetaValue = "N", HelpText = "Entries printed per window (0 = all).")]
    public uint MaxEntries { get; set; }

    [Option("packet", Default = 0, MetaValue = "N", HelpText = "Hexdump packet N (0-based, counted over the dumped windows in sequence order); -1 = none.")]
    public int Packet { get; set; }

    [Option("json", Default = false, HelpText = "Print JSON instead of text.")]
    public bool Json { get; set; }
}
