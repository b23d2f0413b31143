using System.Globalization;
using RemapDaemon.Output;
using RemapDaemon.Output.Pcap;
using RemapDaemon.Protocol;
using RemapDaemon.Tests.Protocol;
using RemapDaemon.Tests.Support;

namespace RemapDaemon.Tests.Output;

/// <summary>
/// Rotation by size, time and file count: no packet is split or lost at a file boundary (the
/// files read back in order, by our reader and by tcpdump, are the input), every file is valid
/// on its own (capinfos), and the names are tcpdump's.
/// </summary>
public sealed class RotatingWriterTests : IDisposable
{
    private const ulong T0 = 1_700_000_000_000_000_000;

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("remapd-rotate-");

    public void Dispose() => _dir.Delete(recursive: true);

    /// <summary>Packets of 42..1514 bytes, 10 ms apart, each recognisable by its seed and timestamp.</summary>
    private static List<(byte[] Data, ulong Ts)> Input(int count, ulong spacingNs = 10_000_000)
    {
        var rng = new Random(count);
        return [.. Enumerable.Range(0, count).Select(i => (Frames.Udp(rng.Next(42, 1515), (byte)i), T0 + ((ulong)i * spacingNs)))];
    }

    private string Base(string name) => Path.Combine(_dir.FullName, name);

    private static RotatingWriter WriteAll(CaptureFileOptions options, List<(byte[] Data, ulong Ts)> input)
    {
        var w = new RotatingWriter(options);
        foreach ((byte[] data, ulong ts) in input)
        {
            w.Write(new CapturedPacket { Data = data, WireLength = (uint)data.Length, TimestampNs = ts, IfIndex = 1 });
        }

        w.Dispose();
        return w;
    }

    /// <summary>The files in the order they were written: sequence 0, 1, 2, ... as named.</summary>
    private static List<string> FilesInOrder(string basePath, long files, int fileCount = 0)
    {
        long first = fileCount > 0 ? Math.Max(0, files - fileCount) : 0;
        var paths = new List<string>();
        for (long s = first; s < files; s++)
        {
            paths.Add(RotatingWriter.FileName(basePath, s, fileCount));
        }

        return paths;
    }

    [Theory]
    [InlineData(CaptureFileFormat.Pcap)]
    [InlineData(CaptureFileFormat.PcapNg)]
    public void Size_rotation_splits_only_between_packets_and_loses_none(CaptureFileFormat format)
    {
        List<(byte[] Data, ulong Ts)> input = Input(600);
        string basePath = Base("size.cap");
        const long limit = 80_000;

        RotatingWriter w = WriteAll(new CaptureFileOptions { Path = basePath, Format = format, RotateBytes = limit }, input);

        List<string> files = FilesInOrder(basePath, w.FilesOpened);
        files.Should().HaveCountGreaterThan(5);
        Directory.GetFiles(_dir.FullName).Should().HaveCount(files.Count);
        w.PacketsWritten.Should().Be(input.Count);
        w.BytesWritten.Should().Be(files.Sum(f => new FileInfo(f).Length));

        var readBack = new List<(byte[] Data, ulong Ts)>();
        foreach (string f in files)
        {
            ToolResult dump = ExternalTool.Run("tcpdump", "-r", f, "-nn", "--time-stamp-precision=nano", "-tt");
            dump.ExitCode.Should().Be(0, "{0}", dump);
            List<(byte[], ulong)> records = ReadWithTshark(f);
            records.Should().NotBeEmpty("no file is empty");
            Lines(dump.Stdout).Should().HaveCount(records.Count, "tcpdump sees the same packets in {0}", f);
            readBack.AddRange(records);
        }

        readBack.Select(r => r.Ts).Should().Equal(input.Select(i => i.Ts), "the union of the files is the input, in order");
        readBack.Select(r => Convert.ToHexString(r.Data)).Should().Equal(input.Select(i => Convert.ToHexString(i.Data)));
    }

    [Fact]
    public void Size_rotation_happens_once_a_file_exceeds_the_limit_as_tcpdump_does()
    {
        List<(byte[] Data, ulong Ts)> input = Input(400);
        string basePath = Base("limit.pcap");
        const long limit = 25_000;

        RotatingWriter w = WriteAll(new CaptureFileOptions { Path = basePath, RotateBytes = limit }, input);

        List<string> files = FilesInOrder(basePath, w.FilesOpened);
        foreach (string f in files.SkipLast(1))
        {
            List<PcapRecord> records = PcapReader.ReadFile(f);
            long size = new FileInfo(f).Length;
            long lastRecord = PcapFormat.RecordHeaderSize + records[^1].Data.Length;
            size.Should().BeGreaterThan(limit, "{0} was closed only once larger than -C", f);
            (size - lastRecord).Should().BeLessThanOrEqualTo(limit, "{0} took its last packet while not yet over -C", f);
        }

        files.SelectMany(PcapReader.ReadFile).Select(r => r.TimestampNs).Should().Equal(input.Select(i => i.Ts));
    }

