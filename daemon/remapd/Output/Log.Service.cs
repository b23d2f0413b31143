using Microsoft.Extensions.Logging;

namespace RemapDaemon.Remapd.Output;

/// <summary>remapd's log lines about its configuration file and reloads (22x).</summary>
internal static partial class Log
{
    [LoggerMessage(220, LogLevel.Information, "reload: {Path} read again")]
    public static partial void ConfigReading(ILogger logger, string path);

    [LoggerMessage(221, LogLevel.Error, "reload refused: {Error}. The capture goes on with the configuration it runs ({Running})")]
    public static partial void ConfigRefused(ILogger logger, string error, string running);

    [LoggerMessage(222, LogLevel.Warning, "reload: {Path}:{Line}: '{Key}' changed ({Old} -> {New}): takes effect only at a restart (systemctl restart); the capture goes on with {Old}")]
    public static partial void ConfigNeedsRestart(ILogger logger, string path, int line, string key, string old, string @new);

    [LoggerMessage(223, LogLevel.Information, "reload: {Path}: the filter is unchanged ({Filter}); nothing replaced")]
    public static partial void ConfigFilterUnchanged(ILogger logger, string path, string filter);

    [LoggerMessage(224, LogLevel.Information, "reload: {Path}: replacing {Old} with {New}")]
    public static partial void ConfigFilterReplacing(ILogger logger, string path, string old, string @new);
}
