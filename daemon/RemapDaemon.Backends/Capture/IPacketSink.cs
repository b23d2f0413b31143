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

    /// <summary>
    /// Every packet of <paramref name="window"/> has been handed over. False: the caller releases
    /// the window now. True: the sink calls <paramref name="release"/> (on another thread) once
    /// the bytes it kept referencing in the window are written. Never throws.
    /// </summary>
    bool EndWindow(int window, Action<int> release) => false;

    /// <summary>
    /// Waits until everything handed over is written and every window the sink held is released
    /// (even when writing failed); then throws the failure, if any.
    /// </summary>
    void Drain() => Flush();

    /// <summary>The capture has nothing more to read for now: hand over whatever holds windows.</summary>
    void Idle()
    {
    }

    /// <summary>Waits at most <paramref name="timeoutMs"/> for the sink's writer to finish a batch (and so perhaps release a window).</summary>
    void WaitForOutput(int timeoutMs) => Thread.Sleep(timeoutMs);

    /// <summary>What the output's writer thread has done (zero without one).</summary>
    OutputQueueCounters Output => default;
}
