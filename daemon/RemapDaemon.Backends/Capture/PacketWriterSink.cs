using RemapDaemon.Capture;

namespace RemapDaemon.Backends;

/// <summary>
/// Packets into any <see cref="IPacketWriter"/>: one pcap or pcapng file, stdout, or a rotating
/// series (<see cref="CaptureOutput.Open"/>). The writer belongs to the caller.
/// </summary>
public sealed class PacketWriterSink(IPacketWriter writer) : IPacketSink
{
    public void Write(in CapturedPacket packet) => writer.Write(in packet);

    public bool Accepts(in CapturedPacket packet) => writer.Accepts(in packet);

    public void Flush() => writer.Flush();
}
