using System.Text.Json.Serialization;

namespace RemapDaemon.Fleet.Messages;

/// <summary>A host's drops by reason (remapd's summary's reasons), and their total.</summary>
public sealed record DropCounts
{
    public ulong Total { get; init; }
    public ulong QueueFull { get; init; }
    public ulong NoWindow { get; init; }
    public ulong NoMemory { get; init; }
    public ulong TooBig { get; init; }
    public ulong MemoryLimit { get; init; }
    public ulong OutputTooSlow { get; init; }
    public ulong DiskFull { get; init; }
}

/// <summary>A host's store: complete files, bytes, files deleted by retention.</summary>
public sealed record StoreCounts
{
    public long Files { get; init; }
    public long Bytes { get; init; }
    public long DeletedFiles { get; init; }
}

/// <summary>Where the host's desired configuration (the hub's KV) stands.</summary>
public sealed record ConfigState
{
    /// <summary>The revision of the <c>all</c> key applied or refused last (0: none).</summary>
    public ulong AllRevision { get; init; }

    /// <summary>The revision of the host's own key applied or refused last (0: none).</summary>
    public ulong HostRevision { get; init; }

    /// <summary>True when the configuration of those revisions is in force; false when it was refused.</summary>
    public bool Applied { get; init; } = true;

    /// <summary>Why it was refused.</summary>
    public string? Error { get; init; }

    /// <summary>Keys whose desired value differs from the running one and take effect only at a restart.</summary>
    public IReadOnlyList<string> RestartKeys { get; init; } = [];
}

/// <summary>
/// A host's statistics (subject remapd.data.HOST.stats, every interval), also its status (the
/// service's status reply, the remapd-alive bucket's value).
/// </summary>
public sealed record HostStats
{
    public required string Host { get; init; }
    public required string Run { get; init; }
    public ulong Seq { get; init; }
    public ulong TimeNs { get; init; }
    public ulong IntervalNs { get; init; }

    /// <summary>"capturing", or "stopped" (by the service's stop).</summary>
    public required string State { get; init; }
    public required string Interface { get; init; }

    /// <summary>The filter in force ("" = every packet).</summary>
    public string Filter { get; init; } = "";
    public ulong Packets { get; init; }
    public ulong Bytes { get; init; }
    public ulong Seen { get; init; }
    public ulong Filtered { get; init; }
    public DropCounts Drops { get; init; } = new();
    public StoreCounts Store { get; init; } = new();
    public ConfigState Config { get; init; } = new();
    public ulong MessagesPublished { get; init; }
    public ulong BytesPublished { get; init; }
}

/// <summary>A completed store file (subject remapd.data.HOST.index): what a find needs, without asking the host.</summary>
public sealed record IndexRecord
{
    public required string Host { get; init; }
    public required string Capture { get; init; }
    public required string File { get; init; }
    public long Size { get; init; }
    public ulong FirstNs { get; init; }
    public ulong LastNs { get; init; }
    public ulong Packets { get; init; }
    public uint LinkType { get; init; }

    /// <summary>"pcap" or "pcapng".</summary>
    public required string Format { get; init; }

    /// <summary>False when the flows are missing (no index, or more than fit): the file may match any filter.</summary>
    public bool FlowsComplete { get; init; }

    /// <summary>The index's flow table (IndexFormat.FlowSize bytes per flow, positions left out), base64.</summary>
    public string Flows { get; init; } = "";
}

/// <summary>Something that happened on a host (subject remapd.data.HOST.event).</summary>
public sealed record HostEvent
{
    public required string Host { get; init; }
    public required string Run { get; init; }
    public ulong Seq { get; init; }
    public ulong TimeNs { get; init; }

    /// <summary><see cref="HostEventKinds"/>.</summary>
    public required string Kind { get; init; }
    public required string Message { get; init; }
    public string? File { get; init; }
    public ulong Packets { get; init; }
    public ulong Bytes { get; init; }
}

/// <summary>The kinds of <see cref="HostEvent"/>.</summary>
public static class HostEventKinds
{
    public const string Start = "start";
    public const string Stop = "stop";
    public const string Rotation = "rotation";
    public const string Deleted = "deleted";
    public const string Drops = "drops";
    public const string DiskFull = "disk-full";
    public const string ConfigApplied = "config-applied";
    public const string ConfigRefused = "config-refused";
    public const string Paused = "paused";
    public const string Resumed = "resumed";
}

/// <summary>Every service reply but a chunk: ok, or the error; the status with a status request.</summary>
public sealed record ServiceReply
{
    public bool Ok { get; init; }
    public string? Error { get; init; }
    public HostStats? Status { get; init; }
    public string? Id { get; init; }
    public long Bytes { get; init; }
    public long Packets { get; init; }
}

/// <summary>extract: the packets matching Filter in [FromNs, ToNs) of the host's store, as one capture file.</summary>
public sealed record ExtractRequest
{
    public ulong FromNs { get; init; }
    public ulong ToNs { get; init; } = ulong.MaxValue;
    public string Filter { get; init; } = "";

    /// <summary>"pcap" (the merge reads pcap) or "pcapng".</summary>
    public string Format { get; init; } = "pcap";
}

/// <summary>chunk: Length bytes (at most <see cref="FleetNames.MaxChunk"/>) of extract Id from Offset.</summary>
public sealed record ChunkRequest
{
    public required string Id { get; init; }
    public long Offset { get; init; }
    public int Length { get; init; } = FleetNames.MaxChunk;
}

/// <summary>The fleet's JSON, generated at build time (NativeAOT: no reflection).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(HostStats))]
[JsonSerializable(typeof(IndexRecord))]
[JsonSerializable(typeof(HostEvent))]
[JsonSerializable(typeof(ServiceReply))]
[JsonSerializable(typeof(ExtractRequest))]
[JsonSerializable(typeof(ChunkRequest))]
public sealed partial class FleetJson : JsonSerializerContext
{
}
