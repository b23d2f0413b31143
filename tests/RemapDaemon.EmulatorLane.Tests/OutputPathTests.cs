using System.Globalization;
using System.Text.RegularExpressions;
using RemapDaemon.EmulatorLane.Tests.Support;
using RemapDaemon.Tests.Support;

namespace RemapDaemon.EmulatorLane.Tests;

/// <summary>
/// remapd's output path: many packets per write system call (headers and small packets copied
/// into the writer's batch, large ones written from their window in place), a file tcpdump and
/// capinfos read whole; a slow reader is absorbed by the region (windows wait for the writer
/// thread) and what it cannot absorb is counted as "output too slow".
/// </summary>
public sealed class OutputPathTests
{
    private const int Packets = 20_000;

    /// <summary>
    /// Bounds on write-family system calls per packet, whole process (the summary's own lines on
    /// stderr included, about 10 calls, i.e. 0.0005 per packet here):
    /// <list type="bullet">
    /// <item>64 B and 1500 B are copied into a batch of up to 288 KiB written with one pwritev:
    /// about 3600 and 190 records per call; the bounds (0.01, 0.02) leave 4x and more for batches
    /// handed over part-full;</item>
    /// <item>9000 B are written from their window: one pwritev per window (64 pages hold 29 of
    /// them), 0.035 per packet; the bound 0.1 still means 10 packets per call, where a write per
    /// packet (or two, as through a 4 KiB FileStream buffer) is 1 or 2.</item>
    /// </list>
    /// </summary>
    [Theory]
    [InlineData(64, 0.01)]
    [InlineData(1500, 0.02)]
    [InlineData(9000, 0.1)]
    public void Writes_many_packets_per_system_call_and_the_file_holds_every_packet(int size, double maxCallsPerPacket)
    {
        using var lane = new Lane();
        string pcap = lane.PathOf($"s{size}.pcap");
        string counts = lane.PathOf("strace.txt");

        ToolResult r = ExternalTool.Run("strace", "-f", "-c", "-o", counts, "-e", "trace=write,pwrite64,writev,pwritev,pwritev2",
            ProgramRunner.Remapd, "--backend", "emulator", "-q", "-w", pcap,
            "--source", $"synthetic:count={Packets},min={size},max={size},rate=0,lossless=1");

        r.ExitCode.Should().Be(0, r.ToString());
        long calls = WriteCalls(File.ReadAllText(counts));
        calls.Should().BeGreaterThan(0, "strace counted remapd's writes");
        ((double)calls / Packets).Should().BeLessThanOrEqualTo(maxCallsPerPacket,
            $"{calls} write calls for {Packets} packets of {size} B:\n{File.ReadAllText(counts)}");

        r.Stderr.Should().Contain("nothing lost", r.ToString());
        Lane.SummaryPackets(r.Stderr).Should().Be(Packets);
        Lane.CapinfosCount(pcap).Should().Be(Packets);
        ToolResult tcpdump = ExternalTool.Run("tcpdump", "-n", "-r", pcap);
        tcpdump.ExitCode.Should().Be(0, tcpdump.ToString());
        tcpdump.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().HaveCount(Packets);
        tcpdump.Stdout.Should().Contain($"length {size - 42}", "every frame is a UDP datagram of the size asked");
    }

    [Fact]
    public void A_reader_slower_than_the_burst_loses_nothing_while_the_region_holds_the_backlog()
    {
        using var lane = new Lane();

        // 300 x 9000 B = 2.7 MB at once: less than the region (16 windows of 64 pages, 4 MiB),
        // far more than the reader takes in the time the source needs to make it.
        (ToolResult r, string copy) = CaptureIntoSlowReader(lane, "synthetic:count=300,min=9000,max=9000,rate=0", readBytesPerTick: 16 * 1024);

        r.ExitCode.Should().Be(0, r.ToString());
        r.Stderr.Should().Contain("nothing lost", r.ToString());
        Lane.SummaryPackets(r.Stderr).Should().Be(300);
        MaxQueueDepth(r.Stderr).Should().BeGreaterThan(1, "windows waited for the slow reader: " + r.Stderr);
        Lane.CapinfosCount(copy).Should().Be(300, "the reader got every packet");
    }

