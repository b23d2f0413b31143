using RemapDaemon.EmulatorLane.Tests.Support;
using RemapDaemon.Tests.Support;

namespace RemapDaemon.EmulatorLane.Tests;

/// <summary>
/// When the pcap cannot be written, remapd says why in one "remapd: error:" line and exits 1;
/// it does not crash (no stack trace without -v), and it still stops skbremap, drains every
/// window and prints a summary that counts what it could not write.
/// </summary>
public sealed class OutputErrorTests
{
    [Fact]
    public void A_full_disk_exits_1_with_the_reason()
    {
        using var lane = new Lane();

        ToolResult r = Lane.Remapd("--source", "synthetic:count=100000,min=1000,max=1500,lossless=1", "-w", "/dev/full", "-q");

        r.ExitCode.Should().Be(1, r.ToString());
        r.Stderr.Should().Contain("remapd: error: No space left on device");
        AssertNoCrash(r);
        ulong captured = Lane.SummaryStats(r.Stderr).Captured;
        ulong notWritten = NotWritten(r.Stderr);
        ((ulong)Lane.SummaryPackets(r.Stderr) + notWritten).Should().Be(captured, "every captured packet is written or counted as not written");
        notWritten.Should().BeGreaterThan(0);
        r.Stderr.Should().Contain("writing failed (No space left on device").And.NotContain("nothing lost");
    }

    [Fact]
    public void A_rotation_file_that_exists_as_a_directory_ends_with_one_error_line_exit_1_and_a_summary_of_what_was_not_written()
    {
        using var lane = new Lane();
        string output = lane.PathOf("x.pcap");
        Directory.CreateDirectory(output + "1");

        ToolResult r = Lane.Remapd("--source", "synthetic:count=5000,min=1000,max=1000,lossless=1", "-w", output, "-C", "1", "-q");

        r.ExitCode.Should().Be(1, r.ToString());
        r.Stderr.Should().MatchRegex($@"remapd: error: .*{System.Text.RegularExpressions.Regex.Escape(output + "1")}");
        AssertNoCrash(r);
        ulong captured = Lane.SummaryStats(r.Stderr).Captured;
        long written = Lane.SummaryPackets(r.Stderr);
        written.Should().BeGreaterThan(0);
        Lane.CapinfosCount(output).Should().Be(written, "the first file was closed whole before the next could not be opened");
        ((ulong)written + NotWritten(r.Stderr)).Should().Be(captured, "every captured packet is written or counted as not written");
        r.Stderr.Should().Contain("stopped: writing failed").And.NotContain("nothing lost");
    }

    [Fact]
    public void With_v_the_error_line_is_followed_by_the_stack_trace()
    {
        using var lane = new Lane();
        string output = lane.PathOf("x.pcap");
        Directory.CreateDirectory(output + "1");

        ToolResult r = Lane.Remapd("--source", "synthetic:count=5000,min=1000,max=1000,lossless=1", "-w", output, "-C", "1", "-q", "-v");

        r.ExitCode.Should().Be(1, r.ToString());
        r.Stderr.Should().Contain("remapd: error: ").And.Contain("   at RemapDaemon.Output.RotatingWriter");
    }

    private static void AssertNoCrash(ToolResult r)
    {
        r.Stderr.Should().NotContain("Unhandled exception").And.NotContain("   at ");
        System.Text.RegularExpressions.Regex.Matches(r.Stderr, "remapd: error: ").Should().HaveCount(1, r.Stderr);
    }

    /// <summary>"N read but not written" in the summary's "lost" line (0 when absent).</summary>
    private static ulong NotWritten(string stderr)
    {
        var m = System.Text.RegularExpressions.Regex.Match(stderr, @"remapd: lost \d+ packets: .*, (\d+) read but not written");
        m.Success.Should().BeTrue(stderr);
        return ulong.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
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
