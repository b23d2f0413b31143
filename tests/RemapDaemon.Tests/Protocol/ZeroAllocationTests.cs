using RemapDaemon.Output.Pcap;
using RemapDaemon.Protocol;
using static RemapDaemon.Protocol.Abi.Skbremap;

namespace RemapDaemon.Tests.Protocol;

/// <summary>The per-packet path (parse an entry, write a pcap record) allocates nothing on the GC heap.</summary>
public sealed class ZeroAllocationTests
{
    private const int PacketsPerWindow = 50;
    private const int Packets = 100_000;

    [Fact]
    public void Reading_and_writing_100k_packets_allocates_zero_bytes_after_warm_up()
    {
        var b = new InfoPageBuilder(pagesPerWindow: 32);
        for (int i = 0; i < PacketsPerWindow; i++)
        {
            TestEntry e = b.Add(Frames.Udp(60 + (i * 37), (byte)i), tstampNs: 1_700_000_000_000_000_000UL + (ulong)i);
            if (i % 3 == 0)
            {
                e.Flags |= SKBREMAP_PKT_VLAN;
                e.VlanTci = 100;
                e.VlanProto = 0x8100;
            }
        }

        byte[] window = b.Build();
        WindowGeometry geo = b.Geometry;
        using var writer = new PcapWriter(Stream.Null, snaplen: 0);

        int warm = RunWindows(window, geo, writer, windows: 200);
        long before = GC.GetAllocatedBytesForCurrentThread();
        int packets = RunWindows(window, geo, writer, windows: Packets / PacketsPerWindow);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        warm.Should().Be(200 * PacketsPerWindow);
        packets.Should().Be(Packets);
        writer.PacketsWritten.Should().Be(warm + packets);
        allocated.Should().Be(0, "TryOpen, TryReadNext and PcapWriter.Write must not allocate per packet");
    }

    [Fact]
    public void Scatter_packets_read_as_sequences_and_written_allocate_zero_bytes_after_warm_up()
    {
        var b = new InfoPageBuilder(pagesPerWindow: 32);
        for (int i = 0; i < 10; i++)
        {
            // Three runs on pages of their own: page 3i (at 66), 3i+1 (whole), 3i+2 (start).
            b.AddScatter(Frames.Udp(128 + 4096 + 100 + i, (byte)i), ((uint)(3 * i), 66, 128), ((uint)(3 * i) + 1, 0, 4096), ((uint)(3 * i) + 2, 0, 100 + i));
        }

        ReadOnlyMemory<byte> window = b.Build();
        WindowGeometry geo = b.Geometry;
        var chain = new ScatterChain();
        using var writer = new PcapWriter(Stream.Null, snaplen: 0);

        int Run(int windows)
        {
            int packets = 0;
            for (int w = 0; w < windows; w++)
            {
                if (InfoPageReader.TryOpen(window, geo, 0, chain, out InfoPageReader reader) != InfoPageError.None)
                {
                    return -1;
                }

                while (reader.TryReadNext(out CapturedPacket p, out _))
                {
                    writer.Write(p);
                    packets++;
                }
            }

            return packets;
        }

        Run(100).Should().Be(1000);
        long before = GC.GetAllocatedBytesForCurrentThread();
        int n = Run(1000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        n.Should().Be(10_000);
        allocated.Should().Be(0, "a reused ScatterChain makes SCATTER packets allocation-free too");
    }

    private static int RunWindows(byte[] window, in WindowGeometry geo, PcapWriter writer, int windows)
    {
        int packets = 0;
        for (int w = 0; w < windows; w++)
        {
            if (InfoPageReader.TryOpen(window, geo, 0, out InfoPageReader reader) != InfoPageError.None)
            {
                return -1;
            }

            while (reader.TryReadNext(out CapturedPacket p, out _))
            {
                writer.Write(p);
                packets++;
            }
        }

        return packets;
    }
}
