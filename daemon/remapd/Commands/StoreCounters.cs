using RemapDaemon.Service.Metrics;
using RemapDaemon.Store;

namespace RemapDaemon.Remapd.Commands;

/// <summary>
/// A capture store's counters (<see cref="StoreStatistics"/>) as Prometheus metrics, beside the
/// capture's own (<see cref="CaptureCounters"/>): files and bytes written, what the store holds,
/// retention's deletions by reason, the indexes written, and the packets a full disk dropped
/// (they left skbremap whole and are in no drop_* counter of it). Read at scrape time.
/// </summary>
internal sealed class StoreCounters(StoreStatistics s) : ICounterSource
{
    public void Report(MetricsReport r)
    {
        r.Counter("remapd_store_files_written_total", "Complete capture files renamed into the store (recovered ones included).", s.FilesWritten);
        r.Counter("remapd_store_bytes_written_total", "Bytes of the complete capture files renamed into the store.", s.BytesWritten);
        r.Gauge("remapd_store_bytes", "Bytes the store's files take (every capture's, indexes and files being written included), after the last deletion pass.", s.BytesInStore);
        r.Gauge("remapd_store_files", "Complete capture files in the store after the last deletion pass.", s.FilesInStore);
        foreach ((string reason, long files) in s.DeletionsByReason)
        {
            r.Counter("remapd_store_files_deleted_total", "Files retention deleted, by the limit that required it.", files,
                new KeyValuePair<string, string>("reason", reason));
        }

        r.Counter("remapd_store_packets_deleted_total", "Packets in the files retention deleted.", s.PacketsDeleted);
        r.Counter("remapd_store_bytes_deleted_total", "Bytes of the files retention deleted.", s.BytesDeleted);
        r.Counter("remapd_store_busy_skipped_total", "Deletions passed over because a query held the file.", s.BusySkipped);
        r.Counter("remapd_store_indexes_written_total", "Index files written beside completed capture files.", s.IndexesWritten);
        r.Counter("remapd_store_index_bytes_total", "Bytes of the index files written.", s.IndexBytes);
        r.Counter("remapd_store_files_recovered_total", "Files cut back to their last whole packet and indexed after a crash.", s.FilesRecovered);
        r.Counter("remapd_packets_not_written_total",
            "Packets remapd read from a window and did not write, by reason (lo's outgoing copies, its own filter, the payload tests, past -c or the file limit, writing failed).",
            s.DiskFullDrops,
            new KeyValuePair<string, string>("reason", "disk_full"));
    }
}
