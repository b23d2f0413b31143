using RemapDaemon.Store;
using RemapDaemon.Store.Index;
using static RemapDaemon.Tests.Filtering.TestFrames;

namespace RemapDaemon.Tests.Store;

/// <summary>The index file round-trips, and any damage makes it unused rather than wrong.</summary>
public sealed class IndexFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("remapd-index-").FullName;

    [Fact]
    public void An_index_reads_back_with_every_flow_its_times_counts_and_positions()
    {
        (string data, IndexBuilder b) = Build();
        long size = IndexFile.Write(data, 5000, 1, IndexFormat.FormatPcap, b.FirstNs, b.LastNs, b.Packets, b.Snapshot());
        size.Should().Be(new FileInfo(data + ".idx").Length);
        File.Exists(Path.Combine(_dir, StoreFileName.Hidden(Path.GetFileName(data) + ".idx"))).Should().BeFalse("written hidden, then renamed");
        IndexFile index = IndexFile.TryRead(data + ".idx", 5000)!;
        index.Should().NotBeNull();
        index.Packets.Should().Be(300);
        index.FirstNs.Should().Be(1000);
        index.LastNs.Should().Be(1000 + 299);
        index.Flows.Should().HaveCount(3);
        index.Flows[0].Positions().Should().Equal(Enumerable.Range(0, 100).Select(i => 24L + (i * 3 * 130)));
        index.Flows[1].Packets.Should().Be(100);
        index.Flows[1].Key.Should().Be(b.Snapshot()[1].Key);
        (size / 300.0).Should().BeLessThan(4, "two LEB128 bytes per position plus a flow table");
    }

    [Fact]
    public void A_damaged_or_foreign_index_is_not_used()
    {
        (string data, IndexBuilder b) = Build();
        IndexFile.Write(data, 5000, 1, IndexFormat.FormatPcap, b.FirstNs, b.LastNs, b.Packets, b.Snapshot());
        byte[] good = File.ReadAllBytes(data + ".idx");
        IndexFile.TryParse(good, 5000).Should().NotBeNull();
        IndexFile.TryParse(good, 4999).Should().BeNull("an index of a file of another size");
        IndexFile.TryParse(good[..^1], 5000).Should().BeNull("cut short");
        IndexFile.TryParse([.. good, 0], 5000).Should().BeNull("longer than it says");
        byte[] bad = (byte[])good.Clone();
        bad[4] = 2;
        IndexFile.TryParse(bad, 5000).Should().BeNull("another version");
        bad = (byte[])good.Clone();
        bad[IndexFormat.HeaderSize + 80] = 0xff; // the first flow's position bytes run past the section
        IndexFile.TryParse(bad, 5000).Should().BeNull();
        IndexFile.TryParse([], 5000).Should().BeNull();
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private (string Data, IndexBuilder Builder) Build()
    {
        var b = new IndexBuilder();
        FlowKey[] keys =
        [
            FlowKey.Parse(Eth(0x0800, Ipv4("10.0.0.1", "10.0.0.2", 6, Tcp(40000, 80, TcpSyn, [])))),
            FlowKey.Parse(Eth(0x86dd, Ipv6("2001:db8::1", "2001:db8::2", 17, Udp(5353, 53, [])))),
            FlowKey.Parse(Eth(0x0806, Arp("10.0.0.1", "10.0.0.2"))),
        ];
        for (int i = 0; i < 300; i++)
        {
            b.Add(keys[i % 3], 1000 + (ulong)i, 24L + (i * 130), 114);
        }

        string data = Path.Combine(_dir, StoreFileName.DataName(1_796_126_400_000_000_000, "eth0", ".pcap"));
        return (data, b);
    }
}
