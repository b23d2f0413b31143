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

    [Fact]
    public void Sigint_stops_a_capture_started_as_a_background_job_of_a_script()
    {
        // A non-interactive shell starts 'cmd &' with SIGINT ignored; tcpdump stops on
        // 'kill -INT' anyway, and so must remapd.
        using var lane = new Lane();
        string pcap = lane.PathOf("background.pcap");
        string err = lane.PathOf("background.err");
        ToolResult r = ExternalTool.Run("bash", "-c",
            $"'{ProgramRunner.Remapd}' --backend emulator --source synthetic:count=0,min=60,max=200,rate=2000 " +
            $"-w '{pcap}' -q 2>'{err}' & p=$!; " +
            // SIGINT once packets reach the file: the capture is running (a fixed sleep raced a
            // slow start-up on a loaded machine, and SIGINT came before the handler existed).
            $"for i in $(seq 300); do [ $(stat -c %s '{pcap}' 2>/dev/null || echo 0) -gt 24 ] && break; sleep 0.1; done; kill -INT $p; " +
            "for i in $(seq 100); do kill -0 $p 2>/dev/null || break; sleep 0.1; done; " +
            "if kill -0 $p 2>/dev/null; then echo 'still running 10 s after SIGINT'; kill -KILL $p; fi; wait $p; echo rc=$?");

        string stderr = File.ReadAllText(err);
        r.Stdout.Trim().Should().Be("rc=0", $"{r}\nremapd stderr:\n{stderr}");
        stderr.Should().Contain("stopped: SIGINT");
        Lane.CapinfosCount(pcap).Should().Be(Lane.SummaryPackets(stderr));
    }
}