    [Fact]
    public void Every_rotated_file_is_valid_for_capinfos_and_the_counts_add_up()
    {
        List<(byte[] Data, ulong Ts)> input = Input(300);
        string basePath = Base("caps.pcapng");

        RotatingWriter w = WriteAll(new CaptureFileOptions { Path = basePath, Format = CaptureFileFormat.PcapNg, RotateBytes = 30_000 }, input);

        long total = 0;
        foreach (string f in FilesInOrder(basePath, w.FilesOpened))
        {
            ToolResult r = ExternalTool.Run("capinfos", "-M", "-c", "-t", f);
            r.ExitCode.Should().Be(0, "{0}", r);
            r.Stdout.Should().Contain("pcapng", "{0}", r);
            string count = Lines(r.Stdout).Single(l => l.StartsWith("Number of packets:", StringComparison.Ordinal));
            total += long.Parse(count.Split(':')[1].Trim(), CultureInfo.InvariantCulture);
        }

        total.Should().Be(input.Count);
    }

    [Fact]
    public void Time_rotation_starts_a_file_when_a_packet_is_g_seconds_after_the_files_first()
    {
        // 100 packets 250 ms apart: 25 s; -G 3 gives files of 12 packets (0..2.75 s after their first).
        List<(byte[] Data, ulong Ts)> input = Input(100, spacingNs: 250_000_000);
        string basePath = Base("time.pcap");

        RotatingWriter w = WriteAll(new CaptureFileOptions { Path = basePath, RotateSeconds = 3 }, input);

        List<List<PcapRecord>> files = [.. FilesInOrder(basePath, w.FilesOpened).Select(PcapReader.ReadFile)];
        files.Select(f => f.Count).Should().Equal(12, 12, 12, 12, 12, 12, 12, 12, 4);
        foreach (List<PcapRecord> f in files)
        {
            (f[^1].TimestampNs - f[0].TimestampNs).Should().BeLessThan(3_000_000_000UL);
        }

        files.SelectMany(f => f).Select(r => r.TimestampNs).Should().Equal(input.Select(i => i.Ts));
    }

    [Fact]
    public void A_file_count_keeps_a_ring_of_the_newest_files_under_tcpdumps_padded_names()
    {
        List<(byte[] Data, ulong Ts)> input = Input(500);
        string basePath = Base("ring.pcap");

        RotatingWriter w = WriteAll(new CaptureFileOptions { Path = basePath, RotateBytes = 20_000, FileCount = 3 }, input);

        w.FilesOpened.Should().BeGreaterThan(6, "the ring wrapped at least twice");
        Directory.GetFiles(_dir.FullName).Select(Path.GetFileName).Should().BeEquivalentTo(["ring.pcap0", "ring.pcap1", "ring.pcap2"]);
        List<PcapRecord> kept = [.. FilesInOrder(basePath, w.FilesOpened, fileCount: 3).SelectMany(PcapReader.ReadFile)];
        kept.Select(r => r.TimestampNs).Should().Equal(input.Skip(input.Count - kept.Count).Select(i => i.Ts), "the ring holds the newest packets, contiguous and in order");
    }

    [Theory]
    [InlineData(0, 0, "cap")]
    [InlineData(1, 0, "cap1")]
    [InlineData(12, 0, "cap12")]
    [InlineData(0, 1, "cap")]
    [InlineData(5, 1, "cap")]
    [InlineData(0, 10, "cap0")]
    [InlineData(13, 10, "cap3")]
    [InlineData(7, 11, "cap07")]
    [InlineData(0, 100, "cap00")]
    [InlineData(99, 100, "cap99")]
    [InlineData(100, 101, "cap100")]
    public void File_names_follow_tcpdumps_makefilename(long sequence, int fileCount, string expected)
    {
        RotatingWriter.FileName("cap", sequence, fileCount).Should().Be(expected);
    }

