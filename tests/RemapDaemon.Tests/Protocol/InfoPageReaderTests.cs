using RemapDaemon.Engine;
using RemapDaemon.Protocol;
using static RemapDaemon.Protocol.Abi.Skbremap;

namespace RemapDaemon.Tests.Protocol;

/// <summary>Well-formed windows: every field of the info page comes out as the kernel wrote it.</summary>
public sealed class InfoPageReaderTests
{
    [Fact]
    public void Header_fields_are_exposed_as_written()
    {
        var b = new InfoPageBuilder { Seq = 42, Drops = 7, HeaderFlags = SKBREMAP_INFO_RETIRED, WindowIndex = 3 };
        b.Add(Frames.Udp(60));

        InfoPageReader.TryOpen(b.Build(), b.Geometry, 3, out InfoPageReader r).Should().Be(InfoPageError.None);

        r.Sequence.Should().Be(42);
        r.Count.Should().Be(1);
        r.Drops.Should().Be(7);
        r.Flags.Should().Be(SKBREMAP_INFO_RETIRED);
        r.PagesUsed.Should().Be(1);
    }

    [Fact]
    public void Every_entry_field_round_trips_with_byte_order_converted()
    {
        var b = new InfoPageBuilder();
        byte[] frame = Frames.Udp(98);
        TestEntry e = b.Add(frame, tstampNs: 1_732_000_000_987_654_321, ifindex: 17, protocol: 0x86dd);
        e.Pkttype = 4; // PACKET_OUTGOING
        e.VlanTci = (5 << 13) | 1234;
        e.VlanProto = 0x88a8;
        e.Flags |= SKBREMAP_PKT_VLAN;

        InfoPageReader.TryOpen(b.Build(), b.Geometry, 0, out InfoPageReader r).Should().Be(InfoPageError.None);
        r.TryReadNext(out CapturedPacket p, out InfoPageError error).Should().BeTrue();

        error.Should().Be(InfoPageError.None);
        p.Data.ToArray().Should().Equal(frame);
        p.WireLength.Should().Be(98);
        p.TimestampNs.Should().Be(1_732_000_000_987_654_321);
        p.IfIndex.Should().Be(17);
        p.Protocol.Should().Be(0x86dd, "protocol is network order in the ABI and host order here");
        p.PacketType.Should().Be(4);
        p.Path.Should().Be((byte)SKBREMAP_PATH_BOUNCE);
        p.VlanTci.Should().Be((5 << 13) | 1234);
        p.VlanProto.Should().Be(0x88a8, "vlan_proto is network order in the ABI and host order here");
        p.Flags.Should().Be(SKBREMAP_PKT_VLAN);
        p.HasVlan.Should().BeTrue();
        p.Truncated.Should().BeFalse();

        r.TryReadNext(out _, out error).Should().BeFalse();
        error.Should().Be(InfoPageError.None, "the end of the window is not an error");
    }

    [Fact]
    public void Packets_come_out_in_entry_order_with_their_own_bytes()
    {
        var b = new InfoPageBuilder(pagesPerWindow: 8);
        var frames = new List<byte[]>();
        for (int i = 0; i < 20; i++)
        {
            byte[] f = Frames.Udp(60 + (i * 61), seed: (byte)i);
            frames.Add(f);
            b.Add(f, tstampNs: 1_000_000_000UL + (ulong)i);
        }

        byte[] window = b.Build();
        InfoPageReader.TryOpen(window, b.Geometry, 0, out InfoPageReader r).Should().Be(InfoPageError.None);

        var seen = new List<(byte[] Data, ulong Ts)>();
        while (r.TryReadNext(out CapturedPacket p, out _))
        {
            seen.Add((p.Data.ToArray(), p.TimestampNs));
        }

        seen.Select(s => s.Ts).Should().Equal(Enumerable.Range(0, 20).Select(i => 1_000_000_000UL + (ulong)i));
        seen.Select(s => s.Data).Should().BeEquivalentTo(frames, o => o.WithStrictOrdering());
    }

