using CommandLine;

namespace RemapDaemon.Remapctl.Cli;

[Verb("status", HelpText = "Module-wide gauges (GLOBAL) and every open capture (CAPTURES): counters, drop reasons, windows by state, the fanout group a capture is a member of (remapd -j), then each group with its members added up. The emulator lives inside each process, so with --backend emulator this shows remapctl's own (idle) capture.")]
internal sealed class StatusOptions
{
    [Option("backend", Default = "auto", MetaValue = "auto|kernel|emulator",
        HelpText = "kernel: /dev/skbremap. emulator: libskbremap_emu.so in this process. auto: kernel when /dev/skbremap exists, else emulator.")]
    public string Backend { get; set; } = "auto";

    [Option("json", Default = false, HelpText = "Print JSON instead of text.")]
    public bool Json { get; set; }
}
