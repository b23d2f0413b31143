using RemapDaemon.Fleet.Hub;
using RemapDaemon.Fleet.Messages;
using RemapDaemon.Store;
using RemapDaemon.Store.Index;
using static RemapDaemon.Tests.Filtering.TestFrames;

namespace RemapDaemon.Tests.Fleet;

/// <summary>
/// fleet find's selection from index records as a sensor builds them: a real index file
/// (<see cref="IndexFile.Write"/>), its flow table (<see cref="IndexFile.FlowTableOf"/>) in base64.
/// </summary>
public sealed class FindSelectionTests : IDisposable
{
    private const ulong T0 = 1_800_000_000_000_000_000;
    private const ulong Second = 1_000_000_000;

    private static readonly byte[] Dns = Eth(0x0800, Ipv4("10.0.0.1", "10.0.0.53", 17, Udp(40000, 53, Payload(20))));
    private static readonly byte[] Web = Eth(0x0800, Ipv4("10.0.0.1", "10.0.0.80", 6, Tcp(40001, 443, TcpSyn, Payload(20))));
    private static readonly byte[] Ping = Eth(0x0800, Ipv4("10.0.0.1", "10.0.0.7", 1, IcmpEcho(8, Payload(8))));

    private readonly string _dir = Directory.CreateTempSubdirectory("remapd-find-").FullName;
    private readonly FleetFilter _all = new("");

    [Fact]
    public void A_file_is_listed_when_a_flow_in_range_may_match_and_counts_only_those_flows_packets()
    {
        var s = new FindSelection();
        // 10 DNS packets in second 0..1, 30 HTTPS packets in second 5..6.
        s.Add(Record("h1", "a.pcap", (Dns, T0, 10), (Web, T0 + (5 * Second), 30)));

        FindResult udp = s.Select(0, ulong.MaxValue, new FleetFilter("udp port 53"));
        udp.Files.Should().ContainSingle().Which.Should().Match<FoundFile>(f => f.Host == "h1" && f.File == "a.pcap" && f.Packets == 10 && f.FlowsComplete);

        FindResult tcp = s.Select(0, ulong.MaxValue, new FleetFilter("tcp port 443"));
        tcp.Files.Should().ContainSingle().Which.Packets.Should().Be(30);

        FindResult both = s.Select(0, ulong.MaxValue, _all);
        both.Files.Should().ContainSingle().Which.Packets.Should().Be(40);

        FindResult dnsLater = s.Select(T0 + (2 * Second), ulong.MaxValue, new FleetFilter("udp"));
        dnsLater.Files.Should().BeEmpty("the file's only UDP flow ends before the range starts, though the file does not");
    }

    [Fact]
    public void A_file_whose_flows_the_filter_cannot_match_is_not_listed()
    {
        var s = new FindSelection();
        s.Add(Record("h1", "a.pcap", (Dns, T0, 10), (Ping, T0 + 1, 5)));

        s.Select(0, ulong.MaxValue, new FleetFilter("tcp")).Files.Should().BeEmpty();
        s.Select(0, ulong.MaxValue, new FleetFilter("host 10.9.9.9")).Files.Should().BeEmpty();
        s.Select(0, ulong.MaxValue, new FleetFilter("icmp")).Files.Should().ContainSingle().Which.Packets.Should().Be(5);
    }

    [Fact]
    public void The_range_is_first_inclusive_and_end_exclusive()
    {
        var s = new FindSelection();
        s.Add(Record("h1", "a.pcap", (Dns, T0, 1), (Dns, T0 + Second, 1)));   // [T0, T0+1s]

        s.Select(T0 + Second, ulong.MaxValue, _all).Files.Should().ContainSingle("its last packet is at the range's first instant");
        s.Select(T0 + Second + 1, ulong.MaxValue, _all).Files.Should().BeEmpty();
        s.Select(0, T0, _all).Files.Should().BeEmpty("the range ends where the file begins");
        s.Select(0, T0 + 1, _all).Files.Should().ContainSingle();
    }

    [Fact]
    public void A_file_a_deleted_event_names_is_not_listed_but_the_same_name_on_another_host_is()
    {
        var s = new FindSelection();
        s.Add(Record("h1", "a.pcap", (Dns, T0, 10)));
        s.Add(Record("h2", "a.pcap", (Dns, T0, 10)));
        s.Add(new HostEvent { Host = "h1", Run = "r", Seq = 3, Kind = HostEventKinds.Deleted, Message = "retention", File = "a.pcap" });
        s.Add(new HostEvent { Host = "h2", Run = "r", Seq = 4, Kind = HostEventKinds.Rotation, Message = "rotated", File = "a.pcap" });

        FindResult r = s.Select(0, ulong.MaxValue, _all);

        r.Files.Should().ContainSingle().Which.Host.Should().Be("h2");
        r.DeletedFiles.Should().Be(1);
        r.Hosts.Should().Equal("h1", "h2");
        r.HostsWithFiles.Should().Equal("h2");
    }

