using System.Globalization;
using System.Text.RegularExpressions;
using RemapDaemon.EmulatorLane.Tests.Support;
using RemapDaemon.Tests.Support;
using Xunit.Abstractions;

namespace RemapDaemon.EmulatorLane.Tests;

/// <summary>
/// -G with strftime names on a live capture (the emulator's synthetic source, stamped with
/// the clock as it runs): the files, read back by tcpdump and capinfos, hold every packet once,
/// in order, and each is named after a local time no later than its first packet; -G with -W
/// stops after W files as tcpdump does.
/// </summary>
public sealed partial class TimeRotationTests(ITestOutputHelper output)
{
    // UTC+05:30 all year: a name in local time differs from UTC by a non-whole hour.
    private const string Zone = "Asia/Kolkata";

    [Fact]
    public void G_names_each_file_by_strftime_of_its_local_start_and_no_packet_is_lost_or_repeated_at_a_boundary()
    {
        using var lane = new Lane();
        const int Count = 4000; // 1000 a second: four or five 1 s intervals
        string name = lane.PathOf("cap-%Y%m%d-%H%M%S-%s.pcap");

        ToolResult r = Lane.RemapdWith(new Dictionary<string, string> { ["TZ"] = Zone },
            "--source", $"synthetic:count={Count},min=60,max=120,rate=1000,lossless=1", "-w", name, "-G", "1", "-q");

        r.ExitCode.Should().Be(0, r.ToString());
        r.Stderr.Should().Contain("nothing lost");
        Lane.SummaryPackets(r.Stderr).Should().Be(Count);
        List<NamedFile> files = [.. Directory.GetFiles(lane.Directory).Select(NamedFile.Parse).OrderBy(f => f.Seconds).ThenBy(f => f.Count)];
        files.Should().HaveCountGreaterThanOrEqualTo(4, "4 s of packets, -G 1");

        var indexes = new List<long>();
        double previousLast = 0;
        foreach (NamedFile f in files)
        {
            // date(1) is the oracle of the local time in the name; %s in the name is its UTC second.
            ToolResult date = ExternalTool.Run("env", $"TZ={Zone}", "date", "-d", $"@{f.Seconds}", "+%Y%m%d-%H%M%S");
            date.ExitCode.Should().Be(0, date.ToString());
            f.Local.Should().Be(date.Stdout.Trim(), "{0} is named by the local time of second {1} in {2}", f.Path, f.Seconds, Zone);

            (long count, double first, double last) = Capinfos(f.Path);
            output.WriteLine($"{Path.GetFileName(f.Path)}: {count} packets, {first:0.000000000} .. {last:0.000000000}");
            count.Should().BePositive();
            first.Should().BeGreaterThanOrEqualTo(f.Seconds, "{0}: no file is named after a time later than its first packet", f.Path);
            (last - first).Should().BeLessThan(1.0, "{0} holds one -G 1 interval", f.Path);
            first.Should().BeGreaterThan(previousLast, "{0} starts after the previous file ends", f.Path);
            previousLast = last;
            indexes.AddRange(SyntheticIndexes(f.Path));
        }

        indexes.Should().Equal(Enumerable.Range(0, Count).Select(i => (long)i),
            "the files, read by tcpdump in name order, hold synthetic frames 0..{0} once each, in order", Count - 1);
    }

    [Fact]
    public void G_with_W_and_no_C_stops_after_W_files_with_exit_0_as_tcpdump_does()
    {
        using var lane = new Lane();
        string name = lane.PathOf("w-%Y%m%d-%H%M%S-%s.pcap");

        // An endless source: only the file limit stops it.
        ToolResult r = Lane.Remapd("--source", "synthetic:count=0,min=60,max=120,rate=1000,lossless=1", "-w", name, "-G", "1", "-W", "2", "-q");

        r.ExitCode.Should().Be(0, r.ToString());
        r.Stderr.Should().Contain("stopped: maximum file limit reached").And.Contain("nothing lost")
            .And.Contain("after the count or the file limit was reached were released unwritten");
        List<NamedFile> files = [.. Directory.GetFiles(lane.Directory).Select(NamedFile.Parse).OrderBy(f => f.Seconds)];
        files.Should().HaveCount(2);
        files.Select(f => Lane.CapinfosCount(f.Path)).Sum().Should().Be(Lane.SummaryPackets(r.Stderr));
        List<long> indexes = [.. files.SelectMany(f => SyntheticIndexes(f.Path))];
        indexes.Should().Equal(Enumerable.Range(0, indexes.Count).Select(i => (long)i), "the two files hold the first packets, none missing");
    }

