using RemapDaemon.Engine;
using RemapDaemon.Protocol.Abi;

namespace RemapDaemon.Service.Metrics;

/// <summary>
/// One capture's counters as Prometheus metrics: skbremap's (skbremap_stats: seen, captured,
/// filtered in the hook, drops by reason from <see cref="Drops.Reasons"/>, windows, delivery
/// paths, what it holds) and remapd's (written, not written by reason, windows consumed, files,
/// filter replacements). The capture loop hands over a snapshot (<see cref="Update"/>, on its own
/// thread, with the progress it reports anyway); a scrape reads the last one. Counters are
/// counters (<c>_total</c>), what goes up and down is a gauge. The capture and interface labels
/// come from the registration (<see cref="MetricsEndpoint.Register"/>).
/// </summary>
public sealed class CaptureCounters : ICounterSource
{
    private Snapshot? _latest;

    /// <summary>The loop's progress, with the output's file count and the filter replacements so far.</summary>
    public void Update(in CaptureProgress progress, ulong filesOpened, ulong filterReplacements) =>
        Volatile.Write(ref _latest, new Snapshot(progress, filesOpened, filterReplacements));

    public void Report(MetricsReport r)
    {
        if (Volatile.Read(ref _latest) is not { } latest)
        {
            return; // the capture has not started: nothing to say yet
        }

        CaptureProgress p = latest.Progress;
        skbremap_stats s = p.Stats;

        // skbremap: what the packet hook saw and what became of it (seen = captured + filtered + dropped + in flight).
        r.Counter("remapd_packets_seen_total", "Packets skbremap's packet hook saw.", s.seen);
        r.Counter("remapd_packets_captured_total", "Packets skbremap put into windows.", s.captured);
        r.Counter("remapd_captured_bytes_total", "Bytes of packet data skbremap put into windows (after the snaplen).", s.captured_bytes);
        r.Counter("remapd_wire_bytes_total", "Wire length of the packets skbremap captured.", s.wire_bytes);
        r.Counter("remapd_packets_filtered_total", "Packets the filter rejected in skbremap's packet hook (never queued or remapped).", s.filtered);
        foreach (Drops.Reason reason in Drops.Reasons)
        {
            r.Counter("remapd_packets_dropped_total", "Packets skbremap dropped, by reason (the drop_* counters of skbremap_stats).",
                reason.Count(in s), new KeyValuePair<string, string>("reason", reason.Field["drop_".Length..]));
        }

        r.Gauge("remapd_packets_in_flight", "Packets skbremap has seen and not yet captured or dropped.", s.in_flight);

        // skbremap: windows, delivery paths, what it holds for the capture.
        r.Counter("remapd_windows_published_total", "Windows skbremap published to remapd.", s.windows_published);
        r.Counter("remapd_windows_retired_total", "Windows skbremap published part-full when --retire-usec ran out.", s.windows_retired);
        r.Counter("remapd_windows_released_total", "Windows remapd released that skbremap took back.", s.windows_released);
        r.Gauge("remapd_windows_held", "Windows published and not yet released (held by remapd).", s.windows_user);
        r.Gauge("remapd_windows", "Windows in the capture's region.", p.RegionWindows);
        r.Counter("remapd_packets_remapped_total", "Packets whose own pages were remapped into a window.", s.remapped);
        r.Counter("remapd_packets_bounced_total", "Packets copied into a zeroed page of skbremap's own, then remapped.", s.bounced);
        r.Counter("remapd_packets_copied_total", "Packets copied into the ring.", s.copied);
        r.Counter("remapd_pages_remapped_total", "Pages remapped into windows.", s.pages_remapped);
        r.Counter("remapd_skbs_freed_total", "skbs skbremap freed after their window was released.", s.skbs_freed);
        r.Counter("remapd_bad_releases_total", "Window releases skbremap refused (a release of a window not published).", s.bad_release);
        r.Gauge("remapd_pages_held", "Pages skbremap holds for the capture.", s.pages_held);
        r.Gauge("remapd_skbs_held", "skbs skbremap holds for the capture (waiting for the worker, or kept for a remapped window).", s.skbs_held);
        r.Gauge("remapd_skb_held_bytes", "Bytes of skbs skbremap holds for the capture.", s.skb_bytes_held);
        r.Gauge("remapd_held_limit_bytes", "What skbremap may hold for the capture before it drops (reason mem_limit).", s.mem_limit);
        r.Gauge("remapd_copy_threshold_bytes", "Adaptive mode: packets of at least this size are remapped, smaller ones copied.", s.copy_threshold);

        // remapd: what it read from the windows and what became of it.
        r.Counter("remapd_packets_written_total", "Packets remapd wrote to its output.", p.Packets);
        r.Counter("remapd_bytes_written_total", "Bytes of packet data remapd wrote (records' captured lengths).", p.Bytes);
        var notWritten = new (string Reason, ulong Count)[]
        {
            ("loopback_outgoing", p.LoopbackOutgoingSkipped),
            ("filter", p.UserSpaceFiltered),
            ("payload_mismatch", p.PayloadMismatched),
            ("after_limit", p.PacketsAfterLimit),
            ("write_failed", p.Unwritten),
        };
        foreach ((string reason, ulong count) in notWritten)
        {
            r.Counter("remapd_packets_not_written_total",
                "Packets remapd read from a window and did not write, by reason (lo's outgoing copies, its own filter, the payload tests, past -c or the file limit, writing failed).",
                count, new KeyValuePair<string, string>("reason", reason));
        }

        r.Counter("remapd_windows_consumed_total", "Windows remapd read and released.", p.Windows);
        r.Counter("remapd_windows_bad_total", "Windows remapd released unread or part-read because their info page was bad.", p.BadWindows);
        r.Counter("remapd_window_sequence_gaps_total", "Windows whose sequence number was not the next one.", p.SeqGaps);
        r.Counter("remapd_files_opened_total", "Output files remapd opened (the first, and one per rotation).", latest.FilesOpened);
        r.Counter("remapd_file_rotations_total", "Rotations to a new output file (-C, -G).", latest.FilesOpened > 0 ? latest.FilesOpened - 1 : 0);
        r.Counter("remapd_filter_replacements_total", "Filters replaced while capturing (SIGHUP, systemctl reload).", latest.FilterReplacements);
        r.Gauge("remapd_capture_seconds", "Seconds since the capture started.", p.Elapsed.TotalSeconds);
    }

    private sealed record Snapshot(CaptureProgress Progress, ulong FilesOpened, ulong FilterReplacements);
}