    [Fact]
    public void Drops_go_into_the_statistics_of_every_pcapng_file_opened_after_they_were_set()
    {
        string basePath = Base("drops.pcapng");
        var w = new RotatingWriter(new CaptureFileOptions { Path = basePath, Format = CaptureFileFormat.PcapNg, RotateBytes = 1 });
        byte[] frame = Frames.Udp(100);
        w.SetInterfaceDrops(1, 5);
        w.Write(new CapturedPacket { Data = frame, WireLength = 100, TimestampNs = T0, IfIndex = 1 });
        w.SetInterfaceDrops(1, 9);
        w.Write(new CapturedPacket { Data = frame, WireLength = 100, TimestampNs = T0 + 1, IfIndex = 1 });
        w.Dispose();

        w.FilesOpened.Should().Be(2);
        IfDrop(basePath).Should().Be(9, "the running total when the first file closed");
        IfDrop(basePath + "1").Should().Be(9);
    }

    [Fact]
    public void Writing_without_rotating_allocates_nothing()
    {
        string basePath = Base("alloc.pcap");
        using var w = new RotatingWriter(new CaptureFileOptions { Path = basePath, RotateBytes = long.MaxValue, RotateSeconds = 1_000_000 });
        byte[] frame = Frames.Udp(600);
        w.Write(new CapturedPacket { Data = frame, WireLength = 600, TimestampNs = T0, IfIndex = 1 });

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
        {
            w.Write(new CapturedPacket { Data = frame, WireLength = 600, TimestampNs = T0 + (ulong)i, IfIndex = 1 });
        }

        (GC.GetAllocatedBytesForCurrentThread() - before).Should().Be(0);
    }

    [Fact]
    public void G_names_every_file_after_the_local_time_its_interval_started_as_date_prints_it()
    {
        // 100 packets 250 ms apart, -G 3: intervals start at packets 0, 12, 24, ... (a replay of
        // the past: the first interval starts at the first packet, not at the capture's start).
        List<(byte[] Data, ulong Ts)> input = Input(100, spacingNs: 250_000_000);
        const string Name = "g-%Y%m%d-%H%M%S.pcap";

        RotatingWriter w = WriteAll(new CaptureFileOptions { Path = Base(Name), RotateSeconds = 3 }, input);

        string[] expected = [.. Enumerable.Range(0, 9).Select(k => DateName(Name, input[k * 12].Ts))];
        expected.Should().OnlyHaveUniqueItems();
        w.FilesOpened.Should().Be(9);
        FileNames().Should().BeEquivalentTo(expected);
        List<List<PcapRecord>> files = [.. expected.Select(f => PcapReader.ReadFile(Base(f)))];
        files.Select(f => f.Count).Should().Equal(12, 12, 12, 12, 12, 12, 12, 12, 4);
        files.SelectMany(f => f).Select(r => r.TimestampNs).Should().Equal(input.Select(i => i.Ts), "no packet lost or repeated at a boundary");
        foreach ((List<PcapRecord> records, string name) in files.Zip(expected))
        {
            DateName(Name, records[0].TimestampNs).Should().Be(name, "a file's name is the time of its first packet's second");
        }
    }

    [Fact]
    public void A_name_that_comes_again_gets_a_count_instead_of_overwriting_the_file_that_has_it()
    {
        // -G 1 with minutes only: the five intervals of these 5 s share one name, which tcpdump
        // would overwrite every second. Here they are NAME, NAME1, ..., NAME4.
        List<(byte[] Data, ulong Ts)> input = Input(50, spacingNs: 100_000_000);
        const string Name = "m-%H%M.pcap";
        string name = DateName(Name, input[0].Ts);
        DateName(Name, input[^1].Ts).Should().Be(name, "the input lies within one minute");

        RotatingWriter w = WriteAll(new CaptureFileOptions { Path = Base(Name), RotateSeconds = 1 }, input);

        w.FilesOpened.Should().Be(5);
        FileNames().Should().BeEquivalentTo([name, name + "1", name + "2", name + "3", name + "4"]);
        List<List<PcapRecord>> files = [.. new[] { "", "1", "2", "3", "4" }.Select(n => PcapReader.ReadFile(Base(name + n)))];
        files.Should().OnlyContain(f => f.Count == 10);
        files.SelectMany(f => f).Select(r => r.TimestampNs).Should().Equal(input.Select(i => i.Ts));
    }

    [Fact]
    public void G_with_a_name_without_time_conversions_numbers_the_files_where_tcpdump_overwrites_one()
    {
        List<(byte[] Data, ulong Ts)> input = Input(30, spacingNs: 100_000_000);

        RotatingWriter w = WriteAll(new CaptureFileOptions { Path = Base("100%%.pcap"), RotateSeconds = 1 }, input);

        // strftime still runs, as tcpdump's does: %% is a literal %.
        w.FilesOpened.Should().Be(3);
        FileNames().Should().BeEquivalentTo(["100%.pcap", "100%.pcap1", "100%.pcap2"]);
        new[] { "", "1", "2" }.SelectMany(n => PcapReader.ReadFile(Base("100%.pcap" + n))).Select(r => r.TimestampNs)
            .Should().Equal(input.Select(i => i.Ts));
    }

