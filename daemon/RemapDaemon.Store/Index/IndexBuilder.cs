namespace RemapDaemon.Store.Index;

/// <summary>
/// Builds a capture file's index while the file is written: one dictionary lookup and a few
/// bytes of position per packet. Not thread-safe: the capture loop's writer owns it.
/// </summary>
public sealed class IndexBuilder
{
    private readonly Dictionary<FlowKey, IndexedFlow> _flows = [];
    private readonly List<IndexedFlow> _order = [];

    public ulong Packets { get; private set; }
    public ulong FirstNs { get; private set; }
    public ulong LastNs { get; private set; }
    public int Flows => _order.Count;

    public void Add(in FlowKey key, ulong timestampNs, long offset, uint wireLength)
    {
        if (!_flows.TryGetValue(key, out IndexedFlow? flow))
        {
            flow = new IndexedFlow(key);
            _flows.Add(key, flow);
            _order.Add(flow);
        }

        flow.Add(timestampNs, offset, wireLength);
        FirstNs = Packets == 0 ? timestampNs : Math.Min(FirstNs, timestampNs);
        LastNs = Packets == 0 ? timestampNs : Math.Max(LastNs, timestampNs);
        Packets++;
    }

    public IReadOnlyList<IndexedFlow> Snapshot() => _order;

    public void Clear()
    {
        _flows.Clear();
        _order.Clear();
        Packets = 0;
        FirstNs = 0;
        LastNs = 0;
    }
}
