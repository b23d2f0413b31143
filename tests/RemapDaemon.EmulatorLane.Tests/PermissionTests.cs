using RemapDaemon.EmulatorLane.Tests.Support;
using RemapDaemon.Tests.Support;

namespace RemapDaemon.EmulatorLane.Tests;

/// <summary>Capturing from the network needs CAP_NET_RAW, as AF_PACKET does: without it, exit 4 and say so.</summary>
public sealed class PermissionTests
{
    [Fact]
    public void Capturing_lo_without_CAP_NET_RAW_exits_4_and_names_the_capability()
    {
        using var lane = new Lane();
        // nobody, no groups, no capabilities (setpriv from util-linux); the output goes where nobody may write.
        string output = Path.Combine(Path.GetTempPath(), $"remapd-nobody-{Environment.ProcessId}.pcap");

        ToolResult r = ExternalTool.Run("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
            ProgramRunner.Remapd, "--backend", "emulator", "-i", "lo", "-d", "1", "-w", output);

        r.ExitCode.Should().Be(4, r.ToString());
        r.Stderr.Should().Contain("CAP_NET_RAW");
    }
}
