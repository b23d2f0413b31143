using RemapDaemon.EmulatorLane.Tests.Support;
using RemapDaemon.Output.Pcap;
using RemapDaemon.Tests.Support;

namespace RemapDaemon.EmulatorLane.Tests;

/// <summary>remapd on the emulator's synthetic source: every packet, every byte, in order.</summary>
public sealed class SyntheticCaptureTests
{
    private const int Count = 5000;
    private const uint Min = 60;
    private const uint Max = 9000;

    [Fact]
    public void Synthetic_5000_packets_of_60_to_9000_bytes_reach_the_pcap_complete_in_order_and_byte_exact()
    {
        using var lane = new Lane();
        string pcap = lane.PathOf("synthetic.pcap");

        ToolResult r = Lane.Remapd("--source", $"synthetic:count={Count},min={Min},max={Max},lossless=1", "-w", pcap,
            "--stats-interval", "0.25");

        r.ExitCode.Should().Be(0, r.ToString());
        r.Stderr.Should().Contain("stopped: source ended").And.Contain("nothing lost");
        Lane.SummaryPackets(r.Stderr).Should().Be(Count);
        Lane.CapinfosCount(pcap).Should().Be(Count);

        // tcpdump checks every IPv4 header and UDP checksum, over the whole payload.
        ToolResult tcpdump = ExternalTool.Run("tcpdump", "-r", pcap, "-nn", "-vv");
        tcpdump.ExitCode.Should().Be(0, tcpdump.ToString());
        tcpdump.Stdout.Split('\n').Count(l => l.Contains("[udp sum ok]", StringComparison.Ordinal)).Should().Be(Count);
        tcpdump.Stdout.Should().NotContain("bad");

        // And every byte against the generator's own definition of packet i.
        List<PcapRecord> records = PcapReader.ReadFile(pcap);
        records.Should().HaveCount(Count);
        for (int i = 0; i < Count; i++)
        {
            uint length = Min + (uint)(i % (Max - Min + 1));
            records[i].WireLength.Should().Be(length, $"packet {i}");
            if (!records[i].Data.AsSpan().SequenceEqual(SyntheticFrames.Frame((ulong)i, length)))
            {
                Assert.Fail($"packet {i} ({length} bytes) differs from skbremap_emu_synthetic_frame({i}, {length})");
            }
        }
    }

    [Fact]
    public void Count_stops_the_capture_after_exactly_that_many_packets_and_releases_the_rest()
    {
        using var lane = new Lane();
        string pcap = lane.PathOf("count.pcap");

        ToolResult r = Lane.Remapd("--source", "synthetic:count=0,min=60,max=1500,rate=50000", "-c", "1234", "-w", pcap, "-q");

        r.ExitCode.Should().Be(0, r.ToString());
        r.Stderr.Should().Contain("stopped: 1234 packets written");
        Lane.SummaryPackets(r.Stderr).Should().Be(1234);
        Lane.CapinfosCount(pcap).Should().Be(1234);
    }

    [Fact]
    public void The_live_line_reports_packets_drops_and_windows_once_per_interval()
    {
        using var lane = new Lane();

        ToolResult r = Lane.Remapd("--source", "synthetic:count=0,min=60,max=1500,rate=10000", "-d", "1.6",
            "--stats-interval", "0.5", "-w", lane.PathOf("live.pcap"));

        r.ExitCode.Should().Be(0, r.ToString());
        // stderr is a pipe here: one line per interval, no carriage returns.
        string[] live = r.Stderr.Split('\n').Where(l => l.Contains(" pkts ", StringComparison.Ordinal)).ToArray();
        live.Length.Should().BeInRange(2, 4, r.Stderr);
        live[^1].Should().MatchRegex(@"drops \d+ \(queue \d+, window \d+, nomem \d+, big \d+, memlimit \d+\)\s+windows \d+/16 user");
        r.Stderr.Should().NotContain("\r");
    }
}
