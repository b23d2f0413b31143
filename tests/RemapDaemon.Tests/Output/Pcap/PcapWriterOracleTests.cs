using System.Globalization;
using RemapDaemon.Tests.Support;

namespace RemapDaemon.Tests.Output.Pcap;

/// <summary>
/// Files written by PcapWriter, read back by the independent oracles tcpdump, tshark and
/// capinfos (not only by our own reader): every byte, length and timestamp must be what was
/// written, with VLAN tags re-inserted as libpcap does. A missing tool fails the test.
/// </summary>
public sealed class PcapWriterOracleTests : IDisposable
{
    private readonly PcapTestFiles _files = new();
    private readonly IReadOnlyList<WrittenPacket> _mix = PcapTestFiles.Mix();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Tcpdump_reads_back_every_byte_and_the_microsecond_timestamps()
    {
        string file = _files.Write("mix.pcap", _mix, snaplen: 0, out _);

        ToolResult r = ExternalTool.Run("tcpdump", "-r", file, "-nn", "-tt", "-xx");

        r.ExitCode.Should().Be(0, "{0}", r);
        r.Stderr.Should().NotContainAny("truncated", "cut short", "bogus");
        List<(string Header, byte[] Bytes)> dumped = ParseTcpdumpHex(r.Stdout);
        dumped.Should().HaveCount(_mix.Count, "{0}", r);
        for (int i = 0; i < _mix.Count; i++)
        {
            WrittenPacket p = _mix[i];
            dumped[i].Header.Split(' ')[0].Should().Be(Seconds(p.TimestampNs, digits: 6), p.Name);
            dumped[i].Bytes.Should().Equal(p.ExpectedBytes(262144), p.Name);
        }
    }

    [Fact]
    public void Tcpdump_with_nanosecond_precision_shows_the_exact_timestamps()
    {
        string file = _files.Write("mix.pcap", _mix, snaplen: 0, out _);

        ToolResult r = ExternalTool.Run("tcpdump", "-r", file, "-nn", "-tt", "--time-stamp-precision=nano");

        r.ExitCode.Should().Be(0, "{0}", r);
        string[] stamps = [.. Lines(r.Stdout).Select(l => l.Split(' ')[0])];
        stamps.Should().Equal(_mix.Select(p => Seconds(p.TimestampNs, digits: 9)), "{0}", r);
    }

    [Fact]
    public void Tcpdump_decodes_the_reinserted_vlan_tags_and_the_wire_lengths()
    {
        string file = _files.Write("mix.pcap", _mix, snaplen: 0, out _);

        ToolResult r = ExternalTool.Run("tcpdump", "-r", file, "-nn", "-tt", "-e");

        r.ExitCode.Should().Be(0, "{0}", r);
        string[] lines = [.. Lines(r.Stdout)];
        lines.Should().HaveCount(_mix.Count, "{0}", r);
        lines[0].Should().Contain("ethertype IPv4 (0x0800), length 60:");
        lines[1].Should().Contain("ethertype 802.1Q (0x8100), length 102: vlan 100, p 3, ethertype IPv4 (0x0800)");
        lines[2].Should().Contain("length 1514:", "a truncated packet keeps its wire length");
        lines[3].Should().Contain("length 9014:");
        lines[4].Should().Contain("ethertype 802.1Q-QinQ (0x88a8), length 346: vlan 7, p 0, ethertype IPv4 (0x0800)");
        lines[5].Should().Contain("ethertype 802.1Q (0x8100), length 1004: vlan 4094, p 0, ethertype IPv4");
        lines[6].Should().Contain("length 42:");
    }

