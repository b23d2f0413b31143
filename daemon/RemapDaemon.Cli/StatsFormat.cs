using System.Globalization;
using RemapDaemon.Engine;
using RemapDaemon.Protocol.Abi;

namespace RemapDaemon.Cli;

/// <summary>
/// skbremap's counters as text, for both programs: remapd's live statistics line and final
/// summary (both on stderr) here; remapctl's status and dump reports in StatsFormat.Status.cs.
/// </summary>
public static partial class StatsFormat
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>
    /// e.g. "  3.0s  5012 pkts  2.4 MB  1671 pkt/s  drops 0 (queue 0, window 0, nomem 0, big 0, memlimit 0)  windows 1/16 user  filtered 120".
    /// "filtered" counts the packets the filter rejected (in skbremap's hook, or in remapd when
    /// the backend cannot filter); "payload mismatch" (with --match-*) the packets the payload
    /// tests rejected.
    /// </summary>
    public static string Live(in CaptureProgress p, bool payloadTests = false)
    {
        skbremap_stats s = p.Stats;
        double seconds = Math.Max(p.Elapsed.TotalSeconds, 0.001);
        string live = string.Create(Invariant,
            $"{p.Elapsed.TotalSeconds,6:0.0}s  {p.Packets} pkts  {Bytes(p.Bytes)}  {p.Packets / seconds:0} pkt/s  " +
            $"drops {Drops.Total(s)} ({Drops.Describe(s, r => r.Short)})  " +
            $"windows {s.windows_user}/{p.RegionWindows} user  filtered {s.filtered + p.UserSpaceFiltered}");
        return payloadTests ? string.Create(Invariant, $"{live}  payload mismatch {p.PayloadMismatched}") : live;
    }

    /// <summary>The final summary: what was written, and skbremap's own account of every packet it saw.</summary>
    /// <param name="selection">What selected packets ("filter 'tcp' (9 BPF instructions)"); empty for none.</param>
    public static IEnumerable<string> Summary(CaptureResult r, string output, string selection = "")
    {
        CaptureProgress p = r.Final;
        skbremap_stats s = p.Stats;
        yield return string.Create(Invariant,
            $"{p.Packets} packets written to {output} ({Bytes(p.Bytes)}) in {p.Elapsed.TotalSeconds:0.00} s; stopped: {r.StopReason}");
        if (selection.Length > 0)
        {
            yield return string.Create(Invariant,
                $"selected by {selection}: {s.filtered} filtered in skbremap's hook, {p.UserSpaceFiltered} filtered by remapd, " +
                $"{p.PayloadMismatched} payload mismatches");
        }

        yield return string.Create(Invariant,
            $"skbremap: seen {s.seen}, captured {s.captured} ({s.captured_bytes} bytes), filtered {s.filtered}, dropped {Drops.Total(s)} " +
            $"({Drops.Describe(s, r => r.Name)}), in flight {s.in_flight}");
        yield return string.Create(Invariant,
            $"windows: {p.Windows} read ({s.windows_published} published, {s.windows_retired} retired part-full, {s.windows_released} taken back), " +
            $"{p.BadWindows} bad, {p.SeqGaps} sequence gaps; {s.bounced} packets bounced, {s.pages_mapped} pages mapped, {s.skbs_freed} skbs freed");
        yield return string.Create(Invariant,
            $"delivery: mode {DeliveryModes.Name(s.mode)}, copy threshold {s.copy_threshold} bytes; {s.copied} copied into the ring, " +
            $"{s.remapped} remapped ({s.pages_remapped} packet pages inserted), {s.bounced} bounced");
        if (p.PacketsAfterLimit > 0)
        {
            yield return string.Create(Invariant,
                $"{p.PacketsAfterLimit} packets captured after the count or the file limit was reached were released unwritten");
        }

        if (p.LoopbackOutgoingSkipped > 0)
        {
            yield return string.Create(Invariant,
                $"{p.LoopbackOutgoingSkipped} outgoing copies on lo skipped, as libpcap does (each is captured again as it comes in)");
        }

        foreach (string line in Loss(r))
        {
            yield return line;
        }
    }

    /// <summary>
    /// The summary's last word: "nothing lost: ..." only when <see cref="CaptureResult.NothingLost"/>;
    /// otherwise "lost N packets: N queue full, N no window, ..." (every skbremap drop reason,
    /// then remapd's own losses), and a WARNING for each account that does not add up.
    /// </summary>
    public static IEnumerable<string> Loss(CaptureResult r)
    {
        CaptureProgress p = r.Final;
        skbremap_stats s = p.Stats;
        if (r.NothingLost)
        {
            yield return string.Create(Invariant,
                $"nothing lost: skbremap saw {s.seen} = {s.captured} captured + {s.filtered} filtered and dropped none; " +
                $"every captured packet was read from its window and written or deliberately not");
            yield break;
        }

        if (r.Lost > 0)
        {
            string own = string.Concat(r.RemapdLosses.Concat(r.SourceLosses).Select(l => string.Create(Invariant, $", {l.Count} {l.What}")));
            yield return string.Create(Invariant, $"lost {r.Lost} packets: {Drops.Describe(s, d => d.Name, "{1} {0}")}{own}");
        }

        if (r.Failure is not null)
        {
            yield return string.Create(Invariant,
                $"writing failed ({TopLevel.Message(r.Failure)}) after {p.Packets} packets had been handed to the writer; " +
                $"those still in its buffer then may be missing from the file too");
        }

        if (!r.Balanced)
        {
            ulong accounted = s.captured + s.filtered + r.Dropped + s.in_flight;
            yield return string.Create(Invariant,
                $"WARNING: skbremap's counters do not add up: seen {s.seen}, but captured + filtered + dropped + in flight = " +
                $"{accounted}");
        }

        if (p.BadWindows > 0)
        {
            yield return string.Create(Invariant, $"WARNING: {p.BadWindows} windows had a bad info page; their packets were not read");
        }

        if (p.PacketsRead > s.captured)
        {
            yield return string.Create(Invariant, $"WARNING: remapd read {p.PacketsRead} packets from windows but skbremap captured {s.captured}");
        }
    }

    private static string Bytes(ulong bytes) => bytes switch
    {
        < 10_000 => string.Create(Invariant, $"{bytes} B"),
        < 10_000_000 => string.Create(Invariant, $"{bytes / 1e3:0.0} kB"),
        < 10_000_000_000 => string.Create(Invariant, $"{bytes / 1e6:0.0} MB"),
        _ => string.Create(Invariant, $"{bytes / 1e9:0.00} GB"),
    };
}
