using RemapDaemon.EmulatorLane.Tests.Support;
using RemapDaemon.Tests.Support;

namespace RemapDaemon.EmulatorLane.Tests;

/// <summary>Ctrl-C mid-capture: STOP, drain, flush, exit 0; the file holds exactly what the summary says.</summary>
public sealed class SignalTests
{
    [Fact]
    public void Sigint_mid_capture_exits_0_with_a_valid_pcap_holding_exactly_the_summarised_packets()
    {
        using var lane = new Lane();
        string pcap = lane.PathOf("sigint.pcap");
        using ProgramRunner.RunningProgram remapd = Lane.StartRemapd(
            "--source", "synthetic:count=0,min=60,max=1500,rate=20000", "-w", pcap, "--stats-interval", "0.2");

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (remapd.StderrSoFar.Split('\n').Count(l => l.Contains(" pkts ", StringComparison.Ordinal)) < 3)
        {
            DateTime.UtcNow.Should().BeBefore(deadline, $"remapd shows live lines; stderr:\n{remapd.StderrSoFar}");
            Thread.Sleep(50);
        }

        remapd.Interrupt();
        ToolResult r = remapd.WaitForExit(TimeSpan.FromSeconds(30));

        r.ExitCode.Should().Be(0, r.ToString());
        r.Stderr.Should().Contain("stopped: SIGINT").And.Contain("nothing lost");
        long summarised = Lane.SummaryPackets(r.Stderr);
        summarised.Should().BeGreaterThan(0);
        Lane.CapinfosCount(pcap).Should().Be(summarised);
    }

    [Fact]
    public void Sigterm_is_handled_like_sigint()
    {
        using var lane = new Lane();
        string pcap = lane.PathOf("sigterm.pcap");
        using ProgramRunner.RunningProgram remapd = Lane.StartRemapd(
            "--source", "synthetic:count=0,min=60,max=200,rate=5000", "-w", pcap, "--stats-interval", "0.2");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!remapd.StderrSoFar.Contains(" pkts ", StringComparison.Ordinal))
        {
            DateTime.UtcNow.Should().BeBefore(deadline, $"remapd shows live lines; stderr:\n{remapd.StderrSoFar}");
            Thread.Sleep(50);
        }

        ProgramRunner.Kill(remapd.Pid, 15).Should().Be(0);
        ToolResult r = remapd.WaitForExit(TimeSpan.FromSeconds(30));

        r.ExitCode.Should().Be(0, r.ToString());
        r.Stderr.Should().Contain("stopped: SIGTERM");
        Lane.CapinfosCount(pcap).Should().Be(Lane.SummaryPackets(r.Stderr));
    }
}
