namespace RemapDaemon.Store;

/// <summary>
/// The store's counters, for the summary and for export (Prometheus). Written by the capture
/// thread and the deletion pass, read from any thread: every property is a thread-safe read
/// (Interlocked/Volatile). Counters only grow; <see cref="BytesInStore"/> and
/// <see cref="FilesInStore"/> are gauges, set after every deletion pass.
/// </summary>
public sealed class StoreStatistics
{
    private long _filesWritten;
    private long _bytesWritten;
    private long _bytesInStore;
    private long _filesInStore;
    private long _deletedForBytes;
    private long _deletedForFree;
    private long _deletedForAge;
    private long _packetsDeleted;
    private long _bytesDeleted;
    private long _busySkipped;
    private long _indexesWritten;
    private long _indexFlowRecords;
    private long _indexBytes;
    private long _queriesServed;
    private long _diskFullDrops;
    private long _diskFullEvents;
    private long _filesRecovered;

    /// <summary>Complete capture files this process renamed into the store (recovered ones included).</summary>
    public long FilesWritten => Volatile.Read(ref _filesWritten);

    /// <summary>Bytes of the complete files this process wrote.</summary>
    public long BytesWritten => Volatile.Read(ref _bytesWritten);

    /// <summary>Bytes of every capture file, index and part file in the store after the last deletion pass (every capture's, not foreign files).</summary>
    public long BytesInStore => Volatile.Read(ref _bytesInStore);

    /// <summary>Complete capture files in the store after the last deletion pass.</summary>
    public long FilesInStore => Volatile.Read(ref _filesInStore);

    /// <summary>Files deleted to keep --retain-bytes.</summary>
    public long DeletedForBytes => Volatile.Read(ref _deletedForBytes);

    /// <summary>Files deleted to keep --retain-free.</summary>
    public long DeletedForFree => Volatile.Read(ref _deletedForFree);

    /// <summary>Files deleted for being older than --retain-age.</summary>
    public long DeletedForAge => Volatile.Read(ref _deletedForAge);

    /// <summary>Packets in the files deleted (from their indexes).</summary>
    public long PacketsDeleted => Volatile.Read(ref _packetsDeleted);

    /// <summary>Bytes of the files (and indexes) deleted.</summary>
    public long BytesDeleted => Volatile.Read(ref _bytesDeleted);

    /// <summary>Times a deletion pass passed over a file because a query held it.</summary>
    public long BusySkipped => Volatile.Read(ref _busySkipped);

    /// <summary>Index files written.</summary>
    public long IndexesWritten => Volatile.Read(ref _indexesWritten);

    /// <summary>Flow records in the index files written.</summary>
    public long IndexFlowRecords => Volatile.Read(ref _indexFlowRecords);

    /// <summary>Bytes of the index files written.</summary>
    public long IndexBytes => Volatile.Read(ref _indexBytes);

    /// <summary>Queries answered (remapd query).</summary>
    public long QueriesServed => Volatile.Read(ref _queriesServed);

    /// <summary>Packets dropped because the file system was full (the "disk full" drop reason).</summary>
    public long DiskFullDrops => Volatile.Read(ref _diskFullDrops);

    /// <summary>Times writing hit a full file system.</summary>
    public long DiskFullEvents => Volatile.Read(ref _diskFullEvents);

    /// <summary>Part files of a capture that had died, cut to their last whole record and kept.</summary>
    public long FilesRecovered => Volatile.Read(ref _filesRecovered);

    /// <summary>Deletions by reason, for a labelled export: ("bytes", n), ("free", n), ("age", n).</summary>
    public IReadOnlyList<(string Reason, long Files)> DeletionsByReason =>
        [("bytes", DeletedForBytes), ("free", DeletedForFree), ("age", DeletedForAge)];

    internal void FileWritten(long bytes)
    {
        Interlocked.Increment(ref _filesWritten);
        Interlocked.Add(ref _bytesWritten, bytes);
    }

    internal void SetUsage(long bytes, long files)
    {
        Volatile.Write(ref _bytesInStore, bytes);
        Volatile.Write(ref _filesInStore, files);
    }

    internal void Deleted(RetentionReason reason, long packets, long bytes)
    {
        switch (reason)
        {
            case RetentionReason.Bytes:
                Interlocked.Increment(ref _deletedForBytes);
                break;
            case RetentionReason.Free:
                Interlocked.Increment(ref _deletedForFree);
                break;
            default:
                Interlocked.Increment(ref _deletedForAge);
                break;
        }

        Interlocked.Add(ref _packetsDeleted, packets);
        Interlocked.Add(ref _bytesDeleted, bytes);
    }

    internal void Busy() => Interlocked.Increment(ref _busySkipped);

    internal void IndexWritten(long flows, long bytes)
    {
        Interlocked.Increment(ref _indexesWritten);
        Interlocked.Add(ref _indexFlowRecords, flows);
        Interlocked.Add(ref _indexBytes, bytes);
    }

    internal void QueryServed() => Interlocked.Increment(ref _queriesServed);

    internal void DiskFullDropped(long packets) => Interlocked.Add(ref _diskFullDrops, packets);

    internal void DiskFull() => Interlocked.Increment(ref _diskFullEvents);

    internal void Recovered() => Interlocked.Increment(ref _filesRecovered);
}

/// <summary>Why a deletion pass deleted a file.</summary>
public enum RetentionReason
{
    Bytes,
    Free,
    Age,
}
