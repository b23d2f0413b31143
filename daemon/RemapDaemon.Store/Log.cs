using Microsoft.Extensions.Logging;

namespace RemapDaemon.Store;

/// <summary>Every log line of the store, with stable event IDs (7xx).</summary>
internal static partial class Log
{
    [LoggerMessage(700, LogLevel.Information, "store {Directory}: {Files} files, {Bytes} bytes; capture '{Capture}' writes {Extension} files of at most {RotateBytes} bytes{Interval}; retention: {Retention}")]
    public static partial void Opened(ILogger logger, string directory, int files, long bytes, string capture, string extension, long rotateBytes, string interval, string retention);

    [LoggerMessage(701, LogLevel.Information, "deleted {Name} ({Bytes} bytes, {Packets} packets): {Reason}")]
    public static partial void Deleted(ILogger logger, string name, long bytes, long packets, string reason);

    [LoggerMessage(702, LogLevel.Debug, "{Name} is being read (a query holds it): not deleted now, the next oldest instead")]
    public static partial void Busy(ILogger logger, string name);

    [LoggerMessage(703, LogLevel.Warning, "store {Directory}: {What} still not met after deleting every complete file it could ({Bytes} bytes of the store left, {Available} bytes available on the file system)")]
    public static partial void LimitUnmet(ILogger logger, string directory, string what, long bytes, ulong available);

    [LoggerMessage(704, LogLevel.Warning, "recovered {Name} from a capture that did not finish it: kept {Packets} packets ({Kept} bytes), cut {Cut} bytes of an incomplete record")]
    public static partial void Recovered(ILogger logger, string name, long packets, long kept, long cut);

    [LoggerMessage(705, LogLevel.Warning, "{Name}: left by a capture that did not finish it, with no complete packet ({Bytes} bytes): deleted")]
    public static partial void RecoveredEmpty(ILogger logger, string name, long bytes);

    [LoggerMessage(706, LogLevel.Information, "indexed {Name}, which had no index ({Packets} packets)")]
    public static partial void Indexed(ILogger logger, string name, long packets);

    [LoggerMessage(707, LogLevel.Error, "disk full writing {Name}: file closed at its last whole packet ({Packets} packets); dropping packets (counted as 'disk full') until there is room again")]
    public static partial void DiskFull(ILogger logger, string name, long packets);

    [LoggerMessage(708, LogLevel.Warning, "room again on the file system ({Available} bytes available): writing resumes; {Dropped} packets were dropped for a full disk")]
    public static partial void DiskFullOver(ILogger logger, ulong available, long dropped);

    [LoggerMessage(709, LogLevel.Warning, "{Name}: the index could not be written ({Error}); queries read this file whole")]
    public static partial void IndexFailed(ILogger logger, string name, string error);

    [LoggerMessage(710, LogLevel.Warning, "{Name}: not a capture file a crash could have left ({Error}); left alone")]
    public static partial void Unreadable(ILogger logger, string name, string error);
}
