using System.Diagnostics;
using RemapDaemon.EmulatorLane.Tests.Support;
using RemapDaemon.Tests.Support;
using Xunit.Abstractions;

namespace RemapDaemon.EmulatorLane.Tests.Filtering;

/// <summary>
/// The outputs of issue 4 end to end, through the emulator: pcapng read by capinfos, tshark and
/// tcpdump; rotation by size and by time that loses no packet at a file boundary; and
/// 'remapd -w - | tcpdump -r -', filtered, and live while remapd is still capturing.
/// </summary>
public sealed class CaptureOutputTests(MixedInput input, ITestOutputHelper output) : IClassFixture<MixedInput>
{
    [Fact]
    public void A_pcapng_file_is_read_by_capinfos_tshark_and_tcpdump_with_the_interface_name_and_statistics()
    {
        using var lane = new Lane();
        string written = lane.PathOf("filtered.pcapng"); // the extension picks pcapng
        string expected = lane.PathOf("tcpdump.pcap");

        ToolResult r = Lane.Remapd("-i", "lo", "--source", $"pcap:{input.Path}", "-w", written, "-q", "udp");

        r.ExitCode.Should().Be(0, r.ToString());
        TcpdumpOracle.Select(input.Path, expected, "udp");
        (List<string> want, List<string> got) = TcpdumpOracle.ReadBoth(expected, written);
        TcpdumpOracle.ShouldEqual(got, want, "pcapng");

        ToolResult capinfos = ExternalTool.Run("capinfos", written);
        output.WriteLine(capinfos.Stdout);
        capinfos.ExitCode.Should().Be(0, capinfos.ToString());
        capinfos.Stdout.Should().MatchRegex(@"File type:\s+Wireshark/... - pcapng")
            .And.MatchRegex($@"Number of packets:\s+{want.Count}\s")
            .And.MatchRegex(@"Name = lo\s")
            .And.MatchRegex(@"Time precision = nanoseconds")
            .And.MatchRegex(@"Number of stat entries = 1\s");

        ToolResult tshark = ExternalTool.Run("tshark", "-r", written, "-T", "fields", "-e", "frame.interface_name", "-e", "frame.len");
        tshark.ExitCode.Should().Be(0, tshark.ToString());
        string[] lines = tshark.Stdout.Trim().Split('\n');
        lines.Should().HaveCount(want.Count).And.OnlyContain(l => l.StartsWith("lo\t", StringComparison.Ordinal));
    }

    [Fact]
    public void Rotation_by_size_loses_no_packet_and_keeps_the_order_across_files()
    {
        using var lane = new Lane();
        string basePath = lane.PathOf("ring.pcap");
        string expected = lane.PathOf("all.pcap");

        // -C 0.04: 40,000 bytes a file; -W 9 names them ring.pcap0..ring.pcap8 and is large enough that none is reused.
        ToolResult r = Lane.Remapd("--source", $"pcap:{input.Path}", "-w", basePath, "-q", "-C", "0.04", "-W", "9");

        r.ExitCode.Should().Be(0, r.ToString());
        string[] files = [.. Enumerable.Range(0, 9).Select(i => $"{basePath}{i}").Where(File.Exists)];
        output.WriteLine($"{files.Length} files: {string.Join(", ", files.Select(f => $"{Path.GetFileName(f)} {Lane.CapinfosCount(f)} pkts {new FileInfo(f).Length} B"))}");
        files.Length.Should().BeInRange(2, 8, "the input is a few hundred kB: several files, fewer than -W");
        files.Select(Lane.CapinfosCount).Sum().Should().Be(input.Count, "the sum of packets across files is the input");
        File.Copy(input.Path, expected);
        (List<string> want, List<string> got) = TcpdumpOracle.ReadBoth(expected, files);
        TcpdumpOracle.ShouldEqual(got, want, "-C 0.04 -W 9, files read in ring order");
        files.SkipLast(1).Should().OnlyContain(f => new FileInfo(f).Length > 40_000, "a file is closed only once it is over the size");
    }

    [Fact]
    public void Rotation_by_packet_time_loses_no_packet()
    {
        using var lane = new Lane();
        string basePath = lane.PathOf("timed.pcap");
        string expected = lane.PathOf("all.pcap");

        // The input's packets are 1 ms apart: -G 1 starts a new file every 1000 packets.
        ToolResult r = Lane.Remapd("--source", $"pcap:{input.Path}", "-w", basePath, "-q", "-G", "1");

        r.ExitCode.Should().Be(0, r.ToString());
        int expectedFiles = (input.Count + 999) / 1000;
        string[] files = [basePath, .. Enumerable.Range(1, expectedFiles - 1).Select(i => $"{basePath}{i}")];
        files.Should().OnlyContain(f => File.Exists(f));
        File.Exists($"{basePath}{expectedFiles}").Should().BeFalse();
        File.Copy(input.Path, expected);
        (List<string> want, List<string> got) = TcpdumpOracle.ReadBoth(expected, files);
        TcpdumpOracle.ShouldEqual(got, want, "-G 1");
    }

