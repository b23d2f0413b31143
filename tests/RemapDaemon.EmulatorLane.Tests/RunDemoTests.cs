using RemapDaemon.EmulatorLane.Tests.Support;
using RemapDaemon.Tests.Support;

namespace RemapDaemon.EmulatorLane.Tests;

/// <summary>
/// tools/run.sh's demo makes its own traffic (UDP to 127.0.0.1 from bash, no ping needed) and
/// fails when the file it wrote holds none of that traffic: it never reports success for an empty
/// capture, whatever else crossed lo.
/// </summary>
public sealed class RunDemoTests
{
    [Fact]
    public void The_demo_captures_its_own_traffic_and_the_file_holds_packets()
    {
        using var lane = new Lane();
        string output = lane.PathOf("demo.pcap");

        ToolResult r = RunDemo(output, traffic: "udp");

        r.ExitCode.Should().Be(0, r.ToString());
        Lane.CapinfosCount(output).Should().BeGreaterThan(0, r.ToString());
        r.Stdout.Should().MatchRegex(@"demo: .*demo\.pcap holds [1-9]\d* packets, [1-9]\d* of them the demo's datagrams");
    }

    [Fact]
    public void The_demo_exits_1_when_it_captured_nothing()
    {
        using var lane = new Lane();
        string output = lane.PathOf("empty.pcap");

        ToolResult r = RunDemo(output, traffic: "none");

        r.ExitCode.Should().Be(1, r.ToString());
        r.Stderr.Should().Contain("holds no packet of the demo's traffic");
    }

    private static ToolResult RunDemo(string output, string traffic)
    {
        using ProgramRunner.RunningProgram demo = ProgramRunner.Start("bash",
            new Dictionary<string, string> { ["OUT"] = output, ["DEMO_SECONDS"] = "2", ["DEMO_TRAFFIC"] = traffic },
            RepoRoot.Combine("tools", "run.sh"));
        return demo.WaitForExit(TimeSpan.FromMinutes(8));
    }
}
