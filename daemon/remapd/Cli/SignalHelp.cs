namespace RemapDaemon.Remapd.Cli;

/// <summary>The signals remapd capture handles, printed under --help after the exit codes (lines under 100 columns: the help wraps there).</summary>
internal static class SignalHelp
{
    internal static readonly IReadOnlyList<string> Lines =
    [
        "",
        "Signals (capture):",
        "  SIGINT, SIGTERM  stop: publish the part-full window, drain, flush, summarise, exit 0;",
        "                   a second one ends remapd at once",
        "  SIGHUP           read --filter-file again and replace the filter while capturing, atomically",
        "                   (each packet is judged by the old program or by the new one); a bad expression",
        "                   or an unreadable file is logged and the running filter stays; without",
        "                   --filter-file, logs that there is nothing to reload. Never stops remapd.",
        "                   With --config FILE (systemctl reload): FILE is read and checked again; a new",
        "                   filter is put in force the same way, a refused file is logged and the running",
        "                   configuration stays, other changed keys are logged as needing a restart.",
    ];
}
