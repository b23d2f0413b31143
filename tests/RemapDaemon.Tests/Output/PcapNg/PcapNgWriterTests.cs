using System.Buffers.Binary;
using RemapDaemon.Output.Pcap;
using RemapDaemon.Output.PcapNg;
using RemapDaemon.Protocol;
using RemapDaemon.Tests.Protocol;
using RemapDaemon.Tests.Support;

namespace RemapDaemon.Tests.Output.PcapNg;

/// <summary>PcapNgWriter on its own: framing, interface bookkeeping, argument checks, no allocation per packet.</summary>
public sealed class PcapNgWriterTests
{
    private static CapturedPacket Packet(byte[] data, int ifindex) =>
        new() { Data = data, WireLength = (uint)data.Length, TimestampNs = 1_700_000_000_000_000_001, IfIndex = ifindex };

    [Fact]
    public void Packets_of_every_length_are_padded_to_four_bytes_and_framed_at_both_ends()
    {
        var ms = new MemoryStream();
        using (var w = new PcapNgWriter(ms, snaplen: 0, leaveOpen: true))
        {
            for (int n = 42; n < 50; n++)
            {
                w.Write(Packet(Frames.Udp(n), 1));
            }
        }

        List<PcapNgBlock> epbs = [.. PcapNgBlocks.Read(ms.ToArray()).Where(b => b.Type == 6)];
        epbs.Select(b => BinaryPrimitives.ReadUInt32LittleEndian(b.Body.AsSpan(12))).Should().Equal(Enumerable.Range(42, 8).Select(n => (uint)n));
        epbs.Select(b => b.Body.Length).Should().Equal(Enumerable.Range(42, 8).Select(n => 20 + ((n + 3) & ~3)));
        epbs.Select(b => PcapNgBlocks.Timestamp(b.Body.AsSpan(4))).Should().OnlyContain(t => t == 1_700_000_000_000_000_001);
    }

    [Fact]
    public void Large_packets_go_out_straight_from_their_span_and_are_padded_and_framed_the_same()
    {
        var ms = new WriteSizeStream();
        var sizes = new[] { 8190, 8192, 8193, 8194, 8195, 20001, 60 };
        using (var w = new PcapNgWriter(ms, snaplen: 0, leaveOpen: true))
        {
            foreach (int n in sizes)
            {
                w.Write(Packet(Frames.Udp(n, (byte)n), 1));
            }
        }

        ms.Writes.Should().Contain([8192, 8193, 8194, 8195, 20001], "a packet of 8 KiB or more is one write of its own bytes");
        ms.Writes.Should().NotContain(8190);
        List<PcapNgBlock> epbs = [.. PcapNgBlocks.Read(ms.ToArray()).Where(b => b.Type == 6)];
        epbs.Select(b => b.Body.Length).Should().Equal(sizes.Select(n => 20 + ((n + 3) & ~3)));
        for (int i = 0; i < sizes.Length; i++)
        {
            int n = sizes[i];
            epbs[i].Body.AsSpan(20, n).ToArray().Should().Equal(Frames.Udp(n, (byte)n), $"packet of {n} bytes");
            epbs[i].Body.AsSpan(20 + n).ToArray().Should().Equal(new byte[((n + 3) & ~3) - n], "the padding is zeros");
        }
    }

    [Fact]
    public void Interfaces_get_ids_in_the_order_they_are_first_seen_or_described()
    {
        using var w = new PcapNgWriter(Stream.Null, snaplen: 0);
        w.DescribeInterface(4);
        w.Write(Packet(Frames.Udp(60), 9));
        w.Write(Packet(Frames.Udp(60), 4));
        w.SetInterfaceDrops(2, 1);

        (w.InterfaceIdOf(4), w.InterfaceIdOf(9), w.InterfaceIdOf(2), w.InterfaceIdOf(3)).Should().Be((0, 1, 2, -1));
        w.InterfaceCount.Should().Be(3);
    }

    [Fact]
    public void Bad_arguments_are_refused()
    {
        Action tooBigSnaplen = () => _ = new PcapNgWriter(Stream.Null, snaplen: PcapFormat.MaximumSnaplen + 1);
        Action tooBigLinkType = () => _ = new PcapNgWriter(Stream.Null, snaplen: 0, linkType: 70000);
        using var w = new PcapNgWriter(Stream.Null, snaplen: 0);
        byte[] data = Frames.Udp(100);
        Action morethanWire = () => w.Write(new CapturedPacket { Data = data, WireLength = 99, IfIndex = 1 });

        tooBigSnaplen.Should().Throw<ArgumentOutOfRangeException>();
        tooBigLinkType.Should().Throw<ArgumentOutOfRangeException>();
        morethanWire.Should().Throw<ArgumentException>().WithMessage("captured length exceeds wire length*");
    }

    [Fact]
    public void Dispose_twice_is_harmless_and_writing_after_it_is_an_error()
    {
        var w = new PcapNgWriter(new MemoryStream(), snaplen: 0);
        w.Dispose();
        w.Dispose();

        Action write = () => w.Write(Packet(Frames.Udp(60), 1));
        write.Should().Throw<ObjectDisposedException>();
    }

    [Fact]
    public void Writing_100k_packets_on_known_interfaces_allocates_zero_bytes()
    {
        using var w = new PcapNgWriter(Stream.Null, snaplen: 0, interfaceName: i => $"if{i}");
        byte[][] frames = [.. Enumerable.Range(0, 16).Select(i => Frames.Udp(60 + (i * 90), (byte)i))];
        for (int i = 0; i < 4; i++)
        {
            w.Write(Packet(frames[i], i));
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100_000; i++)
        {
            w.Write(new CapturedPacket
            {
                Data = frames[i % 16],
                WireLength = (uint)frames[i % 16].Length,
                IfIndex = i % 4,
                TimestampNs = (ulong)i,
                Flags = i % 3 == 0 ? RemapDaemon.Protocol.Abi.Skbremap.SKBREMAP_PKT_VLAN : 0,
                VlanTci = 100,
            });
        }

        (GC.GetAllocatedBytesForCurrentThread() - before).Should().Be(0);
        w.PacketsWritten.Should().Be(100_004);
    }
}
