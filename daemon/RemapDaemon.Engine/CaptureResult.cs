using RemapDaemon.Device;
using RemapDaemon.Protocol.Abi;


namespace RemapDaemon.Engine;

/// <summary>How a capture ended: the last progress (after the drain) and why it stopped.</summary>
public sealed record CaptureResult(CaptureProgress Final, string StopReason)
{
    /// <summary>
    /// What ended the capture early, if anything did: writing failed (disk full, a rotation file
    /// that cannot be created), or another error on the capture thread. The loop still stopped
    /// skbremap, drained every window and counted what it could not write.
    /// </summary>
    public Exception? Failure { get; init; }

    /// <summary>Records of a replayed file that were not packets to deliver (<see cref="SourceSkippedRecords"/>).</summary>
    public SourceSkippedRecords SourceSkipped { get; init; }

    /// <summary>Packets skbremap dropped, all reasons (<see cref="Drops.Reasons"/>).</summary>
    public ulong Dropped => Drops.Total(Final.Stats);

    /// <summary>
    /// skbremap's account adds up with nothing left in flight: seen == captured + filtered +
    /// dropped, exactly (the invariant of the uapi header, after STOP).
    /// </summary>
    public bool Balanced
    {
        get
        {
            skbremap_stats s = Final.Stats;
            return s.in_flight == 0 && s.seen == s.captured + s.filtered + Dropped;
        }
    }

    /// <summary>
    /// Packets this process lost, by reason (only the non-zero ones): captured by skbremap but
    /// never read from a window (a window with a bad info page, a window never published); read
    /// but not written because writing had failed.
    /// </summary>
    public IReadOnlyList<(string What, ulong Count)> RemapdLosses
    {
        get
        {
            var losses = new List<(string, ulong)>();
            ulong captured = Final.Stats.captured;
            if (captured > Final.PacketsRead)
            {
                losses.Add(("captured but not read from a window", captured - Final.PacketsRead));
            }

            if (Final.Unwritten > 0)
            {
                losses.Add(("read but not written (writing failed)", Final.Unwritten));
            }

            return losses;
        }
    }

    /// <summary>
    /// Records of the replayed file that never became packets, by reason (only the non-zero ones).
    /// A property of the file, not a failure: they do not change the exit status.
    /// </summary>
    public IReadOnlyList<(string What, ulong Count)> SourceLosses
    {
        get
        {
            var losses = new List<(string, ulong)>();
            SourceSkippedRecords s = SourceSkipped;
            if (s.Empty > 0)
            {
                losses.Add(("empty pcap records (no bytes) not replayed", s.Empty));
            }

            if (s.ShortHeader > 0)
            {
                losses.Add(("pcap records shorter than their link header not replayed", s.ShortHeader));
            }

            if (s.TooLong > 0)
            {
                losses.Add(("pcap records too long for the emulator's largest frame not replayed", s.TooLong));
            }

            return losses;
        }
    }

    /// <summary>Every packet lost: skbremap's drops, this process's own losses, and a replayed file's records that were no packets.</summary>
    public ulong Lost => Dropped + RemapdLosses.Concat(SourceLosses).Aggregate(0UL, (sum, l) => sum + l.Count);

    /// <summary>
    /// Nothing was lost: skbremap's seen == captured + filtered exactly, no drop counter is
    /// non-zero, every window was good, and every captured packet was read (and so written, or
    /// rejected on purpose: the filter, the payload tests, lo's outgoing copies, past -c).
    /// </summary>
    public bool NothingLost =>
        Failure is null && Balanced && Lost == 0 && Final.Stats.captured == Final.PacketsRead && Final.BadWindows == 0;

    /// <summary>
    /// This process failed its part: it failed (<see cref="Failure"/>), a packet skbremap captured
    /// was not read or not written, or a window was bad.
    /// remapd exits 1 for it; drops that skbremap counted alone exit 0 (as tcpdump's do).
    /// </summary>
    public bool RemapdFailed => Failure is not null || RemapdLosses.Count > 0 || Final.BadWindows > 0 || Final.Stats.captured != Final.PacketsRead;
}
