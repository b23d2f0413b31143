using System.Text.RegularExpressions;
using RemapDaemon.EmulatorLane.Tests.Support;
using RemapDaemon.Tests.Support;

namespace RemapDaemon.EmulatorLane.Tests;

/// <summary>
/// The summary's last word on loss: "nothing lost" only when skbremap saw exactly what it captured
/// and filtered, dropped nothing, and every captured packet was read and written (or rejected on
/// purpose); otherwise "lost N packets:" with every drop reason. Drops counted by skbremap exit 0,
/// as tcpdump does.
/// </summary>
public sealed class LossReportTests
{
    [Fact]
    public void A_lossy_source_is_reported_as_lost_packets_by_reason_and_never_as_nothing_lost()
    {
        using var lane = new Lane();
        string pcap = lane.PathOf("lossy.pcap");

        // No lossless=1: the generator outruns the consumer and skbremap drops (queue full).
        ToolResult r = Lane.Remapd("--source", "synthetic:count=300000,min=60,max=60", "-w", pcap, "-q");

        r.ExitCode.Should().Be(0, "drops counted by skbremap are reported, not an error (as tcpdump's); " + r);
        (ulong seen, ulong captured, ulong filtered, ulong dropped) = Lane.SummaryStats(r.Stderr);
        seen.Should().Be(300000);
        dropped.Should().BeGreaterThan(0, "this source is lossy by design; " + r.Stderr);
        r.Stderr.Should().NotContain("nothing lost");
        Match lost = Regex.Match(r.Stderr,
            @"remapd: lost (\d+) packets: (\d+) queue full, (\d+) no window, (\d+) no memory, (\d+) too big");
        lost.Success.Should().BeTrue(r.Stderr);
        ulong At(int g) => ulong.Parse(lost.Groups[g].Value, System.Globalization.CultureInfo.InvariantCulture);
        At(1).Should().Be(dropped);
        (At(2) + At(3) + At(4) + At(5)).Should().Be(dropped);
        (captured + filtered + dropped).Should().Be(seen);
        Lane.CapinfosCount(pcap).Should().Be((long)captured);
    }

    [Fact]
    public void A_lossless_source_ends_with_nothing_lost()
    {
        using var lane = new Lane();

        ToolResult r = Lane.Remapd("--source", "synthetic:count=20000,min=60,max=60,lossless=1", "-w", lane.PathOf("ok.pcap"), "-q");

        r.ExitCode.Should().Be(0, r.ToString());
        Lane.SummaryStats(r.Stderr).Dropped.Should().Be(0);
        r.Stderr.Should().Contain("remapd: nothing lost").And.NotContain("remapd: lost ");
    }
}
