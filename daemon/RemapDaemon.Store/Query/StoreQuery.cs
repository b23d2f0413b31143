using Microsoft.Win32.SafeHandles;
using RemapDaemon.Output;
using RemapDaemon.Output.Pcap;
using RemapDaemon.Output.PcapNg;
using RemapDaemon.Protocol;
using RemapDaemon.Filtering;
using RemapDaemon.Store.Index;
using RemapDaemon.Store.Interop;

namespace RemapDaemon.Store.Query;

/// <summary>
/// Answers "the packets matching FILTER between T1 and T2" from a store. Chooses the complete
/// files whose index says they hold packets in the range (a file without a valid index is read
/// whole); in an indexed file, reads only the positions of the flows whose time range meets the
/// range and that the filter may match (<see cref="FlowMatcher"/>). Every packet read is then
/// judged by its timestamp and by the filter itself (libpcap's program and interpreter, as
/// tcpdump -r does): the index only narrows what is read, it never decides. Matching packets
/// are written in timestamp order across files (a k-way merge; within one file, in file order).
/// Each file read is held with a shared flock until the query ends, so the deletion pass passes
/// over it (and on Linux an unlinked file stays readable through the open descriptor anyway).
/// </summary>
public static class StoreQuery
{
    /// <exception cref="BpfCompileException">The filter does not compile (libpcap's message).</exception>
    /// <exception cref="DirectoryNotFoundException">No such store.</exception>
    public static QueryResult Run(QueryOptions q, Stream output, StoreStatistics? statistics = null)
    {
        ArgumentNullException.ThrowIfNull(q);
        ArgumentNullException.ThrowIfNull(output);
        var programs = new Dictionary<uint, (BpfProgram Program, FlowMatcher Matcher)>();
        (BpfProgram Program, FlowMatcher Matcher) ProgramFor(uint linkType)
        {
            if (!programs.TryGetValue(linkType, out var p))
            {
                BpfProgram program = BpfProgram.Compile(q.Filter, (int)linkType, (int)PcapFormat.MaximumSnaplen);
                p = (program, new FlowMatcher(program));
                programs[linkType] = p;
            }

            return p;
        }

        // A bad expression is refused before any file is opened.
        ProgramFor(PcapFormat.LinkTypeEthernet);
        if (!Directory.Exists(q.Directory))
        {
            throw new DirectoryNotFoundException($"no store at {q.Directory}");
        }

        StoreListing listing = StoreListing.Scan(q.Directory);
        var sources = new List<Source>();
        long flowsSkipped = 0;
        long indexBytes = 0;
        int byIndex = 0;
        int whole = 0;
        try
        {
            foreach (StoredFile f in listing.Files)
            {
                if (q.Capture is not null && f.Capture != q.Capture)
                {
                    continue;
                }

                // The header first: a file outside the range costs 64 bytes of its index.
                if (q.UseIndex && IndexFile.TryReadRange(f.IndexPath) is (ulong first, ulong last, ulong packets)
                    && (packets == 0 || last < q.FromNs || first >= q.ToNs))
                {
                    indexBytes += IndexFormat.HeaderSize;
                    continue;
                }

                IndexFile? index = q.UseIndex ? IndexFile.TryRead(f.IndexPath, f.Size) : null;
                indexBytes += index is null ? 0 : f.IndexSize;
                if (index is not null && (index.Packets == 0 || index.LastNs < q.FromNs || index.FirstNs >= q.ToNs))
                {
                    continue;
                }

                SafeFileHandle handle;
                try
                {
                    handle = File.OpenHandle(f.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                }
                catch (FileNotFoundException)
                {
                    continue; // deleted since the listing
                }

                FileSystem.TryLock(handle, exclusive: false, wait: true);
                CaptureFileReader reader;
                try
                {
                    reader = CaptureFileReader.Open(handle, ownsHandle: true);
                }
                catch (InvalidDataException)
                {
                    handle.Dispose();
                    continue;
                }

                if (index is not null && (long)index.DataSize != reader.Length)
                {
                    index = null;
                }

                List<long>? positions = null;
                if (index is not null)
                {
                    FlowMatcher matcher = ProgramFor(index.LinkType).Matcher;
                    var chosen = new List<long>();
                    foreach (IndexedFlow flow in index.Flows)
                    {
                        if (flow.LastNs < q.FromNs || flow.FirstNs >= q.ToNs || !matcher.MayMatch(flow.Key))
                        {
                            flowsSkipped++;
                            continue;
                        }

                        chosen.AddRange(flow.Positions());
                    }

                    chosen.Sort();
                    positions = chosen;
                    byIndex++;
                }
                else
                {
                    whole++;
                }

                sources.Add(new Source(sources.Count, reader, positions));
            }

            return Merge(q, output, sources, ProgramFor, listing.Files.Count, byIndex, whole, flowsSkipped, indexBytes, statistics);
        }
        finally
        {
            foreach (Source s in sources)
            {
                s.Reader.Dispose();
            }
        }
    }

    private static QueryResult Merge(QueryOptions q, Stream output, List<Source> sources, Func<uint, (BpfProgram Program, FlowMatcher Matcher)> programFor,
        int filesInStore, int byIndex, int whole, long flowsSkipped, long indexBytes, StoreStatistics? statistics)
    {
        uint linkType = sources.Count > 0 ? sources[0].Reader.LinkType : PcapFormat.LinkTypeEthernet;
        IPacketWriter writer = q.Format == CaptureFileFormat.PcapNg
            ? new PcapNgWriter(output, 0, linkType == 0 ? PcapFormat.LinkTypeEthernet : linkType, leaveOpen: true)
            : new PcapWriter(output, 0, linkType == 0 ? PcapFormat.LinkTypeEthernet : linkType, leaveOpen: true);
        long examined = 0;
        using (writer)
        {
            var heap = new PriorityQueue<Source, (ulong, int)>();
            foreach (Source s in sources)
            {
                if (s.Advance(q, programFor, ref examined))
                {
                    heap.Enqueue(s, (s.Current.TimestampNs, s.Order));
                }
            }

            while (heap.TryDequeue(out Source? s, out _))
            {
                ReadOnlySpan<byte> data = s.Reader.DataOf(s.Current);
                writer.Write(new CapturedPacket { Data = data, WireLength = s.Current.WireLength, TimestampNs = s.Current.TimestampNs });
                if (s.Advance(q, programFor, ref examined))
                {
                    heap.Enqueue(s, (s.Current.TimestampNs, s.Order));
                }
            }

            writer.Flush();
        }

        statistics?.QueryServed();
        return new QueryResult(filesInStore, sources.Count, byIndex, whole, flowsSkipped, indexBytes + sources.Sum(s => s.Reader.BytesRead), examined, writer.PacketsWritten);
    }

    /// <summary>One file's matching packets, in file order: its index's positions, or every record.</summary>
    private sealed class Source(int order, CaptureFileReader reader, List<long>? positions)
    {
        private int _next;
        private long _at = -1;

        public int Order { get; } = order;
        public CaptureFileReader Reader { get; } = reader;
        public FileRecord Current { get; private set; }

        /// <summary>Moves to the next packet in the range that the filter accepts; false at the end.</summary>
        public bool Advance(QueryOptions q, Func<uint, (BpfProgram Program, FlowMatcher Matcher)> programFor, ref long examined)
        {
            while (true)
            {
                long offset;
                if (positions is not null)
                {
                    if (_next >= positions.Count)
                    {
                        return false;
                    }

                    offset = positions[_next++];
                    Reader.ReadAhead = _next < positions.Count && positions[_next] - offset < 65536 ? 256 * 1024 : 4096;
                }
                else
                {
                    offset = _at < 0 ? Reader.FirstRecord : _at;
                }

                if (!Reader.TryRead(offset, out FileRecord r, out ReadOnlySpan<byte> data))
                {
                    if (positions is null)
                    {
                        return false;
                    }

                    continue;
                }

                _at = r.Next;
                examined++;
                if (r.TimestampNs < q.FromNs || r.TimestampNs >= q.ToNs)
                {
                    continue;
                }

                if (q.Filter.Length > 0 && programFor(Reader.LinkType).Program.Matches(data, r.WireLength) == 0)
                {
                    continue;
                }

                Current = r;
                return true;
            }
        }
    }
}
