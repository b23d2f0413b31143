using RemapDaemon.Output;
using RemapDaemon.Protocol;
using RemapDaemon.Remapd.Output;

namespace RemapDaemon.Remapd.Commands;

/// <summary>
/// Where the capture loops of remapd write: one writer for one capture; with -j N one file per
/// member (-w cap.pcap: cap.0.pcap, cap.1.pcap, ...), or with --merge one file fed by a
/// <see cref="TimestampMerge"/>. With -c, the count is shared: the members together write
/// exactly that many packets.
/// </summary>
internal sealed class MemberOutputs : IDisposable
{
    private readonly IPacketWriter[] _files;
    private readonly TimestampMerge? _merge;
    private readonly IPacketWriter[] _members;
    private readonly ulong[] _drops;
    private readonly int _ifindex;
    private bool _closed;

    private MemberOutputs(IPacketWriter[] files, TimestampMerge? merge, IPacketWriter[] members, int ifindex, IReadOnlyList<string> paths)
    {
        _files = files;
        _merge = merge;
        _members = members;
        _ifindex = ifindex;
        _drops = new ulong[members.Length];
        Paths = paths;
    }

    /// <summary>The file (or series) each writer opened first: one per member, or the one merged file.</summary>
    internal IReadOnlyList<string> Paths { get; }

    internal IReadOnlyList<IPacketWriter> Files => _files;

    internal bool Merged => _merge is not null;

    /// <summary>Packets the merge wrote out of timestamp order (see <see cref="TimestampMerge"/>); 0 without --merge.</summary>
    internal long OutOfOrder => _merge?.OutOfOrder ?? 0;

    /// <summary>
    /// "cap.pcap" -> "cap.3.pcap"; "cap" -> "cap.3" (the number before the file name's extension);
    /// /dev/null stays /dev/null: every member discards into it (never a file "/dev/null.3").
    /// </summary>
    internal static string MemberPath(string path, int member)
    {
        if (OutputPaths.IsDevNull(path))
        {
            return path;
        }

        string dir = Path.GetDirectoryName(path) ?? "";
        string name = Path.GetFileName(path);
        int dot = name.LastIndexOf('.');
        string numbered = dot > 0 ? $"{name[..dot]}.{member}{name[dot..]}" : $"{name}.{member}";
        return dir.Length == 0 ? numbered : Path.Combine(dir, numbered);
    }

    /// <summary>
    /// The outputs from a writer factory: <paramref name="open"/>(null) is the one output (one
    /// member, or --merge), <paramref name="open"/>(k) member k's own; <paramref name="pathOf"/> names them.
    /// </summary>
    internal static MemberOutputs Open(int ifindex, int members, bool merge, ulong count, bool flushEachBatch,
        Func<int?, IPacketWriter> open, Func<int?, string> pathOf)
    {
        var opened = new List<IPacketWriter>();
        try
        {
            if (members == 1 || merge)
            {
                opened.Add(open(null));
            }
            else
            {
                for (int k = 0; k < members; k++)
                {
                    opened.Add(open(k));
                }
            }
        }
        catch
        {
            foreach (IPacketWriter w in opened)
            {
                w.Dispose();
            }

            throw;
        }

        IPacketWriter[] fileArray = [.. opened];
        TimestampMerge? timestampMerge = members > 1 && merge
            ? new TimestampMerge(fileArray[0], members, TimeSpan.FromSeconds(1), flushEachBatch)
            : null;
        var shared = members > 1 && count > 0 ? new SharedCount(count) : null;
        var writers = new IPacketWriter[members];
        for (int k = 0; k < members; k++)
        {
            IPacketWriter w = timestampMerge?.Member(k) ?? fileArray[members == 1 ? 0 : k];
            writers[k] = shared is null ? w : new CountedWriter(w, shared);
        }

        IReadOnlyList<string> paths = members == 1 || merge
            ? [pathOf(null)]
            : [.. Enumerable.Range(0, members).Select(k => pathOf(k))];
        return new MemberOutputs(fileArray, timestampMerge, writers, ifindex, paths);
    }

    /// <summary>What member <paramref name="k"/>'s capture loop writes to.</summary>
    internal IPacketWriter Member(int k) => _members[k];

    /// <summary>Member <paramref name="k"/>'s loop has ended.</summary>
    internal void Finish(int k) => _merge?.Finish(k);

    /// <summary>skbremap's drops of member <paramref name="k"/> (pcapng: the bound interface's statistics).</summary>
    internal void SetDrops(int k, ulong drops)
    {
        if (_ifindex == 0)
        {
            return;
        }

        _drops[k] = drops;
        if (_merge is null && _files.Length == _members.Length)
        {
            _files[k].SetInterfaceDrops(_ifindex, drops);
        }
        else
        {
            _files[0].SetInterfaceDrops(_ifindex, _drops.Aggregate(0UL, (a, b) => a + b));
        }
    }

    /// <summary>Waits for the merge to write everything, then closes every file; throws the first failure.</summary>
    internal void Close()
    {
        if (_closed)
        {
            return;
        }

        _closed = true;
        Exception? failure = null;
        try
        {
            _merge?.Complete();
        }
#pragma warning disable CA1031 // The files are closed all the same; the first failure is thrown after.
        catch (Exception e)
#pragma warning restore CA1031
        {
            failure = e;
        }

        foreach (IPacketWriter w in _files)
        {
            try
            {
                w.Dispose();
            }
#pragma warning disable CA1031
            catch (Exception e)
#pragma warning restore CA1031
            {
                failure ??= e;
            }
        }

        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }
    }

    public void Dispose()
    {
        try
        {
            Close();
        }
#pragma warning disable CA1031 // Dispose after a failure already reported.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    /// <summary>-c across the members: each packet reserves one of the count before it is written.</summary>
    private sealed class SharedCount(ulong max)
    {
        private long _taken;

        public bool TryTake() => (ulong)Interlocked.Increment(ref _taken) <= max;
    }

    /// <summary>A member's writer under the shared -c count: once it is used up, the output is complete for every member.</summary>
    private sealed class CountedWriter(IPacketWriter inner, SharedCount count) : IPacketWriter
    {
        public long PacketsWritten => inner.PacketsWritten;

        public long BytesWritten => inner.BytesWritten;

        public void Write(in CapturedPacket packet) => inner.Write(in packet);

        public bool Accepts(in CapturedPacket packet) => inner.Accepts(in packet) && count.TryTake();

        public void Flush() => inner.Flush();

        public void SetInterfaceDrops(int ifindex, ulong drops) => inner.SetInterfaceDrops(ifindex, drops);

        public void Dispose()
        {
        }
    }
}
