using RemapDaemon.Fleet.Messages;
using RemapDaemon.Store.Index;

namespace RemapDaemon.Fleet.Hub;

/// <summary>A store file that <c>fleet find</c> names.</summary>
/// <param name="Packets">The packets of the flows that may match (an upper bound); the file's packets when <paramref name="FlowsComplete"/> is false.</param>
/// <param name="FlowsComplete">False: the record has no flows, so the file may match ("may match" in the table) and was not narrowed.</param>
public sealed record FoundFile(string Host, string Capture, string File, ulong FirstNs, ulong LastNs, ulong Packets, bool FlowsComplete, long Size, uint LinkType, string Format);

/// <summary>What a find selected, and what it read to do so.</summary>
/// <param name="Files">Sorted by first packet time, then host, then file.</param>
/// <param name="IndexRecords">Index records read (duplicates included).</param>
/// <param name="DeletedFiles">Files that a deleted event took out of the live set.</param>
/// <param name="DuplicateRecords">Index records of a host's file already seen (counted once; a hub stream's de-duplication should leave none).</param>
/// <param name="UnreadableMessages">Index records and events that did not parse (left out).</param>
public sealed record FindResult(IReadOnlyList<FoundFile> Files, IReadOnlyList<string> Hosts, int IndexRecords, int DeletedFiles, int DuplicateRecords, int UnreadableMessages)
{
    /// <summary>The hosts that hold at least one file found, in host order.</summary>
    public IReadOnlyList<string> HostsWithFiles => [.. Files.Select(f => f.Host).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
}

/// <summary>
/// The selection of <c>fleet find</c>, from what the hub's streams hold and nothing else: the
/// live files (index records minus the files a deleted event of the same host names), each
/// listed when its time range meets [from, to) and, when its record carries every flow, at
/// least one flow meets the range and the filter may match it (<see cref="FlowMatcher"/>, the
/// store query's own test). The host judges every packet again when it extracts: this only
/// chooses whom to ask.
/// </summary>
public sealed class FindSelection
{
    private readonly Dictionary<(string Host, string File), IndexRecord> _records = [];
    private readonly HashSet<(string Host, string File)> _deleted = [];
    private readonly SortedSet<string> _hosts = new(StringComparer.Ordinal);

    public int IndexRecords { get; private set; }

    public int DuplicateRecords { get; private set; }

    public int UnreadableMessages { get; private set; }

    /// <summary>An index record or event of <paramref name="subject"/>, as the hub's stream holds it; one that does not parse is counted and left out.</summary>
    public void AddMessage(string subject, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(subject);
        try
        {
            if (subject.EndsWith(".index", StringComparison.Ordinal))
            {
                Add(FleetCodec.Decode(data, FleetJson.Default.IndexRecord, subject));
            }
            else if (subject.EndsWith(".event", StringComparison.Ordinal))
            {
                Add(FleetCodec.Decode(data, FleetJson.Default.HostEvent, subject));
            }
        }
        catch (FleetProtocolException)
        {
            UnreadableMessages++;
        }
    }

    /// <summary>A host whose stream was read (it counts as known even with no file).</summary>
    public void AddHost(string host) => _hosts.Add(host);

    public void Add(IndexRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        IndexRecords++;
        _hosts.Add(record.Host);
        if (!_records.TryAdd((record.Host, record.File), record))
        {
            DuplicateRecords++;
        }
    }

    /// <summary>Only deleted events matter to a find; the others are ignored.</summary>
    public void Add(HostEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (e.Kind == HostEventKinds.Deleted && e.File is { Length: > 0 } file)
        {
            _deleted.Add((e.Host, file));
        }
    }

    /// <exception cref="FleetUsageException">The filter does not compile for a record's link type.</exception>
    public FindResult Select(ulong fromNs, ulong toNs, FleetFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var files = new List<FoundFile>();
        int deleted = 0;
        foreach (((string host, string file), IndexRecord r) in _records)
        {
            if (_deleted.Contains((host, file)))
            {
                deleted++;
                continue;
            }

            if (r.Packets == 0 || !Meets(r.FirstNs, r.LastNs, fromNs, toNs))
            {
                continue;
            }

            IReadOnlyList<IndexedFlow>? flows = r.FlowsComplete ? FlowsOf(r) : null;
            if (flows is null)
            {
                files.Add(Found(r, r.Packets, flowsComplete: false));
                continue;
            }

            ulong packets = 0;
            bool any = false;
            foreach (IndexedFlow flow in flows)
            {
                if (Meets(flow.FirstNs, flow.LastNs, fromNs, toNs) && filter.MayMatch(r.LinkType, flow.Key))
                {
                    any = true;
                    packets += flow.Packets;
                }
            }

            if (any)
            {
                files.Add(Found(r, packets, flowsComplete: true));
            }
        }

        files.Sort((a, b) => a.FirstNs != b.FirstNs ? a.FirstNs.CompareTo(b.FirstNs)
            : string.CompareOrdinal(a.Host, b.Host) is int byHost and not 0 ? byHost
            : string.CompareOrdinal(a.File, b.File));
        return new FindResult(files, [.. _hosts], IndexRecords, deleted, DuplicateRecords, UnreadableMessages);
    }

    /// <summary>[first, last] meets [from, to).</summary>
    internal static bool Meets(ulong firstNs, ulong lastNs, ulong fromNs, ulong toNs) => lastNs >= fromNs && firstNs < toNs;

    /// <summary>The record's flows; null when they do not decode (then the file may match anything).</summary>
    private static IReadOnlyList<IndexedFlow>? FlowsOf(IndexRecord r)
    {
        byte[] table;
        try
        {
            table = Convert.FromBase64String(r.Flows);
        }
        catch (FormatException)
        {
            return null;
        }

        return IndexFile.ReadFlowTable(table);
    }

    private static FoundFile Found(IndexRecord r, ulong packets, bool flowsComplete) =>
        new(r.Host, r.Capture, r.File, r.FirstNs, r.LastNs, packets, flowsComplete, r.Size, r.LinkType, r.Format);
}
