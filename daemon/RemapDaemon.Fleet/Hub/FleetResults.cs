using RemapDaemon.Fleet.Messages;

namespace RemapDaemon.Fleet.Hub;

/// <summary>How to reach the hub.</summary>
public sealed record FleetClientOptions
{
    /// <summary>The hub's servers, comma-separated (nats://host:port,...).</summary>
    public required string Servers { get; init; }

    /// <summary>The hub's JetStream domain.</summary>
    public string HubDomain { get; init; } = FleetNames.DefaultHubDomain;

    /// <summary>How long to try to reach a hub server before <see cref="FleetUnavailableException"/>.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a host has to answer a service request (extract runs the host's query first).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Replicas of the config bucket when this client creates it (a single-server hub gets 1).</summary>
    public int ConfigReplicas { get; init; } = 3;
}

/// <summary>A host as its latest status in remapd-alive shows it.</summary>
/// <param name="Stats">The status; null when the value does not parse (then <paramref name="Error"/> says why).</param>
/// <param name="Age">Since the status's time (the host's clock).</param>
/// <param name="Alive">The status is younger than three of the host's intervals.</param>
public sealed record HostStatus(string Host, HostStats? Stats, TimeSpan Age, bool Alive, string? Error)
{
    /// <summary>Alive: the status's time is younger than this many intervals.</summary>
    public const int AliveIntervals = 3;

    /// <summary>The interval assumed for a status that does not say (remapd's default).</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(5);

    /// <summary>The row of a remapd-alive value read at <paramref name="nowNs"/>.</summary>
    public static HostStatus Of(string host, ReadOnlySpan<byte> value, ulong nowNs)
    {
        HostStats stats;
        try
        {
            stats = FleetCodec.Decode(value, FleetJson.Default.HostStats, $"remapd-alive {host}");
        }
        catch (FleetProtocolException e)
        {
            return new HostStatus(host, null, TimeSpan.Zero, false, e.Message);
        }

        TimeSpan age = TimeSpan.FromTicks((long)(nowNs > stats.TimeNs ? (nowNs - stats.TimeNs) / 100 : 0));
        TimeSpan interval = stats.IntervalNs > 0 ? TimeSpan.FromTicks((long)(stats.IntervalNs / 100)) : DefaultInterval;
        return new HostStatus(host, stats, age, age < interval * AliveIntervals, null);
    }
}

/// <summary>One host's part of an extract.</summary>
/// <param name="Id">The host's extract id.</param>
/// <param name="Bytes">The size of the host's extract (a pcap file).</param>
/// <param name="PacketsReported">The packets the host says its extract holds.</param>
/// <param name="PacketsMerged">The packets read from it into the merge.</param>
public sealed record HostExtract(string Host, string Id, long Bytes, long PacketsReported, long PacketsMerged);

/// <summary>What an extract wrote.</summary>
public sealed record ExtractResult(IReadOnlyList<HostExtract> Hosts, long PacketsWritten, FindResult Find);

/// <summary>A value of remapd-config.</summary>
public sealed record ConfigEntry(string Key, string Text, ulong Revision);
