using System.Globalization;
using Microsoft.Extensions.Logging;
using RemapDaemon.Filtering;
using RemapDaemon.Fleet.Messages;
using RemapDaemon.Output;
using RemapDaemon.Store.Query;

namespace RemapDaemon.Fleet.Sensor;

/// <summary>
/// The extracts a host serves: <c>extract</c> runs the store query (<see cref="StoreQuery"/>,
/// the same as remapd query) into a temporary file and answers its id and size; <c>chunk</c>
/// hands out pieces of it. A file is deleted once its last byte was read, after two minutes
/// without a chunk request (looked at every statistics interval and at every extract), and
/// when remapd stops.
/// </summary>
internal sealed class Extracts : IDisposable
{
    private static readonly TimeSpan Idle = TimeSpan.FromMinutes(2);

    private readonly FleetSensorOptions _o;
    private readonly ILogger _logger;
    private readonly string _directory;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private long _next;

    internal Extracts(FleetSensorOptions options, ILogger logger)
    {
        _o = options;
        _logger = logger;
        _directory = Path.Combine(Path.GetTempPath(), string.Create(CultureInfo.InvariantCulture, $"remapd-extract-{options.Host}-{Environment.ProcessId}"));
    }

    /// <exception cref="ExtractException">No store, a bad filter, a store that cannot be read.</exception>
    internal ServiceReply Run(ExtractRequest r)
    {
        if (_o.StoreDirectory is null)
        {
            throw new ExtractException($"host {_o.Host} captures without a store: nothing to extract");
        }

        CaptureFileFormat format = r.Format switch
        {
            "pcap" or "" => CaptureFileFormat.Pcap,
            "pcapng" => CaptureFileFormat.PcapNg,
            _ => throw new ExtractException($"format '{r.Format}': pcap or pcapng"),
        };
        if (r.ToNs <= r.FromNs)
        {
            throw new ExtractException("the range is empty: to_ns must be after from_ns");
        }

        Expire();
        Directory.CreateDirectory(_directory);
        string id = string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessId:x}-{Interlocked.Increment(ref _next)}");
        string path = Path.Combine(_directory, id + ".pcap");
        QueryResult result;
        try
        {
            using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 1 << 16))
            {
                result = StoreQuery.Run(new QueryOptions
                {
                    Directory = _o.StoreDirectory,
                    FromNs = r.FromNs,
                    ToNs = r.ToNs,
                    Filter = r.Filter,
                    Format = format,
                }, file);
            }
        }
        catch (BpfCompileException e)
        {
            File.Delete(path);
            throw new ExtractException($"filter '{r.Filter}': {e.Message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DllNotFoundException)
        {
            File.Delete(path);
            throw new ExtractException($"host {_o.Host}: the store query failed: {e.Message}");
        }

        long bytes = new FileInfo(path).Length;
        lock (_gate)
        {
            _entries[id] = new Entry(path, bytes) { LastUse = DateTime.UtcNow };
        }

        Log.Extracted(_logger, id, result.PacketsWritten, bytes, r.Filter.Length == 0 ? "every packet" : $"'{r.Filter}'", r.FromNs, r.ToNs);
        return new ServiceReply { Ok = true, Id = id, Bytes = bytes, Packets = result.PacketsWritten };
    }

    /// <summary>Up to <see cref="ChunkRequest.Length"/> bytes at the offset; empty at the end (the file is then deleted).</summary>
    /// <exception cref="ExtractException">No such extract (expired, or never made), or a bad offset.</exception>
    internal byte[] Read(ChunkRequest c)
    {
        Entry e;
        lock (_gate)
        {
            if (!_entries.TryGetValue(c.Id, out e!))
            {
                throw new ExtractException($"no extract '{c.Id}' on host {_o.Host} (finished, or idle for more than {Idle.TotalSeconds} s)");
            }

            e.LastUse = DateTime.UtcNow;
        }

        if (c.Offset < 0 || c.Offset > e.Bytes || c.Length is <= 0 or > FleetNames.MaxChunk)
        {
            throw new ExtractException(string.Create(CultureInfo.InvariantCulture, $"chunk at {c.Offset}, {c.Length} bytes: outside the extract's {e.Bytes} bytes or over {FleetNames.MaxChunk}"));
        }

        int length = (int)Math.Min(c.Length, e.Bytes - c.Offset);
        var data = new byte[length];
        using (Microsoft.Win32.SafeHandles.SafeFileHandle h = File.OpenHandle(e.Path))
        {
            int done = 0;
            while (done < length)
            {
                int n = RandomAccess.Read(h, data.AsSpan(done), c.Offset + done);
                if (n == 0)
                {
                    break;
                }

                done += n;
            }
        }

        if (c.Offset + length >= e.Bytes)
        {
            Remove(c.Id);
        }

        return data;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _entries.Clear();
        }

        try
        {
            if (Directory.Exists(_directory))
            {
                Directory.Delete(_directory, recursive: true);
            }
        }
        catch (IOException)
        {
        }
    }

    internal void Expire()
    {
        List<string> old;
        lock (_gate)
        {
            old = [.. _entries.Where(kv => DateTime.UtcNow - kv.Value.LastUse > Idle).Select(kv => kv.Key)];
        }

        foreach (string id in old)
        {
            Remove(id);
        }
    }

    private void Remove(string id)
    {
        Entry? e;
        lock (_gate)
        {
            if (!_entries.Remove(id, out e))
            {
                return;
            }
        }

        File.Delete(e.Path);
    }

    private sealed record Entry(string Path, long Bytes)
    {
        public DateTime LastUse { get; set; }
    }
}

/// <summary>An extract or chunk request that cannot be served; the message is the reply's error.</summary>
internal sealed class ExtractException(string message) : Exception(message);
