using RemapDaemon.Capture;

namespace RemapDaemon.Backends;

/// <summary>
/// Packets into any <see cref="IPacketWriter"/>: one pcap or pcapng file, stdout, or a rotating
/// series (<see cref="CaptureOutput.Open(CaptureFileOptions, OutputQueue)"/>), written through
/// <paramref name="queue"/> when the writer was opened on one (windows are then held until their
/// bytes are written). The writer and the queue belong to the caller.
/// </summary>
public sealed class PacketWriterSink(IPacketWriter writer, OutputQueue? queue = null) : IPacketSink
{
    public void Write(in CapturedPacket packet) => writer.Write(in packet);

    public bool Accepts(in CapturedPacket packet) => writer.Accepts(in packet);

    public void Flush() => writer.Flush();

    public bool EndWindow(int window, Action<int> release) => queue is not null && queue.EndWindow(window, release);

    public void Drain()
    {
        if (queue is null)
        {
            writer.Flush();
            return;
        }

        queue.Drain();
    }

    public void Idle() => queue?.HandOverHeld();

    public void WaitForOutput(int timeoutMs)
    {
        if (queue is null)
        {
            Thread.Sleep(timeoutMs);
            return;
        }

        queue.WaitForProgress(timeoutMs);
    }

    public OutputQueueCounters Output => queue?.Counters ?? default;
}
