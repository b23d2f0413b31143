using RemapDaemon.Protocol.Abi;


namespace RemapDaemon.Engine;

/// <summary>
/// What the capture loop has done so far, with the backend's counters read at the same time.
/// <see cref="Stats"/> counts what skbremap saw and dropped; the other numbers count what this
/// process read from the windows it was handed: every packet read is written, or counted as
/// after the -c limit, or as a loopback PACKET_OUTGOING copy skipped, or as rejected by the
/// filter remapd ran itself (a backend without SKBREMAP_FEAT_FILTER), or as not matching the
/// payload tests, or as not written because writing had failed (<see cref="Unwritten"/>: the
/// packet whose write failed and every one read after it).
/// </summary>
public readonly record struct CaptureProgress(
    TimeSpan Elapsed,
    ulong Packets,
    ulong Bytes,
    ulong PacketsAfterLimit,
    ulong LoopbackOutgoingSkipped,
    ulong UserSpaceFiltered,
    ulong PayloadMismatched,
    ulong Unwritten,
    ulong Windows,
    ulong BadWindows,
    ulong SeqGaps,
    int RegionWindows,
    skbremap_stats Stats)
{
    /// <summary>Every packet parsed from a window, written or not.</summary>
    public ulong PacketsRead => Packets + PacketsAfterLimit + LoopbackOutgoingSkipped + UserSpaceFiltered + PayloadMismatched + Unwritten;
}
