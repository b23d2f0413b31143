using RemapDaemon.Output.Pcap;
using RemapDaemon.Protocol;
using RemapDaemon.Tests.Filtering;

namespace RemapDaemon.EmulatorLane.Tests.Support;

/// <summary>
/// The input of the filter-equivalence runs: a pcap of mixed traffic, written once per test
/// class. Every round holds every crafted frame of the filter unit tests (IPv4/IPv6 TCP, UDP,
/// ICMP, ARP, VLAN and Q-in-Q, IP options, fragments, IPv6 extension headers, truncated
/// records), then UDP and TCP frames whose addresses, ports and sizes (60..9014 bytes) change
/// with the round, so host, net, port and length filters each select a different subset.
/// Time stamps are 1 ms apart and whole microseconds, so tcpdump prints them the same whether
/// a file has microsecond or nanosecond time stamps.
/// </summary>
internal static class MixedCapture
{
    public const ulong FirstTimestampNs = 1_700_000_000_000_000_000;

    private static readonly int[] PayloadSizes = [0, 18, 100, 472, 958, 1472, 4000, 8972];

    /// <summary>Writes the capture; returns its packet count.</summary>
    public static int Write(string path, int rounds = 6)
    {
        var frames = new List<(byte[] Data, uint WireLength)>();
        IReadOnlyList<CraftedFrame> crafted = CraftedFrames.All();
        for (int r = 0; r < rounds; r++)
        {
            frames.AddRange(crafted.Select(f => (f.Data, f.WireLength)));
            foreach (int size in PayloadSizes)
            {
                byte[] udp = TestFrames.Udp((ushort)(20000 + r), (ushort)(size % 2 == 0 ? 53 : 5000 + r), TestFrames.Payload(size, (byte)r));
                byte[] v4 = TestFrames.Eth(0x0800, TestFrames.Ipv4($"10.{r}.0.1", $"192.168.{r % 2}.2", 17, udp));
                frames.Add((v4, (uint)v4.Length));
            }

            byte[] syn = TestFrames.Eth(0x0800, TestFrames.Ipv4($"10.{r}.0.1", "10.0.0.2", 6,
                TestFrames.Tcp((ushort)(40100 + r), (ushort)(r % 2 == 0 ? 80 : 8080), TestFrames.TcpSyn, [])));
            byte[] data = TestFrames.Eth(0x0800, TestFrames.Ipv4("10.0.0.2", $"10.{r}.0.1", 6,
                TestFrames.Tcp((ushort)(r % 2 == 0 ? 80 : 8080), (ushort)(40100 + r), TestFrames.TcpAck | TestFrames.TcpPsh, TestFrames.Payload(100 * r, 7))));
            byte[] v6 = TestFrames.Eth(0x86dd, TestFrames.Ipv6($"2001:db8:{r}::1", "2001:db8::2", 17,
                TestFrames.Udp(5353, (ushort)(6000 + r), TestFrames.Payload(64 * r, 3))));
            byte[] vlan = TestFrames.Eth(0x0800, TestFrames.Ipv4($"10.{r}.0.1", "10.0.0.2", 17,
                TestFrames.Udp(3000, 3001, TestFrames.Payload(30 * r, 1))), tags: [(0x8100, (ushort)(100 + r))]);
            frames.AddRange([(syn, (uint)syn.Length), (data, (uint)data.Length), (v6, (uint)v6.Length), (vlan, (uint)vlan.Length)]);
        }

        using var writer = new PcapWriter(File.Create(path), snaplen: 0);
        for (int i = 0; i < frames.Count; i++)
        {
            writer.Write(new CapturedPacket
            {
                Data = frames[i].Data,
                WireLength = frames[i].WireLength,
                TimestampNs = FirstTimestampNs + ((ulong)i * 1_000_000),
                IfIndex = 1,
            });
        }

        return frames.Count;
    }
}
