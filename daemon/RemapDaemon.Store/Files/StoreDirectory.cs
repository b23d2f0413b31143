namespace RemapDaemon.Store;

/// <summary>A complete capture file of the store, as a directory listing finds it.</summary>
public sealed record StoredFile(string Path, string Name, ulong StartNs, string Capture, long Size, long IndexSize, DateTime ClosedUtc)
{
    public string IndexPath => Path + StoreFileName.IndexSuffix;

    public long TotalSize => Size + IndexSize;
}

/// <summary>What a store directory holds: complete capture files (oldest first), and the bytes of part files being written.</summary>
public sealed record StoreListing(IReadOnlyList<StoredFile> Files, long PartBytes)
{
    public long Bytes => PartBytes + Files.Sum(f => f.TotalSize);

    /// <summary>Lists <paramref name="directory"/>: files named as the store names them; everything else is foreign and not counted.</summary>
    public static StoreListing Scan(string directory)
    {
        var files = new List<StoredFile>();
        long parts = 0;
        var info = new DirectoryInfo(directory);
        var indexes = new Dictionary<string, long>(StringComparer.Ordinal);
        var data = new List<FileInfo>();
        foreach (FileInfo f in info.EnumerateFiles())
        {
            string name = f.Name;
            try
            {
                if (StoreFileName.TryParseData(name, out _, out _))
                {
                    data.Add(f);
                }
                else if (name.EndsWith(StoreFileName.IndexSuffix, StringComparison.Ordinal)
                    && StoreFileName.TryParseData(name[..^StoreFileName.IndexSuffix.Length], out _, out _))
                {
                    indexes[name[..^StoreFileName.IndexSuffix.Length]] = f.Length;
                }
                else if (name.EndsWith(StoreFileName.PartSuffix, StringComparison.Ordinal) && name.StartsWith('.'))
                {
                    string inner = name[1..^StoreFileName.PartSuffix.Length];
                    string dataName = inner.EndsWith(StoreFileName.IndexSuffix, StringComparison.Ordinal) ? inner[..^StoreFileName.IndexSuffix.Length] : inner;
                    if (StoreFileName.TryParseData(dataName, out _, out _))
                    {
                        parts += f.Length;
                    }
                }
            }
            catch (FileNotFoundException)
            {
                // Renamed or deleted while listed (another capture): its new name is listed or it is gone.
            }
        }

        foreach (FileInfo f in data)
        {
            StoreFileName.TryParseData(f.Name, out ulong start, out string capture);
            try
            {
                files.Add(new StoredFile(f.FullName, f.Name, start, capture, f.Length, indexes.GetValueOrDefault(f.Name), f.LastWriteTimeUtc));
            }
            catch (FileNotFoundException)
            {
            }
        }

        files.Sort((a, b) => a.StartNs != b.StartNs ? a.StartNs.CompareTo(b.StartNs) : string.CompareOrdinal(a.Name, b.Name));
        return new StoreListing(files, parts);
    }
}