    [Fact]
    public void Tshark_reads_back_lengths_timestamps_and_vlan_fields()
    {
        string file = _files.Write("mix.pcap", _mix, snaplen: 0, out _);

        ToolResult r = ExternalTool.Run("tshark", "-r", file, "-T", "fields", "-E", "separator=/t",
            "-e", "frame.time_epoch", "-e", "frame.len", "-e", "frame.cap_len", "-e", "eth.type", "-e", "vlan.id", "-e", "vlan.priority");

        r.ExitCode.Should().Be(0, "{0}", r);
        string[][] rows = [.. Lines(r.Stdout).Select(l => l.Split('\t'))];
        rows.Should().HaveCount(_mix.Count, "{0}", r);
        for (int i = 0; i < _mix.Count; i++)
        {
            WrittenPacket p = _mix[i];
            rows[i][0].Should().Be(Seconds(p.TimestampNs, digits: 9), p.Name);
            rows[i][1].Should().Be(p.ExpectedWireLength.ToString(CultureInfo.InvariantCulture), p.Name);
            rows[i][2].Should().Be(p.ExpectedBytes(262144).Length.ToString(CultureInfo.InvariantCulture), p.Name);
            rows[i][3].Should().Be(p.HasVlan ? $"0x{p.VlanProto:x4}" : "0x0800", p.Name);
            if (p.HasVlan && p.VlanProto == 0x8100)
            {
                rows[i][4].Should().Be((p.VlanTci & 0xfff).ToString(CultureInfo.InvariantCulture), p.Name);
                rows[i][5].Should().Be((p.VlanTci >> 13).ToString(CultureInfo.InvariantCulture), p.Name);
            }
        }
    }

    [Fact]
    public void Tshark_hex_dump_matches_every_byte()
    {
        string file = _files.Write("mix.pcap", _mix, snaplen: 0, out _);

        ToolResult r = ExternalTool.Run("tshark", "-r", file, "-x");

        r.ExitCode.Should().Be(0, "{0}", r);
        List<byte[]> frames = ParseTsharkHex(r.Stdout);
        frames.Should().HaveCount(_mix.Count, "{0}", r);
        for (int i = 0; i < _mix.Count; i++)
        {
            frames[i].Should().Equal(_mix[i].ExpectedBytes(262144), _mix[i].Name);
        }
    }

    [Fact]
    public void Capinfos_reports_the_header_and_the_totals_that_were_written()
    {
        string file = _files.Write("mix.pcap", _mix, snaplen: 0, out long bytesWritten);

        ToolResult r = ExternalTool.Run("capinfos", "-M", file);

        r.ExitCode.Should().Be(0, "{0}", r);
        Dictionary<string, string> info = ParseCapinfos(r.Stdout);
        info["File type"].Should().Be("nsecpcap");
        info["File encapsulation"].Should().Be("ether");
        info["File timestamp precision"].Should().Be("nanoseconds (9)");
        info["Packet size limit"].Should().Be("file hdr: 262144 bytes");
        info["Number of packets"].Should().Be(_mix.Count.ToString(CultureInfo.InvariantCulture));
        info["File size"].Should().Be($"{bytesWritten} bytes");
        new FileInfo(file).Length.Should().Be(bytesWritten);
        info["Data size"].Should().Be($"{_mix.Sum(p => (long)p.ExpectedWireLength)} bytes", "capinfos sums the wire lengths");

        ToolResult times = ExternalTool.Run("capinfos", "-a", "-e", "-S", file);
        times.ExitCode.Should().Be(0, "{0}", times);
        Dictionary<string, string> t = ParseCapinfos(times.Stdout);
        t["First packet time"].Should().Be(Seconds(_mix[0].TimestampNs, digits: 9));
        t["Last packet time"].Should().Be(Seconds(_mix[^1].TimestampNs, digits: 9));
    }

    [Fact]
    public void A_snaplen_cuts_every_record_including_the_reinserted_tag_and_the_tools_agree()
    {
        const uint snaplen = 64;
        string file = _files.Write("snap64.pcap", _mix, snaplen, out _);

        ToolResult dump = ExternalTool.Run("tcpdump", "-r", file, "-nn", "-tt", "-xx");
        ToolResult caps = ExternalTool.Run("capinfos", "-M", file);
        ToolResult lens = ExternalTool.Run("tshark", "-r", file, "-T", "fields", "-e", "frame.len", "-e", "frame.cap_len");

        dump.ExitCode.Should().Be(0, "{0}", dump);
        List<(string Header, byte[] Bytes)> dumped = ParseTcpdumpHex(dump.Stdout);
        dumped.Select(d => d.Bytes).Should().BeEquivalentTo(_mix.Select(p => p.ExpectedBytes(snaplen)), o => o.WithStrictOrdering());
        ParseCapinfos(caps.Stdout)["Packet size limit"].Should().Be("file hdr: 64 bytes", "{0}", caps);
        Lines(lens.Stdout).Should().Equal(_mix.Select(p => $"{p.ExpectedWireLength}\t{Math.Min(64, p.ExpectedBytes(snaplen).Length)}"), "{0}", lens);
    }

