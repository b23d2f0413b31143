using System.Globalization;
using System.Text.RegularExpressions;
using RemapDaemon.EmulatorLane.Tests.Support;
using RemapDaemon.Tests.Support;
using Xunit.Abstractions;

namespace RemapDaemon.EmulatorLane.Tests.Filtering;

/// <summary>
/// Filter equivalence with tcpdump (issue 4): the mixed capture replayed through the emulator
/// (whose hook runs the program remapd compiled and installed with SKBREMAP_IOC_SET_FILTER),
/// written by remapd, is packet for packet what 'tcpdump -r' selects from the same file with the
/// same expression, as tcpdump -nn -tt -xx prints both. Each case prints its packet counts.
/// </summary>
public sealed partial class FilterEquivalenceTests(MixedInput input, ITestOutputHelper output) : IClassFixture<MixedInput>
{
    /// <summary>Hosts, nets, ports, protocols, VLAN, IPv6, byte offsets, lengths, not/and/or.</summary>
    public static readonly string[] Expressions =
    [
        "host 10.0.0.1",
        "src host 192.168.1.10",
        "dst host 10.0.0.2 and udp",
        "net 10.0.0.0/8",
        "src net 10.3.0.0/16",
        "net 192.168.1.0/24",
        "port 80",
        "dst port 53",
        "tcp port 80 and host 10.0.0.1",
        "portrange 1000-2000",
        "udp and not port 53",
        "tcp and (port 22 or port 443)",
        "udp or arp or icmp",
        "icmp",
        "icmp6",
        "arp",
        "ip proto 47",
        "not ip and not ip6",
        "vlan",
        "vlan and udp",
        "vlan 100",
        "vlan 103 and host 10.3.0.1",
        "ip6",
        "ip6 and udp",
        "ip6 net 2001:db8::/32",
        "host 2001:db8::1",
        "ip6 protochain 6",
        "ip6 and ip6[6] = 6 and ip6[40 + 13] & 2 != 0",
        "tcp[tcpflags] & tcp-syn != 0",
        "tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn",
        "tcp[((tcp[12:1] & 0xf0) >> 2):4] = 0x47455420",
        "udp[8:2] = 0x1234",
        "ip[8] < 64",
        "ip[6:2] & 0x1fff != 0",
        "len < 100",
        "len >= 1000",
        "greater 1000",
        "less 64",
        "ether broadcast",
        "ether host 02:00:00:00:00:01 and not ip",
    ];

    public static TheoryData<string> All() => [.. Expressions];

    [Theory]
    [MemberData(nameof(All))]
    public void Remapd_writes_exactly_the_packets_tcpdump_selects(string expression)
    {
        using var lane = new Lane();
        string written = lane.PathOf("remapd.pcap");
        string expected = lane.PathOf("tcpdump.pcap");

        // The expression as tcpdump takes it: words after the options.
        ToolResult r = Lane.Remapd(["--source", $"pcap:{input.Path}", "-w", written, "-q", .. TcpdumpOracle.Words(expression)]);

        r.ExitCode.Should().Be(0, r.ToString());
        TcpdumpOracle.Select(input.Path, expected, expression);
        (List<string> want, List<string> got) = TcpdumpOracle.ReadBoth(expected, written);
        (long hook, long remapd) = Filtered(r.Stderr);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{expression,-50} remapd {got.Count,4}  tcpdump {want.Count,4}  of {input.Count} (filtered: {hook} in the hook, {remapd} by remapd)"));
        TcpdumpOracle.ShouldEqual(got, want, expression);
        (hook + remapd).Should().Be(input.Count - want.Count, "what the filter does not select is rejected, and counted");
        r.Stderr.Should().Contain("nothing lost");
    }

    [Fact]
    public void A_program_skbremap_rejects_is_run_by_remapd_with_a_warning_as_libpcap_does()
    {
        using var lane = new Lane();

        // protochain loops with a backward jump: classic BPF in a kernel (and skbremap's checks) refuse it.
        ToolResult r = Lane.Remapd("--source", $"pcap:{input.Path}", "-w", lane.PathOf("remapd.pcap"), "-q", "ip6", "protochain", "6");

        r.ExitCode.Should().Be(0, r.ToString());
        r.Stderr.Should().Contain("rejected the filter program for 'ip6 protochain 6'")
            .And.Contain("remapd runs the filter on every captured packet instead");
        (long hook, long remapd) = Filtered(r.Stderr);
        hook.Should().Be(0);
        remapd.Should().BePositive();
    }