    [Fact]
    public void Rotation_by_packet_time_names_a_replays_files_by_strftime_of_their_first_packets()
    {
        using var lane = new Lane();
        string expected = lane.PathOf("all.pcap");
        const string Name = "replay-%Y%m%d-%H%M%S.pcap";

        // Packets 1 ms apart from MixedCapture.FirstTimestampNs: interval k starts at packet
        // 1000 k, exactly k s after the first; the first file, opened before any packet, is
        // renamed after the first packet (older than the capture's start).
        ToolResult r = Lane.Remapd("--source", $"pcap:{input.Path}", "-w", lane.PathOf(Name), "-q", "-G", "1");

        r.ExitCode.Should().Be(0, r.ToString());
        int expectedFiles = (input.Count + 999) / 1000;
        ulong firstSecond = MixedCapture.FirstTimestampNs / 1_000_000_000;
        string[] files = [.. Enumerable.Range(0, expectedFiles).Select(k =>
        {
            ToolResult date = ExternalTool.Run("date", "-d", $"@{firstSecond + (ulong)k}", $"+{Name}");
            date.ExitCode.Should().Be(0, date.ToString());
            return lane.PathOf(date.Stdout.Trim());
        })];
        Directory.GetFiles(lane.Directory).Should().BeEquivalentTo(files, "one file per second of packet time, named by date(1)'s expansion");
        File.Copy(input.Path, expected);
        (List<string> want, List<string> got) = TcpdumpOracle.ReadBoth(expected, files);
        TcpdumpOracle.ShouldEqual(got, want, "-G 1 with strftime names");
    }

    [Theory]
    [InlineData("pcap")]
    [InlineData("pcapng")]
    public void Stdout_piped_into_tcpdump_gives_the_filtered_packets(string format)
    {
        using var lane = new Lane();
        string piped = lane.PathOf("piped.pcap");
        string expected = lane.PathOf("tcpdump.pcap");

        ToolResult r = ExternalTool.Run("bash", "-c",
            $"set -o pipefail; '{ProgramRunner.Remapd}' --backend emulator --source 'pcap:{input.Path}' --format {format} -w - -q 'ip6 or arp' " +
            $"| tcpdump -r - -w '{piped}'");

        r.ExitCode.Should().Be(0, r.ToString());
        r.Stderr.Should().Contain("packets written to stdout");
        TcpdumpOracle.Select(input.Path, expected, "ip6 or arp");
        (List<string> want, List<string> got) = TcpdumpOracle.ReadBoth(expected, piped);
        want.Should().NotBeEmpty();
        TcpdumpOracle.ShouldEqual(got, want, $"-w - ({format}) | tcpdump -r -");
    }

    [Fact]
    public void Stdout_is_flushed_every_window_so_tcpdump_sees_packets_while_remapd_still_captures()
    {
        using var lane = new Lane();
        string marker = lane.PathOf("tcpdump-done");

        // 100 frames at 10 per second: 10 s of capture. tcpdump -c 3 ends after the third packet;
        // it can only get it in time if remapd writes each window out as it is published.
        var clock = Stopwatch.StartNew();
        ToolResult r = ExternalTool.Run("bash", "-c",
            $"'{ProgramRunner.Remapd}' --backend emulator --source synthetic:count=100,min=60,max=100,rate=10 -w - -q " +
            $"| {{ tcpdump -r - -c 3 -nn; date +%s.%N > '{marker}'; cat > /dev/null; }}");
        clock.Stop();

        r.ExitCode.Should().Be(0, r.ToString());
        r.Stdout.Trim().Split('\n').Should().HaveCount(3, r.ToString());
        File.Exists(marker).Should().BeTrue();
        double tcpdumpDone = double.Parse(File.ReadAllText(marker).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        double end = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        output.WriteLine($"tcpdump had 3 packets {end - tcpdumpDone:0.0} s before remapd finished ({clock.Elapsed.TotalSeconds:0.0} s in all)");
        (end - tcpdumpDone).Should().BeGreaterThan(4, "tcpdump got its packets long before the 10 s source ended");
    }
}
