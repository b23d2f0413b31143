namespace RemapDaemon.Cli;

/// <summary>The exit-code table printed under --help (the values of <see cref="ExitCode"/>).</summary>
public static class ExitCodeHelp
{
    public static readonly IReadOnlyList<string> Lines =
    [
        "",
        "Exit codes:",
        "  0  ok (also after Ctrl-C/SIGTERM, -c, -d or the end of a pcap/synthetic source), also when",
        "     skbremap dropped packets: the summary then says 'lost N packets:' by reason (as tcpdump",
        "     exits 0 and reports its drops); it says 'nothing lost' only when nothing was",
        "  1  runtime error (one 'error:' line says what; the stack trace with -v), also when a packet",
        "     skbremap captured was not read or not written (the summary counts them)",
        "  2  bad option or value",
        "  3  no device: --backend kernel without /dev/skbremap, or the emulator library missing",
        "  4  no permission: capturing needs CAP_NET_RAW, or group skbcapture with group_capture=1",
        "  5  skbremap ABI version mismatch",
        "  6  unknown interface",
    ];
}
