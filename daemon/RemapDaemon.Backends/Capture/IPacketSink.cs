using RemapDaemon.Capture;

namespace RemapDaemon.Backends;

/// <summary>
/// Where the capture loop puts each packet. <see cref="Write"/> runs while the packet's window
/// is still owned by user space: the packet's data span is valid only during the call.
/// </summary>
public interface IPacketSink
{
    void Write(in CapturedPacket packet);

    void Flush();
}
