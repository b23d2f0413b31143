using RemapDaemon.Output;
using RemapDaemon.Output.Pcap;
using RemapDaemon.Output.PcapNg;
using RemapDaemon.Protocol;

namespace RemapDaemon.Store.Query;

/// <summary>What remapd query asks of a store.</summary>
public sealed record QueryOptions
{
    public required string Directory { get; init; }

    /// <summary>First time wanted (ns since the epoch, UTC), inclusive.</summary>
    public ulong FromNs { get; init; }

    /// <summary>End of the range (ns since the epoch, UTC), exclusive.</summary>
    public ulong ToNs { get; init; } = ulong.MaxValue;

    /// <summary>tcpdump filter expression; empty: every packet.</summary>
    public string Filter { get; init; } = "";

    /// <summary>Use the indexes to choose files and positions (false: read every file of the range whole).</summary>
    public bool UseIndex { get; init; } = true;

    /// <summary>Only the files of this capture (--store-name); null: every capture in the store.</summary>
    public string? Capture { get; init; }

    public CaptureFileFormat Format { get; init; } = CaptureFileFormat.Pcap;
}

/// <summary>What a query did: files chosen, how they were read (bytes: of capture files and of indexes), and what it wrote.</summary>
public sealed record QueryResult(int FilesInStore, int FilesRead, int FilesByIndex, int FilesWhole, long FlowsSkipped, long BytesRead, long PacketsExamined, long PacketsWritten);
