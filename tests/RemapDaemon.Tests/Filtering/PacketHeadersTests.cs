using RemapDaemon.Filtering;


namespace RemapDaemon.Tests.Filtering;

/// <summary>The header walker: where each crafted frame's payload is, what it says about the layers on the way.</summary>
public sealed class PacketHeadersTests
{
    private static readonly IReadOnlyList<CraftedFrame> Crafted = CraftedFrames.All();

    public static TheoryData<string> FrameNames() => [.. Crafted.Select(f => f.Name)];

    private static CraftedFrame Frame(string name) => Crafted.Single(f => f.Name == name);

    private static PacketLayout Parse(string name, out bool complete)
    {
        complete = PacketHeaders.TryParse(Frame(name).Data, hasVlanTagInMeta: false, out PacketLayout l);
        return l;
    }

    [Theory]
    [MemberData(nameof(FrameNames))]
    public void Every_crafted_frame_yields_exactly_its_expected_payload(string name)
    {
        CraftedFrame f = Frame(name);
        if (f.ExpectedPayload is null)
        {
            return; // non-IP and truncated frames: covered below
        }

        PacketHeaders.TryParse(f.Data, false, out PacketLayout l).Should().BeTrue();
        l.Payload(f.Data).ToArray().Should().Equal(f.ExpectedPayload);
    }

    [Fact]
    public void Tcp_gives_ports_flags_and_skips_the_options_by_data_offset()
    {
        PacketLayout l = Parse("tcp-syn-10.0.0.1->10.0.0.2:80", out bool complete);

        complete.Should().BeTrue();
        l.Flags.Should().Be(LayoutFlags.Ipv4 | LayoutFlags.Tcp);
        (l.L3Offset, l.L4Offset, l.PayloadOffset, l.PayloadLength).Should().Be((14, 34, 34 + 32, 0));
        (l.SourcePort, l.DestinationPort, l.TcpFlags, l.IpProtocol).Should().Be(((ushort)40001, (ushort)80, (byte)0x02, 6));
    }

    [Fact]
    public void Ethernet_padding_is_not_payload()
    {
        PacketLayout l = Parse("udp-tiny-padded-to-60", out _);

        Frame("udp-tiny-padded-to-60").Data.Should().HaveCount(60);
        l.PayloadLength.Should().Be(1, "the IPv4 total length ends the packet before the padding");
    }

    [Fact]
    public void Stacked_vlan_tags_are_walked_and_the_outer_id_reported()
    {
        PacketLayout l = Parse("qinq-100-200-udp", out _);

        (l.VlanCount, l.OuterVlanId, l.EtherType, l.L3Offset).Should().Be((2, (ushort)100, (ushort)0x0800, 22));
        l.Flags.Should().HaveFlag(LayoutFlags.VlanInFrame).And.HaveFlag(LayoutFlags.Udp);
    }

    [Fact]
    public void A_tag_in_metadata_is_recorded_and_offsets_stay_relative_to_the_bytes()
    {
        PacketHeaders.TryParse(Frame("udp-dns-10.0.0.1->8.8.8.8:53").Data, hasVlanTagInMeta: true, out PacketLayout l);

        l.Flags.Should().HaveFlag(LayoutFlags.VlanInMetadata).And.NotHaveFlag(LayoutFlags.VlanInFrame);
        (l.VlanCount, l.L3Offset, l.L4Offset).Should().Be((0, 14, 34));
    }

    [Fact]
    public void Ipv4_options_move_the_transport_header_by_the_ihl()
    {
        PacketLayout l = Parse("udp-ipv4-options-rr", out _);

        l.Flags.Should().HaveFlag(LayoutFlags.Ipv4Options);
        l.L4Offset.Should().Be(14 + 32);
        (l.SourcePort, l.DestinationPort).Should().Be(((ushort)4000, (ushort)4001));
    }

    [Fact]
    public void A_first_ipv4_fragment_has_its_transport_header_and_a_later_one_has_none()
    {
        PacketLayout first = Parse("ipv4-first-fragment", out _);
        PacketLayout later = Parse("ipv4-later-fragment", out bool complete);

        first.Flags.Should().HaveFlag(LayoutFlags.Fragment).And.HaveFlag(LayoutFlags.Udp).And.NotHaveFlag(LayoutFlags.NonFirstFragment);
        first.DestinationPort.Should().Be(6001);
        complete.Should().BeTrue();
        later.Flags.Should().HaveFlag(LayoutFlags.NonFirstFragment).And.NotHaveFlag(LayoutFlags.Udp);
        (later.L4Offset, later.PayloadKind, later.IpProtocol, later.SourcePort).Should().Be((-1, PayloadKind.Ip, 17, (ushort)0));
    }

