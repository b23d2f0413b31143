using System.Globalization;
using System.Text.RegularExpressions;
using RemapDaemon.Output.Pcap;
using RemapDaemon.Protocol;
using RemapDaemon.EmulatorLane.Tests.Support;
using RemapDaemon.Tests.Support;

namespace RemapDaemon.EmulatorLane.Tests.Store;

/// <summary>
/// remapd query against tcpdump -r over the same complete files, with the same filter and the
/// same time range: packet for packet (time, lengths, every byte), through the index and
/// without it.
/// </summary>
public sealed partial class StoreQueryTests(StoreFixture store) : IClassFixture<StoreFixture>
{
    public static TheoryData<string> Expressions => [.. StoreTraffic.Expressions];

    [Fact]
    public void The_replayed_capture_lands_in_several_complete_indexed_files_named_for_their_aligned_start()
    {
        store.Capture.ExitCode.Should().Be(0, store.Capture.ToString());
        string[] files = StoreTraffic.DataFiles(store.Store);
        files.Length.Should().BeGreaterThanOrEqualTo(5, "21 s at a file per 5 s and 200 kB");
        long total = 0;
        foreach (string f in files)
        {
            File.Exists(f + ".idx").Should().BeTrue($"{f} has its index");
            List<PcapRecord> records = PcapReader.ReadFile(f);
            records.Should().NotBeEmpty();
            total += records.Count;
            ulong nameNs = NameTime(f);
            records[0].TimestampNs.Should().BeGreaterThanOrEqualTo(nameNs, "a file is named for its start, no later than its first packet");
            ulong intervalEnd = nameNs - (nameNs % 5_000_000_000) + 5_000_000_000;
            records[^1].TimestampNs.Should().BeLessThan(intervalEnd, $"{Path.GetFileName(f)} holds one clock-aligned 5 s interval");
        }

        total.Should().Be(StoreFixture.Packets);
        Directory.GetFiles(store.Store, ".*.part").Should().BeEmpty("every file was completed");
    }

