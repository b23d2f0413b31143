using RemapDaemon.EmulatorLane.Tests.Support;
using RemapDaemon.Tests.Support;

namespace RemapDaemon.EmulatorLane.Tests;

/// <summary>
/// remapd on lo through the emulator's AF_PACKET source while ping runs, next to a tcpdump on
/// the same interface: both hold the same ping packets, in order, byte for byte. Other traffic on
/// lo during the test (other programs) may differ at the edges, so only our ping is compared.
/// Needs root.
/// </summary>
public sealed class LiveLoopbackTests
{
    [Fact]
    public void Ping_on_lo_is_captured_with_the_same_bytes_as_tcpdump_captures()
    {
        using var lane = new Lane();
        string reference = lane.PathOf("tcpdump.pcap");
        string output = lane.PathOf("remapd.pcap");

        using ProgramRunner.RunningProgram tcpdump = ProgramRunner.Start("tcpdump", "-i", "lo", "--immediate-mode", "-U", "-w", reference, "icmp");
        using ProgramRunner.RunningProgram remapd = Lane.StartRemapd("-i", "lo", "-w", output, "--stats-interval", "0.5");
        WaitFor(() => tcpdump.StderrSoFar.Contains("listening on", StringComparison.Ordinal), "tcpdump to listen", tcpdump);
        WaitFor(() => remapd.StderrSoFar.Contains("capturing on", StringComparison.Ordinal), "remapd to start", remapd);

        // A payload pattern of our own, so these echo packets cannot be confused with others.
        ToolResult ping = ExternalTool.Run("ping", "-n", "-c", "10", "-i", "0.2", "-s", "1400", "-p", "5eed1e55", "127.0.0.1");
        ping.ExitCode.Should().Be(0, ping.ToString());
        Thread.Sleep(1000); // Both rings: past any block or retire timeout.

        remapd.Interrupt();
        ToolResult r = remapd.WaitForExit(TimeSpan.FromSeconds(30));
        tcpdump.Interrupt();
        tcpdump.WaitForExit(TimeSpan.FromSeconds(30));

        r.ExitCode.Should().Be(0, r.ToString());
        r.Stderr.Should().Contain("nothing lost");
        List<string> expected = PingPackets(reference);
        List<string> actual = PingPackets(output);
        expected.Should().HaveCount(20, "10 echo requests and 10 replies crossed lo, each seen once (outgoing copies skipped)");
        actual.Should().Equal(expected, "remapd and tcpdump saw the same ping packets, in the same order, byte for byte");
    }

    // tcpdump runs with --immediate-mode: otherwise packets still in a TPACKET_V3 block that has not
    // timed out when it gets SIGINT are never written, and the oracle would miss them.

    /// <summary>The ICMP packets of our ping (by payload pattern), as tcpdump's hex of their bytes.</summary>
    private static List<string> PingPackets(string pcap)
    {
        ToolResult read = TcpdumpText.Read(pcap, "icmp");
        read.ExitCode.Should().Be(0, read.ToString());
        return TcpdumpText.Packets(read.Stdout)
            .Select(TcpdumpText.Bytes)
            .Where(bytes => bytes.Replace(" ", "", StringComparison.Ordinal).Contains("5eed1e555eed1e55", StringComparison.Ordinal))
            .ToList();
    }

    private static void WaitFor(Func<bool> condition, string what, ProgramRunner.RunningProgram program)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out waiting for {what}; stderr so far:\n{program.StderrSoFar}");
            }

            Thread.Sleep(50);
        }
    }
}
