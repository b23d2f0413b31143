using RemapDaemon.Output;
using RemapDaemon.Output.Pcap;
using RemapDaemon.Output.PcapNg;
using RemapDaemon.Protocol;

namespace RemapDaemon.Fleet.Hub;

/// <summary>
/// Merges pcap streams (one per host, each already in timestamp order) into one capture file
/// in timestamp order: a k-way merge on (timestamp, source order), so packets of equal time
/// keep the order of the sources and, within a source, their order in it. Reads each source
/// only as far as the merge has come (one packet ahead per source).
/// </summary>
public static class PcapMerge
{
    /// <summary>Writes the merge of <paramref name="sources"/> to <paramref name="output"/>; no source: a valid empty file (Ethernet).</summary>
    /// <returns>The packets taken from each source, in source order, and the packets written.</returns>
    /// <exception cref="InvalidDataException">The sources are of different link types (one file holds one), or one is damaged.</exception>
    public static (long[] PerSource, long Written) Run(IReadOnlyList<PcapStreamReader> sources, Stream output, CaptureFileFormat format)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(output);
        uint linkType = sources.Count > 0 ? sources[0].LinkType : PcapFormat.LinkTypeEthernet;
        foreach (PcapStreamReader s in sources)
        {
            if (s.LinkType != linkType)
            {
                throw new InvalidDataException($"the extracts are of different link types ({linkType} and {s.LinkType}): one capture file holds one");
            }
        }

        using IPacketWriter writer = format == CaptureFileFormat.PcapNg
            ? new PcapNgWriter(output, 0, linkType, leaveOpen: true, application: "remapctl fleet extract")
            : new PcapWriter(output, 0, linkType, leaveOpen: true);
        long[] perSource = Run(sources, writer);
        writer.Flush();
        return (perSource, writer.PacketsWritten);
    }

    /// <summary>Writes the merge of <paramref name="sources"/> to <paramref name="writer"/>; the packets taken from each source.</summary>
    public static long[] Run(IReadOnlyList<PcapStreamReader> sources, IPacketWriter writer)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(writer);
        long[] taken = new long[sources.Count];
        var heap = new PriorityQueue<int, (ulong TimestampNs, int Source)>(Math.Max(1, sources.Count));
        for (int i = 0; i < sources.Count; i++)
        {
            if (sources[i].TryRead())
            {
                heap.Enqueue(i, (sources[i].TimestampNs, i));
            }
        }

        while (heap.TryDequeue(out int i, out _))
        {
            PcapStreamReader s = sources[i];
            writer.Write(new CapturedPacket { Data = s.Data.Span, WireLength = s.WireLength, TimestampNs = s.TimestampNs });
            taken[i]++;
            if (s.TryRead())
            {
                heap.Enqueue(i, (s.TimestampNs, i));
            }
        }

        return taken;
    }
}
