using System.Buffers.Binary;
using RemapDaemon.Output.Pcap;
using RemapDaemon.EmulatorLane.Tests.Support;
using RemapDaemon.Tests.Support;

namespace RemapDaemon.EmulatorLane.Tests;

/// <summary>
/// remapd -j 2 on the emulator: two members of one fanout group, one consumer thread each, over
/// the synthetic source's flows (each flow both ways). Every packet the source made is written
/// exactly once, byte for byte; under hash no flow is split between the members; --merge writes
/// one file in timestamp order.
/// </summary>
public sealed class FanoutCaptureTests
{
    private const int Count = 6000;
    private const uint Flows = 16;
    private const string Source = "synthetic:count=6000,min=60,max=1500,step=7,flows=16,lossless=1";

    [Fact]
    public void Two_members_write_every_packet_exactly_once_and_hash_never_splits_a_flow()
    {
        using var lane = new Lane();
        string pcap = lane.PathOf("fan.pcap");

        ToolResult r = Lane.Remapd("--source", Source, "-j", "2", "--fanout-mode", "hash", "-w", pcap, "--stats-interval", "0.25");

        r.ExitCode.Should().Be(0, r.ToString());
        r.Stderr.Should().Contain("nothing lost");
        File.Exists(pcap).Should().BeFalse("with -j 2 and no --merge every member writes its own file");
        List<PcapRecord>[] members = [PcapReader.ReadFile(lane.PathOf("fan.0.pcap")), PcapReader.ReadFile(lane.PathOf("fan.1.pcap"))];
        members[0].Should().NotBeEmpty("the hash spreads 16 flows over both members");
        members[1].Should().NotBeEmpty("the hash spreads 16 flows over both members");
        Lane.SummaryPackets(r.Stderr).Should().Be(Count);
        r.Stderr.Should().MatchRegex(@"remapd: member 0: \d+ packets written to .*fan\.0\.pcap");
        r.Stderr.Should().MatchRegex(@"remapd: member 1: \d+ packets written to .*fan\.1\.pcap");

        var seen = new int[Count];
        var flowMember = new int?[Flows];
        var flowDirections = new int[Flows];
        for (int k = 0; k < 2; k++)
        {
            foreach (PcapRecord rec in members[k])
            {
                ulong index = CheckFrame(rec);
                seen[index]++;
                (uint flow, bool reply) = FlowOf(rec.Data);
                if (flowMember[flow] is int other && other != k)
                {
                    Assert.Fail($"flow {flow} is split: packet {index} in member {k}, earlier ones in member {other}");
                }

                flowMember[flow] = k;
                flowDirections[flow] |= reply ? 2 : 1;
            }
        }

        seen.Should().OnlyContain(n => n == 1, "every packet the source made is in exactly one member's file");
        flowDirections.Should().OnlyContain(d => d == 3, "each flow ran both ways");
    }

    [Fact]
    public void Merge_writes_one_file_in_timestamp_order_with_every_packet_once()
    {
        using var lane = new Lane();
        string pcap = lane.PathOf("merged.pcap");

        ToolResult r = Lane.Remapd("--source", Source, "-j", "2", "--fanout-mode", "lb", "--merge", "-w", pcap, "-q");

        r.ExitCode.Should().Be(0, r.ToString());
        r.Stderr.Should().Contain("nothing lost");
        File.Exists(lane.PathOf("merged.0.pcap")).Should().BeFalse();
        List<PcapRecord> records = PcapReader.ReadFile(pcap);
        records.Should().HaveCount(Count);
        Lane.CapinfosCount(pcap).Should().Be(Count);
        var seen = new int[Count];
        for (int i = 0; i < records.Count; i++)
        {
            seen[CheckFrame(records[i])]++;
            if (i > 0)
            {
                records[i].TimestampNs.Should().BeGreaterThanOrEqualTo(records[i - 1].TimestampNs, $"record {i} of the merged file");
            }
        }

        seen.Should().OnlyContain(n => n == 1);

        // lb alternates: both members wrote half (the summary's per-member lines).
        var m = System.Text.RegularExpressions.Regex.Matches(r.Stderr, @"remapd: member (\d): (\d+) packets written");
        m.Should().HaveCount(2, r.Stderr);
        m.Select(x => int.Parse(x.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture))
            .Should().AllSatisfy(n => n.Should().BeInRange((Count / 2) - 1, (Count / 2) + 1));
    }

    [Fact]
    public void Threads_options_are_checked()
    {
        using var lane = new Lane();
        ToolResult r = Lane.Remapd("--source", Source, "-j", "0", "-w", lane.PathOf("x.pcap"));
        r.ExitCode.Should().Be(2, r.ToString());
        r.Stderr.Should().Contain("-j/--threads");

        r = Lane.Remapd("--source", Source, "-j", "2", "--fanout-mode", "rss", "-w", lane.PathOf("x.pcap"));
        r.ExitCode.Should().Be(2, r.ToString());
        r.Stderr.Should().Contain("--fanout-mode");

        r = Lane.Remapd("--source", Source, "-j", "2", "-w", "-");
        r.ExitCode.Should().Be(2, r.ToString());
        r.Stderr.Should().Contain("--merge");

        string fifo = lane.PathOf("stream");
        ExternalTool.Run("mkfifo", fifo).ExitCode.Should().Be(0);
        r = Lane.Remapd("--source", Source, "-j", "2", "-w", fifo);
        r.ExitCode.Should().Be(2, r.ToString());
        r.Stderr.Should().Contain("not a regular file").And.Contain("--merge");
        File.Exists(lane.PathOf("stream.0")).Should().BeFalse("nothing is created when the options are refused");
    }

    [Fact]
    public void Every_member_discards_into_dev_null_rather_than_a_numbered_file_beside_it()
    {
        File.Exists("/dev/null.0").Should().BeFalse("no earlier run may have left one");

        ToolResult r = Lane.Remapd("--source", Source, "-j", "2", "-w", "/dev/null", "-q");

        r.ExitCode.Should().Be(0, r.ToString());
        r.Stderr.Should().Contain("nothing lost");
        Lane.SummaryPackets(r.Stderr).Should().Be(Count);
        r.Stderr.Should().MatchRegex(@"remapd: member 0: [1-9]\d* packets written to /dev/null");
        r.Stderr.Should().MatchRegex(@"remapd: member 1: [1-9]\d* packets written to /dev/null");
        File.Exists("/dev/null.0").Should().BeFalse();
        File.Exists("/dev/null.1").Should().BeFalse();
    }

    /// <summary>The frame's index (the payload's first 8 bytes), after checking every byte against the generator.</summary>
    private static ulong CheckFrame(PcapRecord rec)
    {
        rec.Data.Length.Should().BeGreaterThanOrEqualTo(50);
        ulong index = BinaryPrimitives.ReadUInt64BigEndian(rec.Data.AsSpan(42, 8));
        index.Should().BeLessThan(Count);
        uint length = 60 + (uint)((index * 7) % (1500 - 60 + 1));
        rec.WireLength.Should().Be(length, $"packet {index}");
        if (!rec.Data.AsSpan().SequenceEqual(SyntheticFrames.Frame(index, length, Flows)))
        {
            Assert.Fail($"packet {index} ({length} bytes) differs from skbremap_emu_synthetic_frame_flows({index}, {length}, {Flows})");
        }

        return index;
    }

    private static (uint Flow, bool Reply) FlowOf(byte[] frame)
    {
        ushort sport = BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(34, 2));
        ushort dport = BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(36, 2));
        bool reply = sport == 9;
        return ((uint)((reply ? dport : sport) - 40000), reply);
    }
}
