using Microsoft.Extensions.Logging;

namespace RemapDaemon.Fleet.Sensor;

internal static partial class Log
{
    [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "fleet: host {Host} publishing to the leaf at {Url} every {Seconds} s (hub domain {Domain})")]
    internal static partial void Starting(ILogger logger, string host, string url, double seconds, string domain);

    [LoggerMessage(EventId = 401, Level = LogLevel.Information, Message = "fleet: connected to the leaf at {Url}; stream {Stream} ready ({Files} files already published, {Deleted} deletions)")]
    internal static partial void Connected(ILogger logger, string url, string stream, int files, int deleted);

    [LoggerMessage(EventId = 402, Level = LogLevel.Warning, Message = "fleet: the leaf at {Url} does not answer ({Reason}); capturing on, statistics and events wait (up to {Max})")]
    internal static partial void LeafDown(ILogger logger, string url, string reason, int max);

    [LoggerMessage(EventId = 403, Level = LogLevel.Information, Message = "fleet: the hub (domain {Domain}) sources this host's stream into {Stream} (R{Replicas})")]
    internal static partial void HubReady(ILogger logger, string domain, string stream, int replicas);

    [LoggerMessage(EventId = 404, Level = LogLevel.Debug, Message = "fleet: the hub (domain {Domain}) does not answer for {Step} ({Reason}); the leaf keeps what the hub has not taken")]
    internal static partial void HubDown(ILogger logger, string domain, string step, string reason);

    [LoggerMessage(EventId = 405, Level = LogLevel.Information, Message = "fleet: configuration all rev {AllRevision}, host rev {HostRevision} applied{Restart}")]
    internal static partial void ConfigApplied(ILogger logger, ulong allRevision, ulong hostRevision, string restart);

    [LoggerMessage(EventId = 406, Level = LogLevel.Warning, Message = "fleet: configuration all rev {AllRevision}, host rev {HostRevision} refused, the running one kept: {Error}")]
    internal static partial void ConfigRefused(ILogger logger, ulong allRevision, ulong hostRevision, string error);

    [LoggerMessage(EventId = 407, Level = LogLevel.Information, Message = "fleet: {Verb} asked by {Reply}")]
    internal static partial void Request(ILogger logger, string verb, string reply);

    [LoggerMessage(EventId = 408, Level = LogLevel.Warning, Message = "fleet: {Verb} refused: {Error}")]
    internal static partial void RequestRefused(ILogger logger, string verb, string error);

    [LoggerMessage(EventId = 409, Level = LogLevel.Warning, Message = "fleet: {Count} statistics messages were dropped while the leaf could not take them (at most {Max} wait)")]
    internal static partial void PendingDropped(ILogger logger, long count, int max);

    [LoggerMessage(EventId = 410, Level = LogLevel.Information, Message = "fleet: extract {Id}: {Packets} packets, {Bytes} bytes ({Filter}, {From}..{To})")]
    internal static partial void Extracted(ILogger logger, string id, long packets, long bytes, string filter, ulong from, ulong to);

    [LoggerMessage(EventId = 411, Level = LogLevel.Information, Message = "fleet: stopped; {Messages} messages ({Bytes} bytes) published, {Pending} not yet taken by the leaf")]
    internal static partial void Stopped(ILogger logger, ulong messages, ulong bytes, int pending);

    [LoggerMessage(EventId = 412, Level = LogLevel.Warning, Message = "fleet: the applied configuration cannot be kept in {Path} ({Reason}); a restart while the hub is out of reach starts with the command line's")]
    internal static partial void DesiredNotSaved(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 413, Level = LogLevel.Information, Message = "fleet: starting with the configuration applied last (all rev {AllRevision}, host rev {HostRevision}, from {Path})")]
    internal static partial void StartingWithDesired(ILogger logger, ulong allRevision, ulong hostRevision, string path);
}
