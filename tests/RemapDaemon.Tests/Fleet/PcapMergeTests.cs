using RemapDaemon.Fleet.Hub;
using RemapDaemon.Output;

namespace RemapDaemon.Tests.Fleet;

/// <summary>The extract's k-way merge: timestamp order, ties in host order then each host's own order.</summary>
public sealed class PcapMergeTests
{
    [Fact]
    public void Packets_come_out_in_timestamp_order_with_ties_in_source_order_then_in_each_sources_order()
    {
        // Lengths tell the packets apart: source s, packet i has length 100 * (s + 1) + i.
        byte[] a = PcapFiles.Write([(10, 100), (20, 101), (20, 102), (40, 103)]);
        byte[] b = PcapFiles.Write([(5, 200), (20, 201), (30, 202)]);
        byte[] c = PcapFiles.Write([(20, 300), (50, 301)]);
        var output = new MemoryStream();

        (long[] perSource, long written) = PcapMerge.Run([Reader(a), Reader(b), Reader(c)], output, CaptureFileFormat.Pcap);

        written.Should().Be(9);
        perSource.Should().Equal(4, 3, 2);
        List<(ulong Ts, int Length)> merged = ReadAll(output.ToArray());
        merged.Should().Equal(
            (5UL, 200), (10UL, 100), (20UL, 101), (20UL, 102), (20UL, 201), (20UL, 300), (30UL, 202), (40UL, 103), (50UL, 301));
    }

    [Fact]
    public void A_source_out_of_order_keeps_its_own_order()
    {
        byte[] a = PcapFiles.Write([(30, 100), (10, 101)]);
        byte[] b = PcapFiles.Write([(20, 200)]);
        var output = new MemoryStream();

        PcapMerge.Run([Reader(a), Reader(b)], output, CaptureFileFormat.Pcap);

        ReadAll(output.ToArray()).Select(p => p.Length).Should().Equal(200, 100, 101);
    }

    [Fact]
    public void No_source_is_a_valid_empty_pcap_and_the_bytes_survive_the_merge()
    {
        var empty = new MemoryStream();
        (long[] perSource, long written) = PcapMerge.Run([], empty, CaptureFileFormat.Pcap);

        perSource.Should().BeEmpty();
        written.Should().Be(0);
        var r = new PcapStreamReader(new MemoryStream(empty.ToArray()), "merged");
        r.LinkType.Should().Be(1);
        r.TryRead().Should().BeFalse();

        byte[] one = PcapFiles.Write([(7, 64)]);
        var copy = new MemoryStream();
        PcapMerge.Run([Reader(one)], copy, CaptureFileFormat.Pcap);
        copy.ToArray().Should().Equal(one, "one source merged is the same file, byte for byte");
    }

    [Fact]
    public void Pcapng_output_holds_the_merged_packets()
    {
        byte[] a = PcapFiles.Write([(1_800_000_000_000_000_001, 60)]);
        byte[] b = PcapFiles.Write([(1_800_000_000_000_000_000, 70)]);
        var output = new MemoryStream();

        (_, long written) = PcapMerge.Run([Reader(a), Reader(b)], output, CaptureFileFormat.PcapNg);

        written.Should().Be(2);
        byte[] file = output.ToArray();
        BitConverter.ToUInt32(file, 0).Should().Be(0x0A0D0D0Au, "a pcapng section header block");
        file.Length.Should().BeGreaterThan(60 + 70);
    }

    [Fact]
    public void Sources_of_different_link_types_are_refused()
    {
        byte[] ethernet = PcapFiles.Write([(1, 60)]);
        byte[] cooked = PcapFiles.Write([(2, 60)], linkType: 113);

        Action merge = () => PcapMerge.Run([Reader(ethernet), Reader(cooked)], new MemoryStream(), CaptureFileFormat.Pcap);

        merge.Should().Throw<InvalidDataException>().WithMessage("*different link types (1 and 113)*");
    }

    private static PcapStreamReader Reader(byte[] file) => new(new MemoryStream(file), "test");

    private static List<(ulong Ts, int Length)> ReadAll(byte[] file)
    {
        var r = new PcapStreamReader(new MemoryStream(file), "merged");
        var packets = new List<(ulong, int)>();
        while (r.TryRead())
        {
            packets.Add((r.TimestampNs, r.Data.Length));
        }

        return packets;
    }
}
