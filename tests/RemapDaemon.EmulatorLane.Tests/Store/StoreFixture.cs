using RemapDaemon.EmulatorLane.Tests.Support;
using RemapDaemon.Tests.Support;

namespace RemapDaemon.EmulatorLane.Tests.Store;

/// <summary>
/// One store for the query tests, built once: <see cref="StoreTraffic"/>'s 4200 packets over
/// 21 s replayed through the emulator into a store rotated every 5 s (aligned to the clock) and
/// at 200 kB, so the packets spread over several complete, indexed files.
/// </summary>
public sealed class StoreFixture : IDisposable
{
    public const int Packets = 4200;
    public const ulong SpacingNs = 5_000_000;

    public StoreFixture()
    {
        Lane = new Lane();
        string input = Lane.PathOf("traffic.pcap");
        StoreTraffic.Write(input, Packets, SpacingNs);
        Store = Lane.PathOf("store");
        Capture = Lane.Remapd("--source", $"pcap:{input}", "--store", Store, "--rotate-seconds", "5", "--rotate-size", "200k", "-q");
    }

    internal Lane Lane { get; }

    public string Store { get; }

    internal ToolResult Capture { get; }

    public ulong EndNs => StoreTraffic.StartNs + (Packets * SpacingNs);

    public void Dispose() => Lane.Dispose();
}
