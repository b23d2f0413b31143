using System.Buffers.Binary;
using RemapDaemon.EmulatorLane.Tests.Support;
using RemapDaemon.Tests.Support;

namespace RemapDaemon.EmulatorLane.Tests;

/// <summary>pcap in, through the emulator's replay source and remapd, pcap out: the same packets as tcpdump reads them.</summary>
public sealed class PcapReplayTests
{
    [Fact]
    public void A_replayed_pcap_comes_out_packet_for_packet_identical_as_tcpdump_reads_both()
    {
        using var lane = new Lane();
        string input = lane.PathOf("input.pcap");
        string output = lane.PathOf("replayed.pcap");
        WriteInput(input, packets: 600);

        ToolResult r = Lane.Remapd("--source", $"pcap:{input}", "-w", output, "-q");

        r.ExitCode.Should().Be(0, r.ToString());
        Lane.SummaryPackets(r.Stderr).Should().Be(600);
        ToolResult expected = TcpdumpText.Read(input);
        ToolResult actual = TcpdumpText.Read(output);
        expected.ExitCode.Should().Be(0, expected.ToString());
        actual.ExitCode.Should().Be(0, actual.ToString());
        List<string> want = TcpdumpText.Packets(expected.Stdout);
        List<string> got = TcpdumpText.Packets(actual.Stdout);
        want.Should().HaveCount(600);
        got.Should().HaveCount(600);
        for (int i = 0; i < want.Count; i++)
        {
            got[i].Should().Be(want[i], $"packet {i} (time stamp, length and every byte)");
        }
    }

    [Fact]
    public void An_empty_record_is_reported_as_an_empty_record_not_replayed_never_as_too_big()
    {
        using var lane = new Lane();
        string input = lane.PathOf("empty-record.pcap");
        string output = lane.PathOf("replayed.pcap");
        WriteInput(input, packets: 3);
        using (var file = new FileStream(input, FileMode.Append))
        {
            Span<byte> record = stackalloc byte[16];
            BinaryPrimitives.WriteUInt32LittleEndian(record, 1_700_000_001); // caplen 0, len 0
            file.Write(record);
        }

        ToolResult r = Lane.Remapd("--source", $"pcap:{input}", "-w", output, "-q");

        r.ExitCode.Should().Be(0, "the file's empty record is reported, not an error; " + r);
        r.Stderr.Should().Contain("no memory 0, too big 0, memory limit 0, output too slow 0)").And.NotContain("nothing lost");
        r.Stderr.Should().MatchRegex(@"remapd: lost 1 packets: 0 queue full, 0 no window, 0 no memory, 0 too big, 0 memory limit, 0 output too slow, 1 empty pcap records \(no bytes\) not replayed");
        Lane.SummaryStats(r.Stderr).Seen.Should().Be(3);
        Lane.CapinfosCount(output).Should().Be(3);
    }

    /// <summary>
    /// A microsecond pcap (the classic format tcpdump writes) of Ethernet frames of 14..9014
    /// bytes, EtherType 0x88b5 (IEEE local experimental, so tcpdump prints them raw), a byte
    /// pattern per packet, time stamps 1.5 ms apart.
    /// </summary>
    private static void WriteInput(string path, int packets)
    {
        using var file = new FileStream(path, FileMode.Create);
        Span<byte> header = stackalloc byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(header, 0xa1b2c3d4);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], 4);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], 65535);
        BinaryPrimitives.WriteUInt32LittleEndian(header[20..], 1); // LINKTYPE_ETHERNET
        file.Write(header);

        Span<byte> record = stackalloc byte[16];
        for (int i = 0; i < packets; i++)
        {
            int length = 14 + (i * 997 % 9001);
            var frame = new byte[length];
            byte[] dst = [0x02, 0, 0, 0, 0, 0x01];
            byte[] src = [0x02, 0, 0, 0, (byte)(i >> 8), (byte)i];
            dst.CopyTo(frame, 0);
            src.CopyTo(frame, 6);
            frame[12] = 0x88;
            frame[13] = 0xb5;
            for (int b = 14; b < length; b++)
            {
                frame[b] = (byte)((i * 31) + (b * 7));
            }

            long us = 1_700_000_000_000_000L + (i * 1500L);
            BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)(us / 1_000_000));
            BinaryPrimitives.WriteUInt32LittleEndian(record[4..], (uint)(us % 1_000_000));
            BinaryPrimitives.WriteUInt32LittleEndian(record[8..], (uint)length);
            BinaryPrimitives.WriteUInt32LittleEndian(record[12..], (uint)length);
            file.Write(record);
            file.Write(frame);
        }
    }
}