    [Fact]
    public void Snaplen_cuts_the_selected_packets_as_editcap_cuts_tcpdumps_and_keeps_the_wire_length()
    {
        using var lane = new Lane();
        string written = lane.PathOf("remapd.pcap");
        string selected = lane.PathOf("tcpdump.pcap");
        string expected = lane.PathOf("tcpdump-cut.pcap");

        ToolResult r = Lane.Remapd("--source", $"pcap:{input.Path}", "-w", written, "-q", "-s", "100", "udp", "or", "arp");

        r.ExitCode.Should().Be(0, r.ToString());
        TcpdumpOracle.Select(input.Path, selected, "udp or arp");
        ToolResult editcap = ExternalTool.Run("editcap", "-s", "100", selected, expected);
        editcap.ExitCode.Should().Be(0, editcap.ToString());
        (List<string> want, List<string> got) = TcpdumpOracle.ReadBoth(expected, written);
        TcpdumpOracle.ShouldEqual(got, want, "-s 100 'udp or arp'");
        List<RemapDaemon.Output.Pcap.PcapRecord> records = RemapDaemon.Output.Pcap.PcapReader.ReadFile(written);
        records.Should().OnlyContain(p => p.CapturedLength <= 100);
        records.Should().Contain(p => p.WireLength == 9014 && p.CapturedLength == 100, "the jumbo datagram is cut, its wire length kept");
    }

    [Fact]
    public void The_expression_given_with_F_selects_the_same_packets_as_trailing_words()
    {
        using var lane = new Lane();
        const string Expression = "tcp port 80 and host 10.0.0.1";
        string written = lane.PathOf("remapd.pcap");
        string expected = lane.PathOf("tcpdump.pcap");

        ToolResult r = Lane.Remapd("--source", $"pcap:{input.Path}", "-w", written, "-q", "-F", Expression);

        r.ExitCode.Should().Be(0, r.ToString());
        TcpdumpOracle.Select(input.Path, expected, Expression);
        (List<string> want, List<string> got) = TcpdumpOracle.ReadBoth(expected, written);
        want.Should().NotBeEmpty();
        TcpdumpOracle.ShouldEqual(got, want, Expression);
    }

    [Fact]
    public void A_filter_given_both_ways_exits_2()
    {
        using var lane = new Lane();
        string written = lane.PathOf("never.pcap");

        ToolResult r = Lane.Remapd("--source", $"pcap:{input.Path}", "-w", written, "-F", "udp", "tcp");

        r.ExitCode.Should().Be(2, r.ToString());
        r.Stderr.Should().Contain("two filter expressions");
        File.Exists(written).Should().BeFalse();
    }

    [Theory]
    [InlineData("tcp port frobnicate")]
    [InlineData("host")]
    [InlineData("vlan and (udp")]
    [InlineData("ether host 1:2:3")]
    [InlineData("ip6 and tcp[tcpflags] & tcp-syn != 0")]
    [InlineData("udp[70000] = 1 and ip[0] & ")]
    public void A_bad_expression_exits_2_with_the_message_tcpdump_prints(string expression)
    {
        using var lane = new Lane();
        string written = lane.PathOf("never.pcap");
        ToolResult tcpdump = ExternalTool.Run("tcpdump", ["-r", input.Path, "-w", lane.PathOf("t.pcap"), .. TcpdumpOracle.Words(expression)]);
        tcpdump.ExitCode.Should().NotBe(0, "tcpdump refuses '{0}' too: {1}", expression, tcpdump);
        string libpcap = tcpdump.Stderr.Trim().Split('\n')[^1].Replace("tcpdump: ", "", StringComparison.Ordinal);

        ToolResult r = Lane.Remapd(["--source", $"pcap:{input.Path}", "-w", written, .. TcpdumpOracle.Words(expression)]);

        output.WriteLine($"{expression,-45} -> exit {r.ExitCode}: {r.Stderr.Trim()}");
        r.ExitCode.Should().Be(2, r.ToString());
        r.Stderr.Should().Contain(libpcap, "libpcap's own message, as tcpdump printed it");
        File.Exists(written).Should().BeFalse("a bad expression is refused before anything is opened");
    }

    /// <summary>The summary's counts: rejected by the program in skbremap's hook, and by remapd (the fallback).</summary>
    private static (long Hook, long Remapd) Filtered(string stderr)
    {
        Match m = FilteredCount().Match(stderr);
        m.Success.Should().BeTrue($"the summary gives the filtered counts; stderr was:\n{stderr}");
        return (long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"(\d+) filtered in skbremap's hook, (\d+) filtered by remapd")]
    private static partial Regex FilteredCount();
}
