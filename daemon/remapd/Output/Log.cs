using Microsoft.Extensions.Logging;
using RemapDaemon.Engine;

namespace RemapDaemon.Remapd.Output;

/// <summary>remapd's own log lines (the backends and the capture loop have theirs, 1xx), with stable event IDs (2xx).</summary>
internal static partial class Log
{
    [LoggerMessage(200, LogLevel.Debug, "SIGHUP {Action}")]
    public static partial void ReloadListening(ILogger logger, string action);

    [LoggerMessage(201, LogLevel.Warning, "SIGHUP: nothing to reload: the filter is not read from a file (--filter-file FILE makes SIGHUP read FILE again)")]
    public static partial void NothingToReload(ILogger logger);

    [LoggerMessage(202, LogLevel.Information, "SIGHUP: {Path} read again: {Filter} is in force already; nothing replaced")]
    public static partial void ReloadUnchanged(ILogger logger, string path, string filter);

    [LoggerMessage(203, LogLevel.Error, "SIGHUP: {Path}: filter expression '{Expression}': {Error}. The capture goes on with {Running}")]
    public static partial void ReloadBadExpression(ILogger logger, string path, string expression, string error, string running);

    [LoggerMessage(204, LogLevel.Error, "SIGHUP: cannot read {Path}: {Error}. The capture goes on with {Running}")]
    public static partial void ReloadUnreadable(ILogger logger, string path, string error, string running);

    [LoggerMessage(205, LogLevel.Information, "SIGHUP while the capture was stopping: nothing reloaded")]
    public static partial void ReloadTooLate(ILogger logger);
}
