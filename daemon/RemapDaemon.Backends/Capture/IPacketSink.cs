using RemapDaemon.Capture;

namespace RemapDaemon.Backends;

/// <summary>
/// Where the capture loop puts each packet. <see cref="Write"/> runs while the packet's window
/// is still owned by user space: the packet's data span is valid only during the call.
/// </summary>
public interface IPacketSink
{
    void Write(in CapturedPacket packet);

    /// <summary>
    /// Whether the sink still takes <paramref name="packet"/>; false once its output is complete
    /// (remapd -G with -W: the last file's interval is over), which stops the capture as the
    /// -c count does. Asked before every <see cref="Write"/>.
    /// </summary>
    bool Accepts(in CapturedPacket packet) => true;

    void Flush();
}
