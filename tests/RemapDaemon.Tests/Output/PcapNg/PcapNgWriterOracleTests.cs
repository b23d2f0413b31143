using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using RemapDaemon.Output.Pcap;
using RemapDaemon.Output.PcapNg;
using RemapDaemon.Tests.Output.Pcap;
using RemapDaemon.Tests.Protocol;
using RemapDaemon.Tests.Support;

namespace RemapDaemon.Tests.Output.PcapNg;

/// <summary>
/// Files written by PcapNgWriter, read back by tshark, capinfos and tcpdump (not only by our
/// block walker): the same packets as a pcap file, per-interface IDBs with names and
/// nanosecond resolution, and statistics blocks with the drops. A missing tool fails the test.
/// </summary>
public sealed class PcapNgWriterOracleTests : IDisposable
{
    private const ulong OpenedNs = 1_700_000_000_000_000_000;
    private const ulong ClosedNs = 1_700_000_010_500_000_000;

    private static readonly Dictionary<int, string> Names = new() { [1] = "lo", [7] = "veth-a" };

    private readonly PcapTestFiles _files = new();
    private readonly IReadOnlyList<WrittenPacket> _mix = PcapTestFiles.Mix();

    public void Dispose() => _files.Dispose();

    /// <summary>The mix spread over ifindex 1, 7 and 9 (9 has no known name).</summary>
    private static int IfIndexOf(int i) => (i % 3) switch { 0 => 1, 1 => 7, _ => 9 };

    private string WriteNg(string name, uint snaplen, Action<PcapNgWriter>? beforeClose = null)
    {
        string path = _files.PathOf(name);
        ulong now = OpenedNs;
        using (var writer = new PcapNgWriter(File.Create(path), snaplen, interfaceName: i => Names.GetValueOrDefault(i), clockNs: () => now))
        {
            for (int i = 0; i < _mix.Count; i++)
            {
                writer.Write(_mix[i].ToCaptured() with { IfIndex = IfIndexOf(i) });
            }

            beforeClose?.Invoke(writer);
            now = ClosedNs;
        }

        return path;
    }

    [Fact]
    public void Capinfos_sees_a_pcapng_file_with_ethernet_nanosecond_interfaces_and_every_packet()
    {
        string file = WriteNg("mix.pcapng", snaplen: 0);

        ToolResult r = ExternalTool.Run("capinfos", "-M", file);

        r.ExitCode.Should().Be(0, "{0}", r);
        Dictionary<string, string> info = ParseKeyValues(r.Stdout);
        info["File type"].Should().Be("pcapng");
        info["File encapsulation"].Should().Be("ether");
        info["File timestamp precision"].Should().Be("nanoseconds (9)");
        info["Number of packets"].Should().Be(_mix.Count.ToString(CultureInfo.InvariantCulture));
        info["Number of interfaces in file"].Should().Be("3");
        info["File size"].Should().Be($"{new FileInfo(file).Length} bytes");
        r.Stdout.Should().Contain("Name = lo").And.Contain("Name = veth-a");
        r.Stdout.Should().Contain("Time ticks per second = 1000000000");
        r.Stdout.Should().Contain("Number of stat entries = 1", "every interface gets one statistics block");
    }

    [Fact]
    public void Tcpdump_prints_exactly_the_same_for_the_pcapng_file_as_for_the_pcap_file()
    {
        string ng = WriteNg("mix.pcapng", snaplen: 0);
        string pcap = _files.Write("mix.pcap", _mix, snaplen: 0, out _);

        ToolResult fromNg = ExternalTool.Run("tcpdump", "-r", ng, "-nn", "-tt", "-e", "-xx", "--time-stamp-precision=nano");
        ToolResult fromPcap = ExternalTool.Run("tcpdump", "-r", pcap, "-nn", "-tt", "-e", "-xx", "--time-stamp-precision=nano");

        fromNg.ExitCode.Should().Be(0, "{0}", fromNg);
        fromPcap.ExitCode.Should().Be(0, "{0}", fromPcap);
        fromNg.Stdout.Should().NotBeEmpty();
        fromNg.Stdout.Should().Be(fromPcap.Stdout, "every byte, length and timestamp is the same in both formats");
        fromNg.Stderr.Should().Contain("pcapng").And.NotContainAny("truncated", "bogus");
    }

