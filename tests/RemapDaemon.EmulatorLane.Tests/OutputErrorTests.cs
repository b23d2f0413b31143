using RemapDaemon.EmulatorLane.Tests.Support;
using RemapDaemon.Tests.Support;

namespace RemapDaemon.EmulatorLane.Tests;

/// <summary>When the pcap cannot be written, remapd says why and exits 1; it does not crash.</summary>
public sealed class OutputErrorTests
{
    [Fact]
    public void A_full_disk_exits_1_with_the_reason()
    {
        using var lane = new Lane();

        ToolResult r = Lane.Remapd("--source", "synthetic:count=100000,min=1000,max=1500,lossless=1", "-w", "/dev/full", "-q");

        r.ExitCode.Should().Be(1, r.ToString());
        r.Stderr.Should().Contain("remapd: error: No space left on device");
    }

    [Fact]
    public void An_output_in_a_missing_folder_exits_1_naming_the_file()
    {
        using var lane = new Lane();
        string output = lane.PathOf("no/such/folder/x.pcap");

        ToolResult r = Lane.Remapd("--source", "synthetic:count=10", "-w", output, "-q");

        r.ExitCode.Should().Be(1, r.ToString());
        r.Stderr.Should().Contain($"cannot write {output}");
    }
}