    [Fact]
    public void G_with_C_counts_the_size_rotations_of_an_interval_from_its_name_as_tcpdump_does()
    {
        // -G 2 -C 10 kB: each 2 s interval holds 20 packets of 1000..1514 bytes, 2 or 3 files.
        var rng = new Random(7);
        List<(byte[] Data, ulong Ts)> input = [.. Enumerable.Range(0, 60)
            .Select(i => (Frames.Udp(rng.Next(1000, 1515), (byte)i), T0 + ((ulong)i * 100_000_000)))];
        const string Name = "gc-%H%M%S.pcap";

        RotatingWriter w = WriteAll(new CaptureFileOptions { Path = Base(Name), RotateSeconds = 2, RotateBytes = 10_000 }, input);

        var readBack = new List<ulong>();
        for (int interval = 0; interval < 3; interval++)
        {
            string name = DateName(Name, input[interval * 20].Ts);
            string[] files = [.. FileNames().Where(f => f == name || (f.StartsWith(name, StringComparison.Ordinal) && f[name.Length..].All(char.IsAsciiDigit)))];
            files.Length.Should().BeGreaterThan(1, "interval {0} ({1}) rotated by size too", interval, name);
            string[] inOrder = [name, .. Enumerable.Range(1, files.Length - 1).Select(n => name + n.ToString(CultureInfo.InvariantCulture))];
            files.Should().BeEquivalentTo(inOrder);
            List<PcapRecord> records = [.. inOrder.SelectMany(f => PcapReader.ReadFile(Base(f)))];
            records.Select(r => r.TimestampNs).Should().Equal(input.Skip(interval * 20).Take(20).Select(i => i.Ts),
                "interval {0} holds its own 20 packets, in order, across its files", interval);
            readBack.AddRange(records.Select(r => r.TimestampNs));
        }

        readBack.Should().Equal(input.Select(i => i.Ts));
        w.FilesOpened.Should().Be(FileNames().Length);
    }

    [Fact]
    public void G_with_C_and_W_keeps_a_ring_of_W_padded_names_per_interval()
    {
        var rng = new Random(8);
        List<(byte[] Data, ulong Ts)> input = [.. Enumerable.Range(0, 80)
            .Select(i => (Frames.Udp(rng.Next(1000, 1515), (byte)i), T0 + ((ulong)i * 50_000_000)))];
        const string Name = "ring-%H%M%S.pcap";

        RotatingWriter w = WriteAll(new CaptureFileOptions { Path = Base(Name), RotateSeconds = 2, RotateBytes = 5_000, FileCount = 3 }, input);

        string first = DateName(Name, input[0].Ts);
        string second = DateName(Name, input[40].Ts);
        w.FilesOpened.Should().BeGreaterThan(6, "each interval wrapped its ring");
        FileNames().Should().BeEquivalentTo([first + "0", first + "1", first + "2", second + "0", second + "1", second + "2"]);
    }

    [Fact]
    public void G_with_W_and_no_C_stops_taking_packets_after_W_files_as_tcpdump_exits()
    {
        List<(byte[] Data, ulong Ts)> input = Input(40, spacingNs: 250_000_000); // 10 s
        var w = new RotatingWriter(new CaptureFileOptions { Path = Base("stop-%H%M%S.pcap"), RotateSeconds = 2, FileCount = 3 });
        int written = 0;
        foreach ((byte[] data, ulong ts) in input)
        {
            var packet = new CapturedPacket { Data = data, WireLength = (uint)data.Length, TimestampNs = ts, IfIndex = 1 };
            if (!w.Accepts(packet))
            {
                ulong refused = ts;
                FluentActions.Invoking(() => w.Write(new CapturedPacket { Data = data, WireLength = (uint)data.Length, TimestampNs = refused, IfIndex = 1 }))
                    .Should().Throw<InvalidOperationException>("writing past the limit is a bug of the caller");
                break;
            }

            w.Write(packet);
            written++;
        }

        w.Dispose();

        written.Should().Be(24, "3 intervals of 2 s, 8 packets each; the 25th would open a fourth file");
        w.FilesOpened.Should().Be(3);
        FileNames().Should().HaveCount(3);
        FileNames().Order(StringComparer.Ordinal).SelectMany(f => PcapReader.ReadFile(Base(f))).Select(r => r.TimestampNs)
            .Should().Equal(input.Take(24).Select(i => i.Ts));
    }