    [Fact]
    public void A_reader_too_slow_for_the_region_costs_packets_counted_as_output_too_slow()
    {
        using var lane = new Lane();

        // 6000 x 9000 B at 2000 packets/s (18 MB/s, paced so that the capture loop keeps up and
        // only the writer falls behind) into a 4 MiB region, read at about 1.6 MB/s.
        (ToolResult r, string copy) = CaptureIntoSlowReader(lane, "synthetic:count=6000,min=9000,max=9000,rate=2000", readBytesPerTick: 16 * 1024);

        r.ExitCode.Should().Be(0, "drops skbremap counted are reported, not an error: " + r);
        ulong tooSlow = Count(r.Stderr, @"remapd: skbremap: .* (\d+) output too slow\)|output too slow (\d+)");
        tooSlow.Should().BeGreaterThan(0, r.Stderr);
        (ulong _, ulong captured, ulong _, ulong dropped) = Lane.SummaryStats(r.Stderr);
        (captured + dropped).Should().Be(6000);
        tooSlow.Should().BeLessThanOrEqualTo(dropped);
        r.Stderr.Should().MatchRegex(@"remapd: lost \d+ packets: .*[1-9]\d* output too slow");
        Lane.CapinfosCount(copy).Should().Be((long)captured, "every packet captured reached the reader");
    }

    /// <summary>
    /// remapd -w FIFO, the FIFO read by this test <paramref name="readBytesPerTick"/> at a time,
    /// every 10 ms, into a file; returns remapd's result and the file.
    /// </summary>
    private static (ToolResult Result, string Copy) CaptureIntoSlowReader(Lane lane, string source, int readBytesPerTick)
    {
        string fifo = lane.PathOf("out.fifo");
        string copy = lane.PathOf("copy.pcap");
        ToolResult mk = ExternalTool.Run("mkfifo", fifo);
        mk.ExitCode.Should().Be(0, mk.ToString());

        long received = 0;
        var reader = new Thread(() =>
        {
            using var input = new FileStream(fifo, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
            using var output = File.Create(copy);
            byte[] buffer = new byte[readBytesPerTick];
            int n;
            while ((n = input.Read(buffer)) > 0)
            {
                output.Write(buffer, 0, n);
                received += n;
                Thread.Sleep(10);
            }
        });
        reader.Start();

        ToolResult r = Lane.Remapd("--source", source, "-w", fifo, "--stats-interval", "0.2");
        reader.Join(Lane.Timeout).Should().BeTrue("the reader reaches the end of the FIFO once remapd closes it");
        received.Should().BeGreaterThan(0);
        return (r, copy);
    }

    /// <summary>"at most N of M batches waited for the disk" in the summary.</summary>
    private static int MaxQueueDepth(string stderr)
    {
        Match m = Regex.Match(stderr, @"at most (\d+) of (\d+) batches waited for the disk");
        m.Success.Should().BeTrue(stderr);
        return int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    private static ulong Count(string stderr, string pattern)
    {
        Match m = Regex.Match(stderr, pattern);
        m.Success.Should().BeTrue($"/{pattern}/ in:\n{stderr}");
        string value = m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value;
        return ulong.Parse(value, CultureInfo.InvariantCulture);
    }

    /// <summary>The "total" row of strace -c: its calls column.</summary>
    private static long WriteCalls(string strace)
    {
        string? total = strace.Split('\n').LastOrDefault(l => l.TrimEnd().EndsWith("total", StringComparison.Ordinal));
        total.Should().NotBeNull(strace);
        string[] fields = total!.Split(' ', StringSplitOptions.RemoveEmptyEntries);

        // % time, seconds, usecs/call, calls, errors (only when some failed), "total".
        return long.Parse(fields.Length >= 6 ? fields[^3] : fields[^2], CultureInfo.InvariantCulture);
    }
}
