using RemapDaemon.Protocol;

namespace RemapDaemon.Output;

/// <summary>
/// A sink for captured packets: one capture file (<see cref="PcapWriter"/>,
/// <see cref="PcapNgWriter"/>) or a series of them (<see cref="RotatingWriter"/>).
/// <see cref="Write"/> copies the packet's bytes out before it returns, so the window may be
/// released afterwards, and allocates nothing. Not thread-safe: one writer per capture loop.
/// </summary>
public interface IPacketWriter : IDisposable
{
    /// <summary>Packets written so far (to every file, for a rotating writer).</summary>
    long PacketsWritten { get; }

    /// <summary>Bytes written so far, buffered ones included (to every file, for a rotating writer).</summary>
    long BytesWritten { get; }

    /// <summary>Appends one packet.</summary>
    void Write(in CapturedPacket packet);

    /// <summary>
    /// Whether the output still takes <paramref name="packet"/>. Only a series with a file limit
    /// ever says no (<see cref="RotatingWriter.Accepts"/>: -G with -W, as tcpdump exits after N
    /// files); the capture then stops, as it does at the -c count.
    /// </summary>
    bool Accepts(in CapturedPacket packet) => true;

    /// <summary>Hands everything buffered to the output and flushes it.</summary>
    void Flush();

    /// <summary>
    /// Packets the capture dropped on <paramref name="ifindex"/> since it started (a running
    /// total, not an increment). pcapng stores it in the interface statistics block written
    /// at close; classic pcap has no place for it, so the default ignores it.
    /// </summary>
    void SetInterfaceDrops(int ifindex, ulong drops)
    {
    }
}