    [Theory]
    [MemberData(nameof(Expressions))]
    public void A_query_writes_exactly_what_tcpdump_r_selects_from_the_files_in_the_time_range(string expression)
    {
        string[] files = StoreTraffic.DataFiles(store.Store);
        files.Should().NotBeEmpty();
        ulong from = StoreTraffic.StartNs + 7_300_000_000;
        ulong to = StoreTraffic.StartNs + 13_100_000_000;
        string scratch = Directory.CreateTempSubdirectory("remapd-query-").FullName;
        try
        {
            foreach ((ulong f, ulong t, bool index) in new[] { (0UL, ulong.MaxValue, true), (from, to, true), (from, to, false) })
            {
                string what = $"'{expression}' in [{f}, {t}) {(index ? "through the index" : "--no-index")}";
                string output = Path.Combine(scratch, $"query-{f}-{index}.pcap");
                var args = new List<string> { "query", "--store", store.Store, "-w", output };
                if (f != 0)
                {
                    args.AddRange(["--from", Epoch(f), "--to", Epoch(t)]);
                }

                if (!index)
                {
                    args.Add("--no-index");
                }

                if (expression.Length > 0)
                {
                    args.Add("--");
                    args.AddRange(TcpdumpOracle.Words(expression));
                }

                ToolResult r = ProgramRunner.Run(ProgramRunner.Remapd, Lane.Timeout, [.. args]);
                r.ExitCode.Should().Be(0, r.ToString());
                List<PcapRecord> expected = StoreTraffic.TcpdumpSelects(files, expression, f, t, scratch);
                expected.Should().NotBeEmpty($"{what}: the traffic has packets for every expression checked");
                StoreTraffic.ShouldEqual(PcapReader.ReadFile(output), expected, what);
            }
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    [Fact]
    public void A_narrow_query_reads_only_its_flows_positions_and_only_the_files_of_its_time_range()
    {
        string scratch = store.Lane.PathOf("narrow");
        Directory.CreateDirectory(scratch);
        string[] window = ["--from", "2026-12-01T12:00:11Z", "--to", "2026-12-01T12:00:12Z"];
        ToolResult indexed = ProgramRunner.Run(ProgramRunner.Remapd, Lane.Timeout, ["query", "--store", store.Store, "-w", Path.Combine(scratch, "a.pcap"), .. window, "--", "host", "2001:db8::5"]);
        ToolResult whole = ProgramRunner.Run(ProgramRunner.Remapd, Lane.Timeout, ["query", "--store", store.Store, "--no-index", "-w", Path.Combine(scratch, "b.pcap"), .. window, "--", "host", "2001:db8::5"]);
        indexed.ExitCode.Should().Be(0, indexed.ToString());
        whole.ExitCode.Should().Be(0, whole.ToString());
        QuerySummary i = Summary(indexed.Stderr);
        QuerySummary w = Summary(whole.Stderr);
        i.Packets.Should().BeInRange(14, 15, "one packet in 14 of the 200 in the second is the IPv6 UDP flow from 2001:db8::5");
        w.Packets.Should().Be(i.Packets);
        i.FlowsSkipped.Should().BeGreaterThan(0, "the index rules out the flows the filter cannot match");
        w.Examined.Should().Be(StoreFixture.Packets, "without the index every record of every file is read");
        i.Examined.Should().BeLessThan(w.Examined / 40, "the index gives the one flow's positions in the files of that second");
        i.BytesRead.Should().BeLessThan(w.BytesRead / 4, "files outside the second are not opened");
    }

    [Fact]
    public void A_bad_expression_exits_2_with_libpcaps_message_and_writes_nothing()
    {
        string output = store.Lane.PathOf("bad.pcap");
        ToolResult r = ProgramRunner.Run(ProgramRunner.Remapd, Lane.Timeout, "query", "--store", store.Store, "-w", output, "--", "tcp", "port", "eighty");
        r.ExitCode.Should().Be(2, r.ToString());
        r.Stderr.Should().Contain("remapd: error: filter 'tcp port eighty':");
        File.Exists(output).Should().BeFalse();
    }

    [Fact]
    public void An_empty_time_range_gives_a_valid_capture_file_with_no_packets()
    {
        string output = store.Lane.PathOf("empty.pcap");
        ToolResult r = ProgramRunner.Run(ProgramRunner.Remapd, Lane.Timeout, "query", "--store", store.Store, "-w", output,
            "--from", "2001-01-01T00:00:00Z", "--to", "2001-01-01T00:01:00Z");
        r.ExitCode.Should().Be(0, r.ToString());
        r.Stderr.Should().Contain("query: 0 packets written");
        ToolResult t = ExternalTool.Run("tcpdump", "-r", output);
        t.ExitCode.Should().Be(0, "tcpdump reads the empty answer: " + t);
        PcapReader.ReadFile(output).Should().BeEmpty();
    }

    [Fact]
    public void A_query_answers_in_pcapng_too_with_the_same_packets_as_tcpdump_reads_them()
    {
        string pcapng = store.Lane.PathOf("answer.pcapng");
        string pcap = store.Lane.PathOf("answer.pcap");
        ToolResult a = ProgramRunner.Run(ProgramRunner.Remapd, Lane.Timeout, "query", "--store", store.Store, "-w", pcapng, "--", "vlan");
        ToolResult b = ProgramRunner.Run(ProgramRunner.Remapd, Lane.Timeout, "query", "--store", store.Store, "-w", pcap, "--", "vlan");
        a.ExitCode.Should().Be(0, a.ToString());
        b.ExitCode.Should().Be(0, b.ToString());
        (List<string> expected, List<string> actual) = TcpdumpOracle.ReadBoth(pcap, pcapng);
        expected.Should().HaveCount(2 * StoreFixture.Packets / 14);
        TcpdumpOracle.ShouldEqual(actual, expected, "pcapng answer");
    }

    [Fact]
    public void Relative_and_rfc3339_times_are_accepted_and_a_bad_time_is_a_usage_error()
    {
        string output = store.Lane.PathOf("times.pcap");
        ToolResult ago = ProgramRunner.Run(ProgramRunner.Remapd, Lane.Timeout, "query", "--store", store.Store, "-w", output, "--from", "10m ago");
        ago.ExitCode.Should().Be(0, ago.ToString());
        ago.Stderr.Should().Contain("query: 0 packets written", "the traffic is stamped 2026-12-01T12:00Z, long before 10 minutes ago");
        ToolResult rfc = ProgramRunner.Run(ProgramRunner.Remapd, Lane.Timeout, "query", "--store", store.Store, "-w", output,
            "--from", "2026-12-01T12:00:01Z", "--to", "2026-12-01T12:00:02Z");
        rfc.ExitCode.Should().Be(0, rfc.ToString());
        PcapReader.ReadFile(output).Should().HaveCount(200, "one second at 5 ms per packet");
        ToolResult bad = ProgramRunner.Run(ProgramRunner.Remapd, Lane.Timeout, "query", "--store", store.Store, "-w", output, "--from", "yesterday-ish");
        bad.ExitCode.Should().Be(2, bad.ToString());
        bad.Stderr.Should().Contain("--from yesterday-ish: not a time");
    }

    private static string Epoch(ulong ns) => (ns / 1_000_000_000).ToString(CultureInfo.InvariantCulture) + "." + (ns % 1_000_000_000).ToString("D9", CultureInfo.InvariantCulture);

    private static ulong NameTime(string path)
    {
        Match m = NamePattern().Match(Path.GetFileName(path));
        m.Success.Should().BeTrue(path);
        DateTime t = DateTime.ParseExact(m.Groups[1].Value, "yyyyMMdd'T'HHmmss", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        return ((ulong)(t - DateTime.UnixEpoch).Ticks / 10_000_000 * 1_000_000_000) + ulong.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
    }

    internal readonly record struct QuerySummary(long Packets, long FlowsSkipped, long Examined, long BytesRead);

    internal static QuerySummary Summary(string stderr)
    {
        Match m = SummaryPattern().Match(stderr);
        m.Success.Should().BeTrue(stderr);
        long At(int g) => long.Parse(m.Groups[g].Value, CultureInfo.InvariantCulture);
        return new QuerySummary(At(1), At(2), At(3), At(4));
    }

    [GeneratedRegex(@"^(\d{8}T\d{6})\.(\d{9})Z-")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"query: (\d+) packets written; .*?, (\d+) flows skipped, (\d+) packets examined, (\d+) bytes read")]
    private static partial Regex SummaryPattern();
}
