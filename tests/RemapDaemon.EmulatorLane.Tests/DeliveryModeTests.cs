using System.Buffers.Binary;
using System.Text.RegularExpressions;
using RemapDaemon.EmulatorLane.Tests.Support;
using RemapDaemon.Tests.Support;

namespace RemapDaemon.EmulatorLane.Tests;

/// <summary>
/// Issue 3: every delivery mode writes the same capture as the bounce mode for the same input:
/// a pcap replay of frames of 14..65535 bytes gives byte-identical files, and the synthetic
/// source gives identical packet bytes (its time stamps are taken at generation). The summary
/// shows which path carried the packets.
/// </summary>
public sealed partial class DeliveryModeTests
{
    public static TheoryData<string> Modes => new() { "ring", "remap", "adaptive" };

    [Theory]
    [MemberData(nameof(Modes))]
    public void A_pcap_replay_is_byte_identical_to_the_bounce_mode(string mode)
    {
        using var lane = new Lane();
        string input = lane.PathOf("input.pcap");
        WriteInput(input, packets: 120);

        ToolResult bounce = Lane.Remapd("--source", $"pcap:{input}", "--mode", "bounce", "-w", lane.PathOf("bounce.pcap"), "-q");
        ToolResult other = Lane.Remapd("--source", $"pcap:{input}", "--mode", mode, "--copy-threshold", mode == "adaptive" ? "8192" : "0",
            "-w", lane.PathOf($"{mode}.pcap"), "-q");

        bounce.ExitCode.Should().Be(0, bounce.ToString());
        other.ExitCode.Should().Be(0, other.ToString());
        Lane.SummaryPackets(other.Stderr).Should().Be(120);
        File.ReadAllBytes(lane.PathOf($"{mode}.pcap")).Should().Equal(File.ReadAllBytes(lane.PathOf("bounce.pcap")));

        Delivery(bounce.Stderr).Should().Be(("bounce", 0, 0, 120));
        (string Mode, long Copied, long Remapped, long Bounced) d = Delivery(other.Stderr);
        d.Mode.Should().Be(mode);
        (d.Copied + d.Remapped + d.Bounced).Should().Be(120);
        switch (mode)
        {
            case "ring":
                d.Copied.Should().Be(120);
                break;
            case "remap":
                // Frames of at least 128 + 4096 bytes have whole frag pages: inserted as they are.
                d.Remapped.Should().BeGreaterThan(0);
                d.Copied.Should().Be(0);
                break;
            default:
                d.Copied.Should().BeGreaterThan(0, "frames below 8192 bytes go to the ring");
                d.Remapped.Should().BeGreaterThan(0, "frames from 8192 bytes are remapped");
                break;
        }
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void Synthetic_packets_are_identical_to_the_bounce_mode(string mode)
    {
        using var lane = new Lane();
        const string Source = "synthetic:count=300,min=4000,max=9000,lossless=1";

        ToolResult bounce = Lane.Remapd("--source", Source, "--mode", "bounce", "-w", lane.PathOf("bounce.pcap"), "-q");
        ToolResult other = Lane.Remapd("--source", Source, "--mode", mode, "-w", lane.PathOf($"{mode}.pcap"), "-q");

        bounce.ExitCode.Should().Be(0, bounce.ToString());
        other.ExitCode.Should().Be(0, other.ToString());
        List<byte[]> want = Records(lane.PathOf("bounce.pcap"));
        List<byte[]> got = Records(lane.PathOf($"{mode}.pcap"));
        want.Should().HaveCount(300);
        got.Should().HaveCount(300);
        for (int i = 0; i < want.Count; i++)
        {
            got[i].Should().Equal(want[i], $"packet {i}");
        }
    }

    [Fact]
    public void Scatter_packets_are_written_from_their_segments_byte_identical_to_bounce()
    {
        using var lane = new Lane();
        string input = lane.PathOf("input.pcap");
        WriteInput(input, packets: 120);

        ToolResult bounce = Lane.Remapd("--source", $"pcap:{input}", "--mode", "bounce", "-w", lane.PathOf("bounce.pcap"), "-q");
        // The emulator's test knob: REMAP packets as SCATTER (head, inserted pages, tail).
        using ProgramRunner.RunningProgram running = ProgramRunner.Start(ProgramRunner.Remapd,
            new Dictionary<string, string> { ["SKBREMAP_EMU_SCATTER"] = "1" },
            "--backend", "emulator", "--source", $"pcap:{input}", "--mode", "remap", "-w", lane.PathOf("scatter.pcap"), "-q");
        ToolResult scatter = running.WaitForExit(Lane.Timeout);

        bounce.ExitCode.Should().Be(0, bounce.ToString());
        scatter.ExitCode.Should().Be(0, scatter.ToString());
        Delivery(scatter.Stderr).Remapped.Should().BeGreaterThan(0);
        File.ReadAllBytes(lane.PathOf("scatter.pcap")).Should().Equal(File.ReadAllBytes(lane.PathOf("bounce.pcap")));
    }

    /// <summary>Each record of a pcap file without its time stamp: lengths and bytes.</summary>
    private static List<byte[]> Records(string path)
    {
        byte[] file = File.ReadAllBytes(path);
        var records = new List<byte[]>();
        int at = 24;
        while (at + 16 <= file.Length)
        {
            int caplen = (int)BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(at + 8));
            records.Add(file.AsSpan(at + 8, 8 + caplen).ToArray());
            at += 16 + caplen;
        }

        return records;
    }

    private static (string Mode, long Copied, long Remapped, long Bounced) Delivery(string stderr)
    {
        Match m = DeliveryLine().Match(stderr);
        m.Success.Should().BeTrue(stderr);
        return (m.Groups[1].Value, long.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture),
            long.Parse(m.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture),
            long.Parse(m.Groups[4].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"delivery: mode (\w+), copy threshold \d+ bytes; (\d+) copied into the ring, (\d+) remapped \(\d+ packet pages inserted\), (\d+) bounced")]
    private static partial Regex DeliveryLine();

    /// <summary>A nanosecond pcap of Ethernet frames of 14..65535 bytes, EtherType 0x88b5, a byte pattern per packet.</summary>
    private static void WriteInput(string path, int packets)
    {
        using var file = new FileStream(path, FileMode.Create);
        Span<byte> header = stackalloc byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(header, 0xa1b23c4d);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], 4);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], 262144);
        BinaryPrimitives.WriteUInt32LittleEndian(header[20..], 1);
        file.Write(header);

        Span<byte> record = stackalloc byte[16];
        for (int i = 0; i < packets; i++)
        {
            int length = i switch { 0 => 14, 1 => 65535, 2 => 4096 + 128, 3 => 4096 + 127, _ => 14 + (i * 7919 % 65522) };
            var frame = new byte[length];
            frame[5] = 1;
            frame[10] = (byte)(i >> 8);
            frame[11] = (byte)i;
            frame[12] = 0x88;
            frame[13] = 0xb5;
            for (int b = 14; b < length; b++)
            {
                frame[b] = (byte)((i * 31) + (b * 7) + (b >> 12));
            }

            long ns = 1_700_000_000_000_000_000L + (i * 1_500_123L);
            BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)(ns / 1_000_000_000));
            BinaryPrimitives.WriteUInt32LittleEndian(record[4..], (uint)(ns % 1_000_000_000));
            BinaryPrimitives.WriteUInt32LittleEndian(record[8..], (uint)length);
            BinaryPrimitives.WriteUInt32LittleEndian(record[12..], (uint)length);
            file.Write(record);
            file.Write(frame);
        }
    }
}
