using System.Buffers.Binary;
using RemapDaemon.Output.Pcap;
using RemapDaemon.Protocol;
using RemapDaemon.Tests.Filtering;
using RemapDaemon.Tests.Support;
using static RemapDaemon.Tests.Filtering.TestFrames;

namespace RemapDaemon.EmulatorLane.Tests.Support;

/// <summary>
/// A crafted multi-flow capture for the store's tests, replayed through the emulator's pcap
/// source: IPv4 TCP flows in both directions with SYN/ACK/PSH/FIN flags, IPv4 with options,
/// UDP (DNS and not), later IPv4 fragments, ICMP, ARP, IPv6 TCP and UDP, and 802.1Q VLANs 100
/// and 200 (IPv4 and IPv6 inside) — every kind of flow key the index has, at nanosecond times
/// spaced evenly from a whole second.
/// </summary>
internal static class StoreTraffic
{
    /// <summary>The first packet's time: 2026-12-01T12:00:00Z.</summary>
    public const ulong StartNs = 1_796_126_400UL * 1_000_000_000UL;

    private static readonly Func<int, byte[]>[] Kinds =
    [
        i => Eth(0x0800, Ipv4("10.0.0.1", "10.0.0.2", 6, Tcp((ushort)(40000 + (i % 8)), 80, Flags(i), Payload(i % 200)))),
        i => Eth(0x0800, Ipv4("10.0.0.2", "10.0.0.1", 6, Tcp(80, (ushort)(40000 + (i % 8)), (byte)(Flags(i) | TcpAck), Payload(300 + (i % 900))))),
        i => Eth(0x0800, Ipv4("10.0.1.7", "10.0.1.53", 17, Udp((ushort)(50000 + (i % 5)), 53, Payload(40 + (i % 30))))),
        i => Eth(0x0800, Ipv4("10.0.1.53", "10.0.1.7", 17, Udp(53, (ushort)(50000 + (i % 5)), Payload(120 + (i % 50))))),
        i => Eth(0x86dd, Ipv6("2001:db8::1", "2001:db8::2", 6, Tcp((ushort)(41000 + (i % 4)), 443, Flags(i), Payload(i % 700)))),
        i => Eth(0x86dd, Ipv6("2001:db8::2", "2001:db8::1", 6, Tcp(443, (ushort)(41000 + (i % 4)), (byte)(Flags(i) | TcpAck), Payload(64)))),
        i => Eth(0x86dd, Ipv6("2001:db8::5", "2001:db8::53", 17, Udp(5353, 53, Payload(30)))),
        i => Eth(0x0800, Ipv4("192.168.100.5", "192.168.100.9", 17, Udp(5000, (ushort)(6000 + (i % 3)), Payload(100 + (i % 10)))), [(0x8100, 100)]),
        i => Eth(0x86dd, Ipv6("fd00:200::1", "fd00:200::2", 17, Udp(7000, 7001, Payload(50))), [(0x8100, (ushort)(0x2000 | 200))]),
        i => Eth(0x0800, Ipv4("10.0.0.3", "10.0.0.4", 1, IcmpEcho(8, Payload(56)))),
        i => Eth(0x0806, Arp("10.0.0.1", "10.0.0.9"), dst: Broadcast),
        i => Eth(0x0800, Ipv4("10.0.2.1", "10.0.2.2", 17, Payload(600), fragmentOffset8: 185, id: (ushort)i)),
        i => Eth(0x0800, Ipv4("10.0.2.1", "10.0.2.2", 6, Tcp(2222, 22, Flags(i), Payload(10)), options: [0x94, 0x04, 0, 0])),
        i => Eth(0x0800, Ipv4("10.0.0.1", "10.0.0.2", 6, Tcp((ushort)(40000 + (i % 8)), 80, TcpAck, Payload(1400)))),
    ];