    [Fact]
    public void Tshark_gives_every_packet_its_interface_id_name_timestamp_and_lengths()
    {
        string file = WriteNg("mix.pcapng", snaplen: 0);

        ToolResult r = ExternalTool.Run("tshark", "-r", file, "-T", "fields", "-E", "separator=/t",
            "-e", "frame.interface_id", "-e", "frame.interface_name", "-e", "frame.time_epoch", "-e", "frame.len", "-e", "frame.cap_len");

        r.ExitCode.Should().Be(0, "{0}", r);
        string[] expected = [.. _mix.Select((p, i) => string.Join('\t',
            (i % 3).ToString(CultureInfo.InvariantCulture),
            Names.GetValueOrDefault(IfIndexOf(i)) ?? "unknown",
            Seconds(p.TimestampNs),
            p.ExpectedWireLength.ToString(CultureInfo.InvariantCulture),
            p.ExpectedBytes(262144).Length.ToString(CultureInfo.InvariantCulture)))];
        Lines(r.Stdout).Should().Equal(expected, "{0}", r);
    }

    [Fact]
    public void A_snaplen_cuts_every_block_and_tshark_and_capinfos_agree()
    {
        string file = WriteNg("snap64.pcapng", snaplen: 64);

        ToolResult lens = ExternalTool.Run("tshark", "-r", file, "-T", "fields", "-e", "frame.len", "-e", "frame.cap_len");
        ToolResult caps = ExternalTool.Run("capinfos", "-M", file);

        lens.ExitCode.Should().Be(0, "{0}", lens);
        Lines(lens.Stdout).Should().Equal(_mix.Select(p => $"{p.ExpectedWireLength}\t{Math.Min(64, p.ExpectedBytes(262144).Length)}"), "{0}", lens);
        caps.Stdout.Should().Contain("Capture length = 64", "{0}", caps);
    }

    [Fact]
    public void Tcpdump_can_filter_the_pcapng_file_and_rewrite_it_as_pcap()
    {
        string file = WriteNg("mix.pcapng", snaplen: 0);
        string copy = _files.PathOf("vlan-only.pcap");

        ToolResult r = ExternalTool.Run("tcpdump", "-r", file, "-w", copy, "vlan");

        r.ExitCode.Should().Be(0, "{0}", r);
        List<PcapRecord> vlan = PcapReader.ReadFile(copy);
        vlan.Select(v => v.Data).Should().BeEquivalentTo(
            _mix.Where(p => p.HasVlan).Select(p => p.ExpectedBytes(262144)), o => o.WithStrictOrdering());
    }

