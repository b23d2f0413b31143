using RemapDaemon.Filtering;
using RemapDaemon.Store.Index;
using RemapDaemon.Tests.Filtering;
using static RemapDaemon.Tests.Filtering.TestFrames;

namespace RemapDaemon.Tests.Store;

/// <summary>
/// The index may only narrow: a flow is skipped only when no packet of it can pass the filter.
/// Checked over every crafted frame (and variants that differ outside the key) and many
/// expressions against libpcap's own verdict on the packet.
/// </summary>
public sealed class FlowMatcherTests
{
    public static readonly string[] Expressions =
    [
        "tcp", "udp", "icmp", "arp", "ip6", "ip", "vlan", "vlan 100", "vlan 200", "not vlan",
        "host 10.0.0.1", "src host 10.0.0.2", "dst host 10.0.0.2", "net 10.0.0.0/24", "not net 10.0.0.0/8",
        "port 80", "tcp port 80", "udp port 53", "src port 40000", "dst port 80", "portrange 40000-40010", "not port 53",
        "tcp[13] & 2 != 0", "tcp[tcpflags] & tcp-syn != 0", "ip[6:2] & 0x1fff != 0", "ip[8] = 1", "greater 1000", "less 100",
        "ether host 02:00:00:00:00:01", "ether broadcast", "host 2001:db8::1", "ip6 and tcp port 443", "ip6 proto 17",
        "vlan and udp port 53", "tcp and (port 22 or port 443)", "udp[8:4] = 0xdeadbeef", "ip and not udp", "len > 500 and tcp",
    ];

    [Fact]
    public void A_flow_with_a_packet_the_filter_accepts_is_never_skipped()
    {
        int checkedPairs = 0;
        int accepted = 0;
        foreach (string expression in Expressions)
        {
            BpfProgram program = BpfProgram.Compile(expression);
            var matcher = new FlowMatcher(program);
            foreach (CraftedFrame frame in Frames())
            {
                FlowKey key = FlowKey.Parse(frame.Data[..Math.Min(frame.Data.Length, FlowKey.MaxHeaderBytes)]);
                bool passes = program.Matches(frame.Data, frame.WireLength) != 0;
                checkedPairs++;
                if (passes)
                {
                    accepted++;
                    matcher.MayMatch(key).Should().BeTrue($"'{expression}' accepts {frame.Name}, so its flow may not be skipped");
                }
            }
        }

        checkedPairs.Should().BeGreaterThan(1000);
        accepted.Should().BeGreaterThan(200, "the check is about accepted packets: there must be many");
    }

    [Theory]
    [InlineData("host 10.0.0.99")]
    [InlineData("port 8080")]
    [InlineData("vlan 300")]
    [InlineData("ip6 and host 2001:db8::99")]
    [InlineData("tcp port 80 and host 10.0.0.99")]
    public void Host_port_and_vlan_filters_skip_the_flows_they_cannot_match(string expression)
    {
        var matcher = new FlowMatcher(BpfProgram.Compile(expression));
        int keyed = 0;
        foreach (CraftedFrame frame in Frames())
        {
            // Flows whose key holds what these filters test: IP addresses and ports (ARP's
            // addresses, a fragment's missing ports, IPv6 extension headers are not keyed,
            // so such flows are read and judged packet by packet).
            FlowKey key = FlowKey.Parse(frame.Data[..Math.Min(frame.Data.Length, FlowKey.MaxHeaderBytes)]);
            if (key.Kind == FlowKey.KindOther || !key.HasPorts || (key.Flags & (FlowKey.FlagFragment | FlowKey.FlagInnerVlan)) != 0)
            {
                continue;
            }

            keyed++;
            matcher.MayMatch(key).Should().BeFalse($"{frame.Name}'s flow cannot match '{expression}'");
        }

        keyed.Should().BeGreaterThan(30);
    }

    [Fact]
    public void Both_directions_of_a_flow_fold_into_one_key()
    {
        byte[] a = Eth(0x0800, Ipv4("10.0.0.1", "10.0.0.2", 6, Tcp(40000, 80, TcpSyn, [])));
        byte[] b = Eth(0x0800, Ipv4("10.0.0.2", "10.0.0.1", 6, Tcp(80, 40000, TcpSyn | TcpAck, Payload(20))));
        FlowKey.Parse(a).Should().Be(FlowKey.Parse(b));
        var matcher = new FlowMatcher(BpfProgram.Compile("src host 10.0.0.2 and src port 80"));
        matcher.MayMatch(FlowKey.Parse(a)).Should().BeTrue("the reply direction of the flow matches");
    }

    [Fact]
    public void A_vlan_tagged_flow_keys_its_vlan_id_and_what_it_carries()
    {
        byte[] f = Eth(0x0800, Ipv4("192.168.100.5", "192.168.100.9", 17, Udp(5000, 6000, Payload(10))), [(0x8100, (ushort)(0xe000 | 100))]);
        FlowKey k = FlowKey.Parse(f);
        k.VlanTpid.Should().Be(0x8100);
        k.VlanId.Should().Be(100, "the priority bits are not the id");
        k.Kind.Should().Be(FlowKey.KindIPv4);
        k.HasPorts.Should().BeTrue();
        new FlowMatcher(BpfProgram.Compile("vlan 100 and udp port 6000")).MayMatch(k).Should().BeTrue();
        new FlowMatcher(BpfProgram.Compile("vlan 101")).MayMatch(k).Should().BeFalse();
    }

    /// <summary>The crafted frames, and each again with other MACs, TTL, TCP flags and payload (outside the key).</summary>
    private static List<CraftedFrame> Frames()
    {
        var frames = new List<CraftedFrame>(CraftedFrames.All());
        frames.Add(new CraftedFrame("vlan100-udp53", Eth(0x0800, Ipv4("10.0.0.1", "10.0.0.53", 17, Udp(33000, 53, Payload(30)))), 0, null));
        frames.Add(new CraftedFrame("ip6-tcp-443", Eth(0x86dd, Ipv6("2001:db8::1", "2001:db8::2", 6, Tcp(41000, 443, TcpSyn, []))), 0, null));
        frames.Add(new CraftedFrame("ip6-udp", Eth(0x86dd, Ipv6("2001:db8::1", "2001:db8::53", 17, Udp(5353, 53, Payload(9)))), 0, null));
        frames.Add(new CraftedFrame("vlan200-ip6", Eth(0x86dd, Ipv6("fd00::1", "fd00::2", 17, Udp(7000, 7001, Payload(9))), [(0x8100, 200)]), 0, null));
        frames.Add(new CraftedFrame("fragment", Eth(0x0800, Ipv4("10.0.2.1", "10.0.2.2", 17, Payload(600), fragmentOffset8: 185)), 0, null));
        var variants = new List<CraftedFrame>();
        foreach (CraftedFrame f in frames)
        {
            byte[] v = (byte[])f.Data.Clone();
            for (int i = 0; i < 12 && i < v.Length; i++)
            {
                v[i] ^= 0x5a; // other MACs
            }

            for (int i = 42; i < v.Length; i++)
            {
                v[i] ^= 0xff; // other flags, payload
            }

            variants.Add(new CraftedFrame(f.Name + "-variant", v, f.WireLength == 0 ? (uint)v.Length : f.WireLength, null));
        }

        return [.. frames.Select(f => f.WireLength == 0 ? f with { WireLength = (uint)f.Data.Length } : f), .. variants];
    }
}