    [Fact]
    public void Data_is_a_slice_of_the_mapping_not_a_copy()
    {
        var b = new InfoPageBuilder();
        b.Add(Frames.Udp(60), page: 1, offset: 100);
        byte[] window = b.Build();

        InfoPageReader.TryOpen(window, b.Geometry, 0, out InfoPageReader r).Should().Be(InfoPageError.None);
        r.TryReadNext(out CapturedPacket p, out _).Should().BeTrue();

        window.AsSpan().Overlaps(p.Data, out int at).Should().BeTrue();
        at.Should().Be(InfoPageBuilder.PageSize + InfoPageBuilder.PageSize + 100, "info page, data page 0, then offset 100 of data page 1");
    }

    [Fact]
    public void A_packet_larger_than_a_page_spans_consecutive_data_pages()
    {
        var b = new InfoPageBuilder(pagesPerWindow: 4);
        byte[] jumbo = Frames.Udp(9014);
        b.Add(jumbo, page: 0, offset: 4000);

        InfoPageReader.TryOpen(b.Build(), b.Geometry, 0, out InfoPageReader r).Should().Be(InfoPageError.None);
        r.PagesUsed.Should().Be(4);
        r.TryReadNext(out CapturedPacket p, out InfoPageError error).Should().BeTrue();

        error.Should().Be(InfoPageError.None);
        p.Data.ToArray().Should().Equal(jumbo);
    }

    [Fact]
    public void A_packet_ending_exactly_at_the_last_used_page_boundary_is_accepted()
    {
        var b = new InfoPageBuilder(pagesPerWindow: 2);
        b.Add(new byte[96], page: 1, offset: InfoPageBuilder.PageSize - 96);
        b.PagesUsed = 2;

        InfoPageReader.TryOpen(b.Build(), b.Geometry, 0, out InfoPageReader r).Should().Be(InfoPageError.None);
        r.TryReadNext(out CapturedPacket p, out InfoPageError error).Should().BeTrue(InfoPageErrorText.Describe(error));
        p.Data.Length.Should().Be(96);
    }

    [Fact]
    public void A_truncated_packet_carries_its_wire_length()
    {
        var b = new InfoPageBuilder(snaplen: 128);
        b.Add(Frames.Udp(1500).AsSpan(0, 128), wirelen: 1500);

        InfoPageReader.TryOpen(b.Build(), b.Geometry, 0, out InfoPageReader r).Should().Be(InfoPageError.None);
        r.TryReadNext(out CapturedPacket p, out _).Should().BeTrue();

        p.Data.Length.Should().Be(128);
        p.WireLength.Should().Be(1500);
        p.Truncated.Should().BeTrue();
        (p.Flags & SKBREMAP_PKT_TRUNCATED).Should().NotBe(0);
    }

    [Fact]
    public void An_empty_window_has_no_packets_and_no_error()
    {
        var b = new InfoPageBuilder { HeaderFlags = SKBREMAP_INFO_FLUSH, Drops = 3 };

        InfoPageReader.TryOpen(b.Build(), b.Geometry, 0, out InfoPageReader r).Should().Be(InfoPageError.None);

        r.Count.Should().Be(0);
        r.Drops.Should().Be(3);
        r.TryReadNext(out _, out InfoPageError error).Should().BeFalse();
        error.Should().Be(InfoPageError.None);
    }

    [Fact]
    public void A_full_info_page_of_entries_is_read_to_the_last_one()
    {
        var b = new InfoPageBuilder(pagesPerWindow: 16);
        for (int i = 0; i < InfoPageBuilder.EntriesMax; i++)
        {
            b.Add(Frames.Udp(64, (byte)i), tstampNs: (ulong)i);
        }

        InfoPageReader.TryOpen(b.Build(), b.Geometry, 0, out InfoPageReader r).Should().Be(InfoPageError.None);
        int n = 0;
        while (r.TryReadNext(out CapturedPacket p, out _))
        {
            p.TimestampNs.Should().Be((ulong)n);
            n++;
        }

        n.Should().Be(InfoPageBuilder.EntriesMax);
    }

    [Fact]
    public void Bytes_past_the_window_in_a_longer_span_are_ignored()
    {
        var b = new InfoPageBuilder();
        b.Add(Frames.Udp(60));
        byte[] longer = [.. b.Build(), .. new byte[InfoPageBuilder.PageSize]];

        InfoPageReader.TryOpen(longer, b.Geometry, 0, out InfoPageReader r).Should().Be(InfoPageError.None);
        r.TryReadNext(out _, out _).Should().BeTrue();
    }
}
