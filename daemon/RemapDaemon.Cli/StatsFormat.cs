using System.Globalization;
using RemapDaemon.Engine;
using RemapDaemon.Output;
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
    /// e.g. "  3.0s  5012 pkts  2.4 MB  1671 pkt/s  drops 0 (queue 0, window 0, nomem 0, big 0, memlimit 0, output 0)  windows 1/16 user  disk 0/16  filtered 120".
    /// "output" counts the drops of a disk too slow for the traffic (<see cref="Drops"/>); "disk"
    /// the batches waiting for the writer thread now, of how many may wait.
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
            $"drops {Drops.Total(s)} ({Drops.Describe(s, r => r.Short, outputTooSlow: p.Output.OutputTooSlowDrops)})  " +
            $"windows {s.windows_user}/{p.RegionWindows} user  disk {p.Output.Depth}/{p.Output.Bound}  filtered {s.filtered + p.UserSpaceFiltered}");
        return payloadTests ? string.Create(Invariant, $"{live}  payload mismatch {p.PayloadMismatched}") : live;
    }

    /// <summary>
    /// remapd -j N's live line: the group's totals as <see cref="Live"/> has them, then each
    /// member's packets and drops: "... | m0 2510 pkts 0 drops, m1 2490 pkts 0 drops".
    /// </summary>
    public static string LiveMembers(IReadOnlyList<CaptureProgress> members, bool payloadTests = false)
    {
        string total = Live(MemberTotals.Sum(members), payloadTests);
        string each = string.Join(", ", members.Select((p, k) => string.Create(Invariant,
            $"m{k} {p.Packets} pkts {Drops.Total(p.Stats)} drops")));
        return $"{total} | {each}";
    }

    /// <summary>One member's line of remapd -j N's summary (the group's total follows).</summary>
    public static string Member(int k, CaptureResult r, string output)
    {
        CaptureProgress p = r.Final;
        skbremap_stats s = p.Stats;
        return string.Create(Invariant,
            $"member {k}: {p.Packets} packets written to {output} ({Bytes(p.Bytes)}); stopped: {r.StopReason}; skbremap: seen {s.seen}, " +
            $"captured {s.captured}, filtered {s.filtered}, dropped {Drops.Total(s)} ({Drops.Describe(s, d => d.Name)}), " +
            $"rollover {s.fanout_rollover} (taken for members without a free window)");
    }

    /// <summary>The group's line: members, their share, the rollover, and the merge's order.</summary>
    public static string Fanout(string group, IReadOnlyList<CaptureResult> members, long outOfOrder)
    {
        ulong seen = members.Aggregate(0UL, (a, r) => a + r.Final.Stats.seen);
        string shares = string.Join(", ", members.Select(r => seen == 0 ? "0%" :
            string.Create(Invariant, $"{100.0 * r.Final.Stats.seen / seen:0.#}%")));
        ulong rollover = members.Aggregate(0UL, (a, r) => a + r.Final.Stats.fanout_rollover);
        string order = outOfOrder > 0
            ? string.Create(Invariant, $"; WARNING: {outOfOrder} packets merged out of timestamp order (a member silent longer than the merge waits)")
            : "";
        return string.Create(Invariant,
            $"fanout {group}: {members.Count} members, shares of what the group saw {shares}; {rollover} packets rolled over{order}");
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
            $"({Drops.Describe(s, r => r.Name, outputTooSlow: p.Output.OutputTooSlowDrops)}), in flight {s.in_flight}");
        OutputQueueCounters o = p.Output;
        if (o.Bound > 0)
        {
            double perPacket = p.Packets == 0 ? 0 : (double)o.WriteCalls / p.Packets;
            yield return string.Create(Invariant,
                $"output: {o.WriteCalls} write calls ({perPacket:0.####} per packet) wrote {o.BytesWritten} bytes, {o.GatheredBytes} of them from the windows in place; " +
                $"{o.WindowsHeld} windows held until written; " +
                $"at most {o.MaxDepth} of {o.Bound} batches waited for the disk, the capture waited {o.Waits} times");
        }
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
            yield return string.Create(Invariant, $"lost {r.Lost} packets: {Drops.Describe(s, d => d.Name, "{1} {0}", p.Output.OutputTooSlowDrops)}{own}");
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
