using RemapDaemon.Capture;

namespace RemapDaemon.Backends;

/// <summary>Packets into a pcap file (or stdout) through <see cref="PcapWriter"/>.</summary>
public sealed class PcapPacketSink : IPacketSink, IDisposable
{
    private readonly PcapWriter _writer;

    public PcapPacketSink(Stream stream, uint snaplen, bool leaveOpen)
    {
        _writer = new PcapWriter(stream, snaplen, leaveOpen: leaveOpen);
    }

    public void Write(in CapturedPacket packet) => _writer.Write(packet);

    public void Flush() => _writer.Flush();

    public void Dispose() => _writer.Dispose();
}