    [Fact]
    public void The_first_file_is_named_after_the_capture_start_when_its_first_packet_falls_in_the_first_interval()
    {
        // As tcpdump: the first interval starts with the capture, and so does the first name.
        ulong start = T0 - 2_500_000_000; // 2.5 s before the first packet
        List<(byte[] Data, ulong Ts)> input = Input(40, spacingNs: 250_000_000);
        const string Name = "start-%H%M%S.pcap";

        RotatingWriter w = WriteAll(new CaptureFileOptions { Path = Base(Name), RotateSeconds = 5, StartTimeNs = start }, input);

        string firstName = DateName(Name, start);
        PcapReader.ReadFile(Base(firstName)).Should().HaveCount(10, "the interval of the start ends 5 s after it, 2.5 s into the packets");
        PcapReader.ReadFile(Base(DateName(Name, input[10].Ts))).Should().HaveCount(20);
        w.FilesOpened.Should().Be(3);
    }

    [Theory]
    [InlineData(true)]   // a replay of packets older than the capture
    [InlineData(false)]  // the first packet only after more than -G seconds of silence
    public void When_the_first_packet_is_outside_the_first_interval_the_still_empty_first_file_is_renamed_after_it(bool replay)
    {
        ulong start = replay ? T0 + 3_600_000_000_000 : T0 - 7_500_000_000;
        List<(byte[] Data, ulong Ts)> input = Input(20, spacingNs: 250_000_000);
        const string Name = "first-%Y%m%d-%H%M%S.pcap";

        RotatingWriter w = WriteAll(new CaptureFileOptions { Path = Base(Name), RotateSeconds = 5, StartTimeNs = start }, input);

        DateName(Name, start).Should().NotBe(DateName(Name, T0));
        FileNames().Should().Equal([DateName(Name, T0)], "no file is named after a time later than its first packet, and none is left empty");
        PcapReader.ReadFile(Base(DateName(Name, T0))).Select(r => r.TimestampNs).Should().Equal(input.Select(i => i.Ts));
        w.FilesOpened.Should().Be(1);
        w.CurrentPath.Should().Be(Base(DateName(Name, T0)));
    }

    private string[] FileNames() => [.. Directory.GetFiles(_dir.FullName).Select(f => Path.GetFileName(f)!)];

    /// <summary>date(1)'s expansion of <paramref name="name"/> for the second of <paramref name="timestampNs"/>, in this process's time zone.</summary>
    private static string DateName(string name, ulong timestampNs)
    {
        ToolResult r = ExternalTool.Run("date", "-d", $"@{timestampNs / 1_000_000_000}", $"+{name}");
        r.ExitCode.Should().Be(0, r.ToString());
        return r.Stdout.TrimEnd('\n');
    }

    private static ulong IfDrop(string path)
    {
        PcapNg.PcapNgBlock isb = PcapNg.PcapNgBlocks.Read(File.ReadAllBytes(path)).Single(b => b.Type == 5);
        return BitConverter.ToUInt64(isb.Option(12, 5));
    }

    /// <summary>Timestamp and bytes of every packet as tshark reads them (works for pcap and pcapng alike).</summary>
    private static List<(byte[] Data, ulong Ts)> ReadWithTshark(string path)
    {
        ToolResult r = ExternalTool.Run("tshark", "-r", path, "-T", "fields", "-E", "separator=|", "-e", "frame.time_epoch", "-e", "frame.cap_len");
        r.ExitCode.Should().Be(0, "{0}", r);
        ToolResult hex = ExternalTool.Run("tshark", "-r", path, "-T", "ek", "-x");
        hex.ExitCode.Should().Be(0, "{0}", hex);
        List<string> raw = [.. Lines(hex.Stdout).Where(l => l.Contains("\"frame_raw\"", StringComparison.Ordinal))
            .Select(l => l[(l.IndexOf("\"frame_raw\":\"", StringComparison.Ordinal) + 13)..])
            .Select(l => l[..l.IndexOf('"', StringComparison.Ordinal)])];
        List<string> rows = [.. Lines(r.Stdout)];
        raw.Should().HaveCount(rows.Count);
        return [.. rows.Select((row, i) =>
        {
            string[] seconds = row.Split('|')[0].Split('.');
            ulong ts = (ulong.Parse(seconds[0], CultureInfo.InvariantCulture) * 1_000_000_000UL) + ulong.Parse(seconds[1], CultureInfo.InvariantCulture);
            return (Convert.FromHexString(raw[i]), ts);
        })];
    }

    private static IEnumerable<string> Lines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r'));
}
