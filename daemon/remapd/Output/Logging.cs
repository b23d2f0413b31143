using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace RemapDaemon.Remapd.Output;

/// <summary>
/// Console logging, all of it on stderr: stdout may be the pcap stream (-w -). One line per
/// message, no timestamps (the live line carries the time).
/// </summary>
internal static class Logging
{
    internal static ILoggerFactory Create(LogLevel minimum) => LoggerFactory.Create(builder =>
    {
        builder.SetMinimumLevel(minimum);
        builder.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.IncludeScopes = false;
            o.TimestampFormat = null;
        });
        builder.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
    });
}
