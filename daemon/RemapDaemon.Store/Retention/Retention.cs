using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;
using RemapDaemon.Store.Index;
using RemapDaemon.Store.Interop;

namespace RemapDaemon.Store;

/// <summary>
/// The deletion pass: keeps a store within --retain-bytes, --retain-free and --retain-age by
/// deleting its oldest complete files (each with its index), never a file being written and
/// never a foreign file. Runs at start-up (over whatever the store already holds, so a restart
/// keeps the usage) and after every rotation, under the store lock, so captures sharing a
/// store take turns. A file a query is reading (it holds a shared flock) is passed over for
/// the next oldest; Linux would keep its data for the reader anyway, but passing it over keeps
/// the query's answer whole. <paramref name="reserve"/> bytes are kept for the file about to be written:
/// after the pass, files + part files + reserve &lt;= --retain-bytes, and the free space is at
/// least --retain-free + reserve, when deleting every complete file can reach it.
/// </summary>
public static class Retention
{
    public static void Run(StoreOptions options, StoreStatistics stats, long reserve, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(stats);
        using StoreLock storeLock = StoreLock.Store(options.Directory);
        StoreListing listing = StoreListing.Scan(options.Directory);
        var files = new List<StoredFile>(listing.Files);
        long usage = listing.Bytes;
        DateTime now = DateTime.UtcNow;

        if (options.RetainAge is TimeSpan age)
        {
            foreach (StoredFile f in files.ToArray())
            {
                if (now - f.ClosedUtc > age && TryDelete(f, RetentionReason.Age, $"older than --retain-age {age}", stats, logger))
                {
                    files.Remove(f);
                    usage -= f.TotalSize;
                }
            }
        }

        if (options.RetainBytes > 0)
        {
            foreach (StoredFile f in files.ToArray())
            {
                if (usage + reserve <= options.RetainBytes)
                {
                    break;
                }

                if (TryDelete(f, RetentionReason.Bytes, $"store at {usage} bytes + {reserve} for the next file, --retain-bytes {options.RetainBytes}", stats, logger))
                {
                    files.Remove(f);
                    usage -= f.TotalSize;
                }
            }

            if (usage + reserve > options.RetainBytes)
            {
                Log.LimitUnmet(logger, options.Directory, "--retain-bytes", usage, FileSystem.Space(options.Directory).Available);
            }
        }

        if (options.RetainFreeBytes > 0 || options.RetainFreePercent > 0)
        {
            (ulong total, ulong available) = FileSystem.Space(options.Directory);
            ulong want = Math.Max((ulong)options.RetainFreeBytes, (ulong)(total * options.RetainFreePercent / 100)) + (ulong)reserve;
            foreach (StoredFile f in files.ToArray())
            {
                if (available >= want)
                {
                    break;
                }

                if (TryDelete(f, RetentionReason.Free, $"{available} bytes available, --retain-free wants {want - (ulong)reserve} + {reserve} for the next file", stats, logger))
                {
                    files.Remove(f);
                    usage -= f.TotalSize;
                    available = FileSystem.Space(options.Directory).Available;
                }
            }

            if (available < want)
            {
                Log.LimitUnmet(logger, options.Directory, "--retain-free", usage, available);
            }
        }

        stats.SetUsage(usage, files.Count);
    }

    /// <summary>Deletes <paramref name="f"/> and its index unless a reader holds it; the caller holds the store lock.</summary>
    private static bool TryDelete(StoredFile f, RetentionReason reason, string why, StoreStatistics stats, ILogger logger)
    {
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(f.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (FileNotFoundException)
        {
            return true;
        }

        using (handle)
        {
            if (!FileSystem.TryLock(handle, exclusive: true, wait: false))
            {
                stats.Busy();
                Log.Busy(logger, f.Name);
                return false;
            }

            long packets = CountPackets(f, handle);
            File.Delete(f.Path);
            File.Delete(f.IndexPath);
            stats.Deleted(reason, packets, f.TotalSize);
            Log.Deleted(logger, f.Name, f.TotalSize, packets, why);
            return true;
        }
    }

    /// <summary>The file's packets: from its index, or by reading it when it has none.</summary>
    internal static long CountPackets(StoredFile f, SafeFileHandle handle)
    {
        if (IndexFile.TryRead(f.IndexPath, f.Size) is IndexFile index)
        {
            return (long)index.Packets;
        }

        try
        {
            using CaptureFileReader reader = CaptureFileReader.Open(handle);
            return reader.Records().LongCount();
        }
        catch (InvalidDataException)
        {
            return 0;
        }
    }
}