    [Fact]
    public void Ipv6_extension_headers_are_walked_to_the_transport()
    {
        PacketLayout hbh = Parse("ipv6-hbh-dstopts-udp", out _);
        PacketLayout routing = Parse("ipv6-routing-tcp-syn", out _);
        PacketLayout ah = Parse("ipv6-ah-tcp", out _);

        hbh.Flags.Should().HaveFlag(LayoutFlags.Ipv6ExtensionHeaders).And.HaveFlag(LayoutFlags.Udp);
        hbh.L4Offset.Should().Be(14 + 40 + 8 + 16);
        routing.L4Offset.Should().Be(14 + 40 + 8);
        routing.TcpFlags.Should().Be(0x0a);
        ah.L4Offset.Should().Be(14 + 40 + 24);
        ah.IpProtocol.Should().Be(6);
    }

    [Fact]
    public void A_later_ipv6_fragment_stops_at_the_fragment_header()
    {
        PacketLayout l = Parse("ipv6-later-fragment", out bool complete);

        complete.Should().BeTrue();
        l.Flags.Should().HaveFlag(LayoutFlags.NonFirstFragment);
        (l.L4Offset, l.PayloadOffset, l.IpProtocol).Should().Be((-1, 14 + 40 + 8, 17));
    }

    [Fact]
    public void Non_ip_frames_have_a_link_payload()
    {
        PacketLayout arp = Parse("arp-who-has-10.0.0.2", out bool complete);

        complete.Should().BeTrue();
        (arp.EtherType, arp.PayloadKind, arp.PayloadOffset, arp.IpProtocol).Should().Be(((ushort)0x0806, PayloadKind.Link, 14, -1));
    }

    [Fact]
    public void A_snaplen_inside_the_tcp_header_gives_truncated_with_the_ports_but_no_payload()
    {
        PacketLayout l = Parse("tcp-truncated-inside-header", out bool complete);

        complete.Should().BeFalse();
        l.Flags.Should().HaveFlag(LayoutFlags.Truncated).And.NotHaveFlag(LayoutFlags.Malformed);
        (l.SourcePort, l.DestinationPort, l.PayloadKind, l.PayloadOffset).Should().Be(((ushort)40003, (ushort)80, PayloadKind.None, -1));
        l.Payload(Frame("tcp-truncated-inside-header").Data).IsEmpty.Should().BeTrue();
    }

    [Fact]
    public void A_snaplen_cut_payload_is_what_was_captured()
    {
        PacketLayout l = Parse("udp-jumbo-truncated-to-200", out bool complete);

        complete.Should().BeTrue("the headers are all there");
        l.PayloadLength.Should().Be(200 - 42);
    }

    [Fact]
    public void Impossible_header_fields_are_malformed_not_exceptions()
    {
        byte[] ihl4 = (byte[])Frame("udp-dns-10.0.0.1->8.8.8.8:53").Data.Clone();
        ihl4[14] = 0x44;
        byte[] tcpOffset3 = (byte[])Frame("tcp-http-10.0.0.1->10.0.0.2:80").Data.Clone();
        tcpOffset3[14 + 20 + 12] = 0x30;
        byte[] version5 = (byte[])Frame("ipv6-udp-fe80->ff02").Data.Clone();
        version5[14] = 0x50;

        foreach (byte[] bad in new[] { ihl4, tcpOffset3, version5 })
        {
            PacketHeaders.TryParse(bad, false, out PacketLayout l).Should().BeFalse();
            l.Flags.Should().HaveFlag(LayoutFlags.Malformed);
            l.PayloadKind.Should().Be(PayloadKind.None);
        }
    }

    [Fact]
    public void Frames_shorter_than_an_ethernet_header_are_truncated()
    {
        PacketHeaders.TryParse([], false, out PacketLayout empty).Should().BeFalse();
        PacketHeaders.TryParse(new byte[13], false, out PacketLayout short13).Should().BeFalse();

        empty.Flags.Should().Be(LayoutFlags.Truncated);
        (short13.L3Offset, short13.PayloadOffset).Should().Be((-1, -1));
    }
}
