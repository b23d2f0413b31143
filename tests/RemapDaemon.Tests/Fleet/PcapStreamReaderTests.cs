using System.Buffers.Binary;
using RemapDaemon.Fleet.Hub;
using RemapDaemon.Output.Pcap;
using RemapDaemon.Protocol;

namespace RemapDaemon.Tests.Fleet;

/// <summary>The streaming pcap reader the extract merge runs over each host's answer.</summary>
public sealed class PcapStreamReaderTests
{
    [Fact]
    public void Reads_back_what_the_pcap_writer_wrote_with_nanosecond_times()
    {
        byte[] file = PcapFiles.Write([(1_800_000_000_123_456_789, 60), (1_800_000_001_000_000_001, 1514)]);

        var r = new PcapStreamReader(new MemoryStream(file), "test");

        r.LinkType.Should().Be(1);
        r.TryRead().Should().BeTrue();
        r.TimestampNs.Should().Be(1_800_000_000_123_456_789);
        r.Data.Length.Should().Be(60);
        r.Data.Span[0].Should().Be(PcapFiles.Marker(0));
        r.TryRead().Should().BeTrue();
        r.TimestampNs.Should().Be(1_800_000_001_000_000_001);
        r.Data.Length.Should().Be(1514);
        r.WireLength.Should().Be(1514);
        r.TryRead().Should().BeFalse();
        r.PacketsRead.Should().Be(2);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Reads_microsecond_files_of_either_byte_order(bool bigEndian)
    {
        byte[] file = PcapFiles.Microseconds(bigEndian, linkType: 113, (1_700_000_000, 250_000, [1, 2, 3], 100));

        var r = new PcapStreamReader(new MemoryStream(file), "test");

        r.LinkType.Should().Be(113);
        r.TryRead().Should().BeTrue();
        r.TimestampNs.Should().Be(1_700_000_000_250_000_000);
        r.Data.ToArray().Should().Equal(1, 2, 3);
        r.WireLength.Should().Be(100);
        r.TryRead().Should().BeFalse();
    }

    [Fact]
    public void Reads_through_a_stream_that_hands_out_one_byte_at_a_time()
    {
        byte[] file = PcapFiles.Write([(1, 70), (2, 80), (3, 90)]);

        var r = new PcapStreamReader(new TrickleStream(file), "test");
        var lengths = new List<int>();
        while (r.TryRead())
        {
            lengths.Add(r.Data.Length);
        }

        lengths.Should().Equal(70, 80, 90);
    }

    [Fact]
    public void A_file_of_only_its_header_has_no_packets()
    {
        var r = new PcapStreamReader(new MemoryStream(PcapFiles.Write([])), "test");

        r.TryRead().Should().BeFalse();
    }

    [Fact]
    public void A_stream_cut_inside_a_record_or_that_is_no_pcap_is_an_error_naming_it()
    {
        byte[] file = PcapFiles.Write([(1, 70), (2, 80)]);

        var cut = new PcapStreamReader(new MemoryStream(file[..^10]), "host h1's extract");
        cut.TryRead().Should().BeTrue();
        cut.Invoking(r => r.TryRead()).Should().Throw<InvalidDataException>().WithMessage("host h1's extract: cut short in packet 2");

        var cutHeader = new PcapStreamReader(new MemoryStream(file[..(24 + 70 + 16 + 5)]), "x");
        cutHeader.TryRead().Should().BeTrue();
        cutHeader.Invoking(r => r.TryRead()).Should().Throw<InvalidDataException>().WithMessage("x: cut short*");

        var act = () => new PcapStreamReader(new MemoryStream(new byte[24]), "x");
        act.Should().Throw<InvalidDataException>().WithMessage("x: not a pcap file (magic 0x00000000)");
        act = () => new PcapStreamReader(new MemoryStream(file[..10]), "x");
        act.Should().Throw<InvalidDataException>().WithMessage("x: not a pcap file (shorter than its header)");
    }

    [Fact]
    public void A_record_claiming_more_than_any_pcap_record_holds_is_refused()
    {
        byte[] file = PcapFiles.Write([(1, 70)]);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(24 + 8), 0x7fff_ffff);

        var r = new PcapStreamReader(new MemoryStream(file), "x");

        r.Invoking(x => x.TryRead()).Should().Throw<InvalidDataException>().WithMessage("*claims 2147483647 bytes");
    }

    /// <summary>A stream that returns at most one byte per read.</summary>
    private sealed class TrickleStream(byte[] data) : MemoryStream(data)
    {
        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(1, buffer.Length)]);
    }
}

/// <summary>Small pcap files for the fleet's tests.</summary>
internal static class PcapFiles
{
    /// <summary>The first byte of packet <paramref name="index"/> of a file, so a test can tell packets apart.</summary>
    public static byte Marker(int index) => (byte)(0x10 + index);

    /// <summary>A nanosecond pcap (the product's writer) with packets of these times and lengths; packet i's bytes are all <see cref="Marker"/>(i).</summary>
    public static byte[] Write(IReadOnlyList<(ulong TimestampNs, int Length)> packets, uint linkType = PcapFormat.LinkTypeEthernet)
    {
        var output = new MemoryStream();
        using (var w = new PcapWriter(output, 0, linkType, leaveOpen: true))
        {
            for (int i = 0; i < packets.Count; i++)
            {
                byte[] data = Enumerable.Repeat(Marker(i), packets[i].Length).ToArray();
                w.Write(new CapturedPacket { Data = data, WireLength = (uint)data.Length, TimestampNs = packets[i].TimestampNs });
            }
        }

        return output.ToArray();
    }

    /// <summary>A microsecond pcap in either byte order, built by hand (as libpcap writes one on a host of that order).</summary>
    public static byte[] Microseconds(bool bigEndian, uint linkType, params (uint Seconds, uint Micros, byte[] Data, uint WireLength)[] packets)
    {
        var b = new List<byte>();
        void U32(uint v)
        {
            byte[] x = new byte[4];
            if (bigEndian)
            {
                BinaryPrimitives.WriteUInt32BigEndian(x, v);
            }
            else
            {
                BinaryPrimitives.WriteUInt32LittleEndian(x, v);
            }

            b.AddRange(x);
        }

        U32(PcapFormat.MagicMicroseconds);
        U32(bigEndian ? 0x0002_0004u : 0x0004_0002u); // the u16s 2 and 4, in the file's order
        U32(0);
        U32(0);
        U32(65535);
        U32(linkType);
        foreach ((uint s, uint us, byte[] data, uint wire) in packets)
        {
            U32(s);
            U32(us);
            U32((uint)data.Length);
            U32(wire);
            b.AddRange(data);
        }

        return [.. b];
    }
}