    [Fact]
    public void Statistics_blocks_carry_start_and_end_times_the_packets_delivered_and_the_drops()
    {
        string file = WriteNg("drops.pcapng", snaplen: 0, w =>
        {
            w.SetInterfaceDrops(7, 12345);
            w.SetInterfaceDrops(42, 3); // a quiet interface: described only for its drops
        });

        List<PcapNgBlock> blocks = PcapNgBlocks.Read(File.ReadAllBytes(file));
        List<PcapNgBlock> idbs = [.. blocks.Where(b => b.Type == 1)];
        List<PcapNgBlock> isbs = [.. blocks.Where(b => b.Type == 5)];

        idbs.Should().HaveCount(4);
        isbs.Should().HaveCount(4);
        blocks[^4..].Should().OnlyContain(b => b.Type == 5, "statistics are written at close, after every packet");
        for (int id = 0; id < 4; id++)
        {
            PcapNgBlock isb = isbs[id];
            BinaryPrimitives.ReadUInt32LittleEndian(isb.Body).Should().Be((uint)id);
            PcapNgBlocks.Timestamp(isb.Option(12, 2)).Should().Be(OpenedNs, "isb_starttime");
            PcapNgBlocks.Timestamp(isb.Option(12, 3)).Should().Be(ClosedNs, "isb_endtime");
            ulong delivered = BinaryPrimitives.ReadUInt64LittleEndian(isb.Option(12, 8));
            delivered.Should().Be((ulong)Enumerable.Range(0, _mix.Count).Count(i => id < 3 && i % 3 == id), "isb_usrdeliv of interface {0}", id);
        }

        BinaryPrimitives.ReadUInt64LittleEndian(isbs[1].Option(12, 5)).Should().Be(12345, "isb_ifdrop of ifindex 7");
        BinaryPrimitives.ReadUInt64LittleEndian(isbs[3].Option(12, 5)).Should().Be(3, "isb_ifdrop of ifindex 42");
        isbs[0].Options(12).Should().NotContain(o => o.Code == 5, "no drop count was given for ifindex 1: unknown is not zero");

        // The tools accept the statistics blocks: tshark reads to the end, capinfos counts one per interface.
        ToolResult r = ExternalTool.Run("capinfos", "-M", file);
        r.ExitCode.Should().Be(0, "{0}", r);
        r.Stdout.Split("Number of stat entries = 1").Should().HaveCount(5, "{0}", r);
        ToolResult t = ExternalTool.Run("tshark", "-r", file);
        t.ExitCode.Should().Be(0, "{0}", t);
        Lines(t.Stdout).Should().HaveCount(_mix.Count);
    }

    [Fact]
    public void Interface_blocks_say_nanoseconds_and_name_only_the_known_interfaces()
    {
        string file = WriteNg("mix.pcapng", snaplen: 0);

        List<PcapNgBlock> blocks = PcapNgBlocks.Read(File.ReadAllBytes(file));

        blocks[0].Type.Should().Be(0x0a0d0d0a);
        BinaryPrimitives.ReadUInt32LittleEndian(blocks[0].Body).Should().Be(0x1a2b3c4d);
        Encoding.UTF8.GetString(blocks[0].Option(16, 4)).Should().Be("remapd");
        List<PcapNgBlock> idbs = [.. blocks.Where(b => b.Type == 1)];
        idbs.Select(b => b.Option(8, 9).Single()).Should().Equal(9, 9, 9);
        idbs.Select(b => b.Options(8).Where(o => o.Code == 2).Select(o => Encoding.UTF8.GetString(o.Value)).SingleOrDefault())
            .Should().Equal("lo", "veth-a", null);
        idbs.Select(b => BinaryPrimitives.ReadUInt16LittleEndian(b.Body)).Should().OnlyContain(l => l == 1, "LINKTYPE_ETHERNET");
        blocks.FindIndex(b => b.Type == 1).Should().Be(1, "the first IDB comes before the first packet");
    }

    [Fact]
    public void A_file_with_no_packet_is_still_a_valid_pcapng_file_that_tcpdump_opens()
    {
        string path = _files.PathOf("empty.pcapng");
        new PcapNgWriter(File.Create(path), snaplen: 0).Dispose();

        ToolResult r = ExternalTool.Run("capinfos", "-M", path);
        ToolResult t = ExternalTool.Run("tcpdump", "-r", path);

        r.ExitCode.Should().Be(0, "{0}", r);
        ParseKeyValues(r.Stdout)["Number of packets"].Should().Be("0");
        t.ExitCode.Should().Be(0, "{0}", t);
    }

    private static string Seconds(ulong ns) =>
        string.Create(CultureInfo.InvariantCulture, $"{ns / 1_000_000_000}.{ns % 1_000_000_000:000000000}");

    private static IEnumerable<string> Lines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r'));

    private static Dictionary<string, string> ParseKeyValues(string stdout)
    {
        var info = new Dictionary<string, string>();
        foreach (string line in Lines(stdout))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && !char.IsWhiteSpace(line[0]))
            {
                info.TryAdd(line[..colon].Trim(), line[(colon + 1)..].Trim());
            }
        }

        return info;
    }
}
