namespace RemapDaemon.Remapd.Cli;

/// <summary>The exit-code table printed under --help (the values of RemapDaemon.Backends.ExitCode).</summary>
internal static class ExitCodeHelp
{
    internal static readonly IReadOnlyList<string> Lines =
    [
        "",
        "Exit codes:",
        "  0  ok (also after Ctrl-C/SIGTERM, -c, -d or the end of a pcap/synthetic source)",
        "  1  runtime error",
        "  2  bad option or value",
        "  3  no device: --backend kernel without /dev/skbremap, or the emulator library missing",
        "  4  no permission: capturing needs CAP_NET_RAW, or group skbcapture with group_capture=1",
        "  5  skbremap ABI version mismatch",
        "  6  unknown interface",
    ];
}