    /// <summary>The expressions the store's queries are checked with against tcpdump -r: flows, hosts, ports, VLANs, IPv6, negations, byte tests.</summary>
    public static readonly string[] Expressions =
    [
        "",
        "tcp",
        "udp",
        "host 10.0.0.1",
        "src host 10.0.0.2",
        "tcp port 80",
        "port 53",
        "host 10.0.0.1 and tcp port 40003",
        "ip6",
        "ip6 and tcp port 443",
        "host 2001:db8::1",
        "vlan 100",
        "vlan and udp port 5000",
        "vlan 200 and ip6",
        "not tcp",
        "not host 10.0.0.1",
        "tcp[13] & 2 != 0",
        "tcp[tcpflags] & tcp-fin != 0",
        "icmp",
        "arp",
        "ip[6:2] & 0x1fff != 0",
        "greater 500",
        "net 10.0.1.0/24",
        "tcp port 22",
        "udp and not port 53",
        "ether src 02:00:00:00:00:01 and udp",
        "portrange 40000-40003",
        "ip6 and udp dst port 53",
        "tcp and src port 80 and tcp[13] & 0x18 = 0x18",
        "dst host 10.0.0.4 or vlan 100",
    ];

    /// <summary>Writes <paramref name="packets"/> packets, <paramref name="spacingNs"/> apart from <see cref="StartNs"/>, as a nanosecond pcap.</summary>
    public static void Write(string path, int packets, ulong spacingNs)
    {
        using var file = new FileStream(path, FileMode.Create);
        using var writer = new PcapWriter(file, 0);
        for (int i = 0; i < packets; i++)
        {
            byte[] frame = Kinds[i % Kinds.Length](i / Kinds.Length);
            writer.Write(new CapturedPacket { Data = frame, WireLength = (uint)frame.Length, TimestampNs = StartNs + ((ulong)i * spacingNs) });
        }
    }

    /// <summary>The packets tcpdump -r selects from <paramref name="files"/> (in order) with <paramref name="expression"/>, then those in [from, to).</summary>
    public static List<PcapRecord> TcpdumpSelects(IEnumerable<string> files, string expression, ulong fromNs, ulong toNs, string scratch)
    {
        var all = new List<PcapRecord>();
        int n = 0;
        foreach (string f in files)
        {
            string selected = Path.Combine(scratch, $"tcpdump-{n++}.pcap");
            ToolResult r = ExternalTool.Run("tcpdump", ["-r", f, "-w", selected, .. TcpdumpOracle.Words(expression)]);
            r.ExitCode.Should().Be(0, r.ToString());
            all.AddRange(PcapReader.ReadFile(selected).Where(p => p.TimestampNs >= fromNs && p.TimestampNs < toNs));
        }

        return all;
    }

    /// <summary>Packet for packet: time stamp, lengths and every byte.</summary>
    public static void ShouldEqual(List<PcapRecord> actual, List<PcapRecord> expected, string what)
    {
        actual.Should().HaveCount(expected.Count, "{0}: remapd query must write exactly the packets tcpdump -r selects", what);
        for (int i = 0; i < expected.Count; i++)
        {
            actual[i].TimestampNs.Should().Be(expected[i].TimestampNs, "{0}: packet {1}'s time", what, i);
            actual[i].WireLength.Should().Be(expected[i].WireLength, "{0}: packet {1}'s length", what, i);
            actual[i].Data.Should().Equal(expected[i].Data, "{0}: packet {1}'s bytes", what, i);
        }
    }

    /// <summary>The complete capture files of a store, in name (time) order.</summary>
    public static string[] DataFiles(string store) =>
        [.. Directory.GetFiles(store).Where(f => !Path.GetFileName(f).StartsWith('.') && (f.EndsWith(".pcap", StringComparison.Ordinal) || f.EndsWith(".pcapng", StringComparison.Ordinal))).Order(StringComparer.Ordinal)];

    private static byte Flags(int i) => (i % 5) switch
    {
        0 => TcpSyn,
        1 => TcpAck,
        2 => TcpPsh | TcpAck,
        3 => TcpFin | TcpAck,
        _ => TcpAck,
    };

    internal static ushort Be16(ReadOnlySpan<byte> b) => BinaryPrimitives.ReadUInt16BigEndian(b);
}
