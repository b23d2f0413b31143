using System.Text.RegularExpressions;
using RemapDaemon.EmulatorLane.Tests.Support;
using RemapDaemon.Tests.Support;
using Xunit.Abstractions;

namespace RemapDaemon.EmulatorLane.Tests.Filtering;

/// <summary>
/// --match-* end to end: remapd's payload tests, on top of the filter, select what a tcpdump
/// byte-offset expression selects from the same file (tcpdump cannot look for bytes anywhere,
/// so each pattern here sits at the start of a TCP/UDP payload of IPv4 frames, where an
/// expression can reach it). Packets the tests reject are counted as payload mismatches.
/// </summary>
public sealed partial class PayloadMatchTests(MixedInput input, ITestOutputHelper output) : IClassFixture<MixedInput>
{
    [Theory]
    // "GET " at payload offset 0 of TCP over IPv4.
    [InlineData("--match-string~GET @0", "ip and tcp", "ip and tcp and tcp[((tcp[12:1] & 0xf0) >> 2):4] = 0x47455420")]
    // The same bytes anywhere, as a regex: only request lines have them in this capture.
    [InlineData("--match-regex~^(GET|POST) /", "ip and tcp", "ip and tcp and tcp[((tcp[12:1] & 0xf0) >> 2):4] = 0x47455420")]
    // Either of two magics (OR), UDP or TCP.
    [InlineData("--match-hex~de ad be ef~--match-string~SSH-~--match-any", "ip",
        "ip and ((udp and udp[8:4] = 0xdeadbeef) or (tcp and tcp[((tcp[12:1] & 0xf0) >> 2):4] = 0x5353482d))")]
    // Both tests (AND): the magic at 0 and "\x12\x34" at 4.
    [InlineData("--match-hex~deadbeef@0~--match-hex~0x12,0x34@4", "udp", "ip and udp and udp[8:4] = 0xdeadbeef and udp[12:2] = 0x1234")]
    public void Payload_tests_select_what_a_tcpdump_offset_expression_selects(string matchArgs, string filter, string oracle)
    {
        using var lane = new Lane();
        string written = lane.PathOf("remapd.pcap");
        string expected = lane.PathOf("tcpdump.pcap");

        ToolResult r = Lane.Remapd(["--source", $"pcap:{input.Path}", "-w", written, "-q", .. matchArgs.Split('~'), .. TcpdumpOracle.Words(filter)]);

        r.ExitCode.Should().Be(0, r.ToString());
        TcpdumpOracle.Select(input.Path, expected, oracle);
        (List<string> want, List<string> got) = TcpdumpOracle.ReadBoth(expected, written);
        output.WriteLine($"{matchArgs.Replace('~', ' ')} + '{filter}': remapd {got.Count}, tcpdump '{oracle}' {want.Count}");
        want.Should().NotBeEmpty();
        TcpdumpOracle.ShouldEqual(got, want, matchArgs);

        Match m = Counts().Match(r.Stderr);
        m.Success.Should().BeTrue(r.Stderr);
        long filtered = long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        long mismatched = long.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
        (filtered + mismatched + want.Count).Should().Be(input.Count, "every packet is written, filtered in the hook, or a payload mismatch");
        mismatched.Should().BePositive();
    }

    [Theory]
    [InlineData("--match-hex", "abc", "even, non-zero number of hex digits")]
    [InlineData("--match-hex", "zz", "not a hex digit")]
    [InlineData("--match-regex", "(unclosed", "--match-regex")]
    public void A_bad_pattern_exits_2(string option, string pattern, string message)
    {
        using var lane = new Lane();

        ToolResult r = Lane.Remapd("--source", $"pcap:{input.Path}", "-w", lane.PathOf("never.pcap"), option, pattern);

        r.ExitCode.Should().Be(2, r.ToString());
        r.Stderr.Should().Contain(message);
    }

    [GeneratedRegex(@"(\d+) filtered in skbremap's hook, 0 filtered by remapd, (\d+) payload mismatches")]
    private static partial Regex Counts();
}