    [Fact]
    public void A_record_without_flows_is_listed_as_may_match_with_all_its_packets()
    {
        var s = new FindSelection();
        s.Add(Record("h1", "a.pcap", (Dns, T0, 10)) with { FlowsComplete = false, Flows = "" });
        s.Add(Record("h1", "b.pcap", (Dns, T0 + 1, 10)) with { Flows = "not base64!" });

        FindResult r = s.Select(0, ulong.MaxValue, new FleetFilter("tcp"));

        r.Files.Should().HaveCount(2, "neither record can say which flows it holds");
        r.Files.Should().OnlyContain(f => !f.FlowsComplete && f.Packets == 10);
        s.Select(T0 + Second, ulong.MaxValue, new FleetFilter("tcp")).Files.Should().BeEmpty("the files' own time ranges still count");
    }

    [Fact]
    public void Duplicate_records_of_a_hosts_file_count_once_and_are_counted()
    {
        var s = new FindSelection();
        IndexRecord a = Record("h1", "a.pcap", (Dns, T0, 10));
        s.Add(a);
        s.Add(a);
        s.Add(Record("h1", "b.pcap", (Dns, T0 + Second, 10)));

        FindResult r = s.Select(0, ulong.MaxValue, _all);

        r.Files.Should().HaveCount(2);
        r.IndexRecords.Should().Be(3);
        r.DuplicateRecords.Should().Be(1);
    }

    [Fact]
    public void Files_are_sorted_by_first_packet_time_across_hosts()
    {
        var s = new FindSelection();
        s.Add(Record("h1", "late.pcap", (Dns, T0 + (3 * Second), 1)));
        s.Add(Record("h2", "early.pcap", (Dns, T0, 1)));
        s.Add(Record("h1", "middle.pcap", (Dns, T0 + Second, 1)));

        s.Select(0, ulong.MaxValue, _all).Files.Select(f => f.File).Should().Equal("early.pcap", "middle.pcap", "late.pcap");
    }

    [Fact]
    public void Messages_are_decoded_by_subject_and_one_that_does_not_parse_is_counted_and_left_out()
    {
        var s = new FindSelection();
        s.AddMessage("remapd.data.h1.index", FleetCodec.Encode(Record("h1", "a.pcap", (Dns, T0, 10)), FleetJson.Default.IndexRecord));
        s.AddMessage("remapd.data.h1.index", "{\"host\":\"h1\"}"u8);
        s.AddMessage("remapd.data.h1.event", "not json"u8);
        s.AddMessage("remapd.data.h1.event", FleetCodec.Encode(
            new HostEvent { Host = "h1", Run = "r", Kind = HostEventKinds.Deleted, Message = "m", File = "gone.pcap" }, FleetJson.Default.HostEvent));

        FindResult r = s.Select(0, ulong.MaxValue, _all);

        r.Files.Should().ContainSingle().Which.File.Should().Be("a.pcap");
        r.UnreadableMessages.Should().Be(2);
    }

    [Fact]
    public void A_bad_expression_is_refused_with_libpcaps_message()
    {
        Action syntax = () => _ = new FleetFilter("tcp and (");
        Action port = () => _ = new FleetFilter("port 99999999");

        syntax.Should().Throw<FleetUsageException>().WithMessage("filter 'tcp and (': *syntax error*");
        port.Should().Throw<FleetUsageException>().WithMessage("filter 'port 99999999': illegal port number 99999999 > 65535");
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The record a sensor publishes for a file holding <c>count</c> packets of each frame, 1 ms apart from <c>start</c>.</summary>
    private IndexRecord Record(string host, string file, params (byte[] Frame, ulong Start, int Count)[] flows)
    {
        var b = new IndexBuilder();
        long offset = 24;
        foreach ((byte[] frame, ulong start, int count) in flows)
        {
            for (int i = 0; i < count; i++)
            {
                b.Add(FlowKey.Parse(frame), start + ((ulong)i * 1_000_000), offset, (uint)frame.Length);
                offset += 16 + frame.Length;
            }
        }

        string data = Path.Combine(_dir, $"{host}-{file}");
        IndexFile.Write(data, (ulong)offset, 1, IndexFormat.FormatPcap, b.FirstNs, b.LastNs, b.Packets, b.Snapshot());
        byte[] table = IndexFile.FlowTableOf(File.ReadAllBytes(data + StoreFileName.IndexSuffix))!;
        return new IndexRecord
        {
            Host = host,
            Capture = "eth0",
            File = file,
            Size = offset,
            FirstNs = b.FirstNs,
            LastNs = b.LastNs,
            Packets = b.Packets,
            LinkType = 1,
            Format = "pcap",
            FlowsComplete = true,
            Flows = Convert.ToBase64String(table),
        };
    }
}
