using Microsoft.Extensions.Logging;

namespace RemapDaemon.Engine;

/// <summary>Every log line of the backends and the capture loop, with stable event IDs (1xx).</summary>
internal static partial class Log
{
    [LoggerMessage(100, LogLevel.Debug, "{Backend}: skbremap ABI {AbiVersion}, page size {PageSize}, features 0x{Features:x}")]
    public static partial void VersionChecked(ILogger logger, string backend, uint abiVersion, uint pageSize, uint features);

    [LoggerMessage(101, LogLevel.Debug, "region mapped: {Windows} windows of {InfoPages} info pages ({InfoEntriesMax} entries) + {PagesPerWindow} data pages of {PageSize} bytes (control part {ControlSize} bytes RW, windows part {WindowsSize} bytes RO)")]
    public static partial void RegionMapped(ILogger logger, uint windows, int infoPages, uint infoEntriesMax, uint pagesPerWindow, uint pageSize, ulong controlSize, ulong windowsSize);

    [LoggerMessage(102, LogLevel.Information, "capturing on {Interface} through {Backend} from {Source}")]
    public static partial void CaptureStarted(ILogger logger, string @interface, string backend, string source);

    [LoggerMessage(103, LogLevel.Information, "stopping ({Reason}): publishing the part-full window and draining every published window")]
    public static partial void Stopping(ILogger logger, string reason);

    [LoggerMessage(104, LogLevel.Information, "filter '{Expression}' ({Instructions} BPF instructions) installed in {Backend}'s packet hook")]
    public static partial void FilterInstalled(ILogger logger, string expression, int instructions, string backend);

    [LoggerMessage(105, LogLevel.Warning, "{Backend} cannot run filters (no SKBREMAP_FEAT_FILTER): remapd runs '{Expression}' on every captured packet instead, so unselected packets are still queued and remapped")]
    public static partial void FilterInUserSpace(ILogger logger, string backend, string expression);

    [LoggerMessage(106, LogLevel.Warning, "{Reason}. remapd runs the filter on every captured packet instead (as libpcap does when the kernel refuses a filter), so unselected packets are still queued and remapped")]
    public static partial void FilterRejected(ILogger logger, string reason);

    [LoggerMessage(107, LogLevel.Information, "filter replaced: now {Filter}, run {Where}; was {Old}")]
    public static partial void FilterReplaced(ILogger logger, string filter, string where, string old);

    [LoggerMessage(108, LogLevel.Error, "filter not replaced: {Reason}. The capture goes on with {Old}: a program the packet hook refuses can run in remapd only when the capture starts with it (or with no filter)")]
    public static partial void FilterReplaceRefused(ILogger logger, string reason, string old);

    [LoggerMessage(109, LogLevel.Error, "filter not replaced: {Error}. The capture goes on with {Old}")]
    public static partial void FilterReplaceFailed(ILogger logger, string error, string old);

    [LoggerMessage(110, LogLevel.Error, "window {Window} (seq {Seq}): bad info page: {Error}; window released, its packets are lost")]
    public static partial void BadInfoPage(ILogger logger, int window, ulong seq, string error);

    [LoggerMessage(111, LogLevel.Error, "window {Window} (seq {Seq}): bad info entry {Entry}: {Error}; rest of the window skipped and released")]
    public static partial void BadInfoEntry(ILogger logger, int window, ulong seq, uint entry, string error);

    [LoggerMessage(112, LogLevel.Error, "window {Window}: control seq {ControlSeq} but info page seq {InfoSeq}; window released unread")]
    public static partial void SeqMismatch(ILogger logger, int window, ulong controlSeq, ulong infoSeq);

    [LoggerMessage(113, LogLevel.Warning, "window sequence jumped from {Expected} to {Seq}: {Missing} windows never seen")]
    public static partial void SeqGap(ILogger logger, ulong expected, ulong seq, ulong missing);

    [LoggerMessage(114, LogLevel.Warning, "after the drain, {Parsed} packets were read from windows but the backend counts {Captured} captured")]
    public static partial void CapturedMismatch(ILogger logger, ulong parsed, ulong captured);

    [LoggerMessage(115, LogLevel.Warning, "STOP failed ({Error}); draining what was published anyway")]
    public static partial void StopFailed(ILogger logger, string error);

    [LoggerMessage(116, LogLevel.Error, "writing failed after {Written} packets ({Error}); stopping, draining and counting the rest as not written")]
    public static partial void WriteFailed(ILogger logger, string error, ulong written);
}