    [Fact]
    public void Tcpdump_can_rewrite_the_file_and_our_reader_reads_its_microsecond_output()
    {
        string file = _files.Write("mix.pcap", _mix, snaplen: 0, out _);
        string copy = _files.PathOf("tcpdump-copy.pcap");

        ToolResult r = ExternalTool.Run("tcpdump", "-r", file, "-w", copy);

        r.ExitCode.Should().Be(0, "{0}", r);
        using var reader = new RemapDaemon.Output.Pcap.PcapReader(File.OpenRead(copy));
        reader.Nanosecond.Should().BeFalse("tcpdump writes microsecond files unless told otherwise");
        var records = reader.ReadAll().ToList();
        records.Should().HaveCount(_mix.Count);
        for (int i = 0; i < _mix.Count; i++)
        {
            records[i].TimestampNs.Should().Be(_mix[i].TimestampNs / 1000 * 1000);
            records[i].Data.Should().Equal(_mix[i].ExpectedBytes(262144));
            records[i].WireLength.Should().Be(_mix[i].ExpectedWireLength);
        }
    }

    /// <summary>"sec.fraction" as the tools print it, from nanoseconds, truncated to <paramref name="digits"/>.</summary>
    private static string Seconds(ulong ns, int digits)
    {
        ulong fraction = ns % 1_000_000_000 / (ulong)Math.Pow(10, 9 - digits);
        return string.Create(CultureInfo.InvariantCulture, $"{ns / 1_000_000_000}.{fraction.ToString(new string('0', digits), CultureInfo.InvariantCulture)}");
    }

    private static IEnumerable<string> Lines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r'));

    /// <summary>tcpdump -xx: a summary line per packet, then "\t0x0000:  0200 0000 ..." lines.</summary>
    private static List<(string Header, byte[] Bytes)> ParseTcpdumpHex(string stdout)
    {
        var packets = new List<(string Header, List<byte> Bytes)>();
        foreach (string line in Lines(stdout))
        {
            if (!char.IsWhiteSpace(line[0]))
            {
                packets.Add((line, []));
                continue;
            }

            string hex = line.Trim();
            hex = hex[(hex.IndexOf(':', StringComparison.Ordinal) + 1)..];
            foreach (string group in hex.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                packets[^1].Bytes.AddRange(Convert.FromHexString(group));
            }
        }

        return [.. packets.Select(p => (p.Header, p.Bytes.ToArray()))];
    }

    /// <summary>tshark -x: per frame, "0000  02 00 ...  ascii" lines; frames separated by a blank line.</summary>
    private static List<byte[]> ParseTsharkHex(string stdout)
    {
        var frames = new List<List<byte>>();
        bool inFrame = false;
        foreach (string raw in stdout.Split('\n'))
        {
            string line = raw.TrimEnd('\r');
            if (line.Length == 0)
            {
                inFrame = false;
                continue;
            }

            if (!inFrame)
            {
                frames.Add([]);
                inFrame = true;
            }

            // Offset, two spaces, up to 16 "xx" tokens, then two or more spaces and the ASCII column.
            string[] tokens = line[6..].Split(' ');
            foreach (string t in tokens)
            {
                if (t.Length == 0)
                {
                    break;
                }

                frames[^1].Add(Convert.ToByte(t, 16));
            }
        }

        return [.. frames.Select(f => f.ToArray())];
    }

    /// <summary>capinfos "Key:   value" lines (the first occurrence of a key wins).</summary>
    private static Dictionary<string, string> ParseCapinfos(string stdout)
    {
        var info = new Dictionary<string, string>();
        foreach (string line in Lines(stdout))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && !char.IsWhiteSpace(line[0]))
            {
                info.TryAdd(line[..colon].Trim(), line[(colon + 1)..].Trim());
            }
        }

        return info;
    }
}