    [Fact]
    public void The_hour_repeated_when_daylight_saving_time_ends_gets_numbered_names_instead_of_being_overwritten()
    {
        // Europe/Berlin, 2024-10-27: at 01:00 UTC, 03:00 CEST falls back to 02:00 CET, so the
        // local minutes 02:00..02:59 happen twice. A replay of 00:00..01:59:30 UTC, a packet
        // every 30 s, with -G 60 and 'dst-%H%M.pcap': tcpdump would overwrite the first pass's
        // 60 files with the second's.
        const ulong Start = 1_729_987_200; // 2024-10-27 00:00:00 UTC
        using var lane = new Lane();
        string input = lane.PathOf("dst-input.pcap");
        using (var w = new RemapDaemon.Output.Pcap.PcapWriter(File.Create(input), 0))
        {
            for (ulong i = 0; i < 240; i++)
            {
                byte[] frame = SyntheticFrames.Frame(i, 60);
                w.Write(new RemapDaemon.Protocol.CapturedPacket { Data = frame, WireLength = 60, TimestampNs = (Start + (i * 30)) * 1_000_000_000, IfIndex = 1 });
            }
        }

        string output = Path.Combine(lane.Directory, "out");
        Directory.CreateDirectory(output);
        ToolResult r = Lane.RemapdWith(new Dictionary<string, string> { ["TZ"] = "Europe/Berlin" },
            "--source", $"pcap:{input}", "-w", Path.Combine(output, "dst-%H%M.pcap"), "-G", "60", "-q");

        r.ExitCode.Should().Be(0, r.ToString());
        string[] minutes = [.. Enumerable.Range(0, 60).Select(m => $"dst-02{m:00}.pcap")];
        Directory.GetFiles(output).Select(Path.GetFileName).Should().BeEquivalentTo([.. minutes, .. minutes.Select(m => m + "1")],
            "the CEST pass keeps the names, the CET pass gets them with 1 appended");
        Dictionary<string, double> first = Directory.GetFiles(output).ToDictionary(f => Path.GetFileName(f), f => Capinfos(f).First);
        foreach (string m in minutes)
        {
            // date(1) says which pass a file's first packet belongs to.
            ExternalTool.Run("env", "TZ=Europe/Berlin", "date", "-d", $"@{(long)first[m]}", "+%H%M %Z").Stdout.Trim().Should().Be($"{m[4..8]} CEST");
            ExternalTool.Run("env", "TZ=Europe/Berlin", "date", "-d", $"@{(long)first[m + "1"]}", "+%H%M %Z").Stdout.Trim().Should().Be($"{m[4..8]} CET");
        }

        string[] inOrder = [.. first.OrderBy(f => f.Value).Select(f => Path.Combine(output, f.Key))];
        (List<string> want, List<string> got) = TcpdumpOracle.ReadBoth(input, inOrder);
        TcpdumpOracle.ShouldEqual(got, want, "both passes of the repeated hour, every packet once");
    }

    /// <summary>capinfos: packet count, first and last packet time (seconds since the epoch).</summary>
    private static (long Count, double First, double Last) Capinfos(string path)
    {
        ToolResult r = ExternalTool.Run("capinfos", "-c", "-a", "-e", "-S", "-T", "-r", path);
        r.ExitCode.Should().Be(0, r.ToString());
        string[] fields = r.Stdout.Trim().Split('\t');
        return (long.Parse(fields[1], CultureInfo.InvariantCulture),
            double.Parse(fields[2], CultureInfo.InvariantCulture), double.Parse(fields[3], CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// The index of every synthetic frame in the file, in order, as tcpdump -e prints it: the
    /// source MAC is 02:00 followed by the index (skbremap_emu.h).
    /// </summary>
    private static IEnumerable<long> SyntheticIndexes(string path)
    {
        ToolResult r = ExternalTool.Run("tcpdump", "-r", path, "-e", "-nn");
        r.ExitCode.Should().Be(0, r.ToString());
        foreach (string line in r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            Match m = SourceMac().Match(line);
            m.Success.Should().BeTrue($"a synthetic frame: {line}");
            yield return long.Parse(m.Groups[1].Value.Replace(":", "", StringComparison.Ordinal), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        }
    }

    [GeneratedRegex(@" 02:00:([0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}) > 02:52:42:00:00:02,")]
    private static partial Regex SourceMac();

    [GeneratedRegex(@"-(\d{8}-\d{6})-(\d+)\.pcap(\d*)$")]
    private static partial Regex TimeName();

    /// <summary>A file named PREFIX-%Y%m%d-%H%M%S-%s.pcap[COUNT].</summary>
    private sealed record NamedFile(string Path, string Local, long Seconds, int Count)
    {
        public static NamedFile Parse(string path)
        {
            Match m = TimeName().Match(path);
            m.Success.Should().BeTrue($"{path} is a -G name");
            int count = m.Groups[3].Value.Length == 0 ? 0 : int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture);
            return new NamedFile(path, m.Groups[1].Value, long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture), count);
        }
    }
}
