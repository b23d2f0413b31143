using Microsoft.Extensions.Logging;
using RemapDaemon.Store.Index;
using RemapDaemon.Store.Interop;

namespace RemapDaemon.Store;

/// <summary>
/// At start-up, under the store lock: what a capture that died (kill -9, power loss) left
/// behind. Only files of captures whose writer lock is free (dead) or is this capture's own are
/// touched: a part file is cut to its last whole record, fsync'd, renamed to its complete name
/// and indexed (the cut bytes are logged; a part without one whole packet is deleted); a complete
/// file without a valid index is indexed; an index part or an index without its capture file is
/// deleted. Foreign files are never touched.
/// </summary>
public static class Recovery
{
    public static void Run(StoreOptions options, StoreStatistics stats, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        string dir = options.Directory;
        using StoreLock storeLock = StoreLock.Store(dir);
        var dead = new Dictionary<string, bool>(StringComparer.Ordinal);
        var held = new List<StoreLock>();
        try
        {
            bool Dead(string capture)
            {
                if (capture == options.CaptureName)
                {
                    return true;
                }

                if (!dead.TryGetValue(capture, out bool d))
                {
                    StoreLock? l = StoreLock.TryWriter(dir, capture);
                    d = l is not null;
                    if (l is not null)
                    {
                        held.Add(l);
                    }

                    dead[capture] = d;
                }

                return d;
            }

            foreach (string path in Directory.GetFiles(dir, ".*" + StoreFileName.PartSuffix))
            {
                string name = Path.GetFileName(path);
                string inner = name[1..^StoreFileName.PartSuffix.Length];
                bool isIndex = inner.EndsWith(StoreFileName.IndexSuffix, StringComparison.Ordinal);
                string dataName = isIndex ? inner[..^StoreFileName.IndexSuffix.Length] : inner;
                if (!StoreFileName.TryParseData(dataName, out _, out string capture) || !Dead(capture))
                {
                    continue;
                }

                if (isIndex)
                {
                    File.Delete(path);
                }
                else
                {
                    RecoverPart(path, Path.Combine(dir, dataName), options.Index, stats, logger);
                }
            }

            StoreListing listing = StoreListing.Scan(dir);
            var complete = new HashSet<string>(listing.Files.Select(f => f.Name), StringComparer.Ordinal);
            if (options.Index)
            {
                foreach (StoredFile f in listing.Files)
                {
                    if (Dead(f.Capture) && IndexFile.TryRead(f.IndexPath, f.Size) is null)
                    {
                        long packets = WriteIndex(f.Path, stats);
                        Log.Indexed(logger, f.Name, packets);
                    }
                }
            }

            foreach (string path in Directory.GetFiles(dir, "*" + StoreFileName.IndexSuffix))
            {
                string dataName = Path.GetFileName(path)[..^StoreFileName.IndexSuffix.Length];
                if (StoreFileName.TryParseData(dataName, out _, out string capture) && !complete.Contains(dataName) && Dead(capture))
                {
                    File.Delete(path);
                }
            }
        }
        finally
        {
            foreach (StoreLock l in held)
            {
                l.Dispose();
            }
        }
    }

    /// <summary>Reads a complete capture file and writes its index; returns its packet count.</summary>
    public static long WriteIndex(string path, StoreStatistics stats)
    {
        ArgumentNullException.ThrowIfNull(stats);
        var builder = new IndexBuilder();
        using CaptureFileReader reader = CaptureFileReader.Open(path);
        foreach (FileRecord r in reader.Records())
        {
            ReadOnlySpan<byte> data = reader.DataOf(r);
            builder.Add(FlowKey.Parse(data[..Math.Min(data.Length, FlowKey.MaxHeaderBytes)]), r.TimestampNs, r.Offset, r.WireLength);
        }

        long size = IndexFile.Write(path, (ulong)reader.Length, reader.LinkType, reader.IsPcapNg ? IndexFormat.FormatPcapNg : IndexFormat.FormatPcap,
            builder.FirstNs, builder.LastNs, builder.Packets, builder.Snapshot());
        stats.IndexWritten(builder.Flows, size);
        return (long)builder.Packets;
    }

    private static void RecoverPart(string part, string final, bool index, StoreStatistics stats, ILogger logger)
    {
        string name = Path.GetFileName(final);
        long length = new FileInfo(part).Length;
        long keep;
        long packets;
        try
        {
            using CaptureFileReader reader = CaptureFileReader.Open(part);
            keep = reader.FirstRecord;
            packets = 0;
            foreach (FileRecord r in reader.Records())
            {
                keep = r.Next;
                packets++;
            }
        }
        catch (InvalidDataException)
        {
            keep = 0;
            packets = 0;
        }

        if (packets == 0)
        {
            File.Delete(part);
            Log.RecoveredEmpty(logger, name, length);
            return;
        }

        using (var fs = new FileStream(part, FileMode.Open, FileAccess.ReadWrite, FileShare.Read, 1))
        {
            fs.SetLength(keep);
            fs.Flush(flushToDisk: true);
        }

        string target = final;
        for (int n = 1; File.Exists(target); n++)
        {
            StoreFileName.TryParseData(name, out ulong start, out string capture);
            target = Path.Combine(Path.GetDirectoryName(final)!, StoreFileName.DataName(start, capture, Path.GetExtension(name), n));
        }

        FileSystem.Rename(part, target);
        FileSystem.SyncDirectory(Path.GetDirectoryName(final)!);
        stats.Recovered();
        stats.FileWritten(keep);
        Log.Recovered(logger, Path.GetFileName(target), packets, keep, length - keep);
        if (index)
        {
            WriteIndex(target, stats);
        }
    }
}
