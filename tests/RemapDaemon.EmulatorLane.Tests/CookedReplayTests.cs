using System.Buffers.Binary;
using RemapDaemon.EmulatorLane.Tests.Support;
using RemapDaemon.Tests.Support;

namespace RemapDaemon.EmulatorLane.Tests;

/// <summary>
/// A Linux cooked capture (LINKTYPE_LINUX_SLL, what 'tcpdump -i any -w' writes) replayed with
/// --source pcap: every packet comes out, outgoing ones included (lo's outgoing copies are
/// skipped only in a live capture from the network stack: a file has no second copy of them),
/// as Ethernet frames that carry the same IP packets, byte for byte, as tcpdump reads the file.
/// </summary>
public sealed class CookedReplayTests
{
    private const int Packets = 40;

    [Fact]
    public void A_cooked_capture_replays_every_packet_outgoing_ones_included_with_the_same_ip_bytes_as_tcpdump_reads_it()
    {
        using var lane = new Lane();
        string input = lane.PathOf("any.pcap");
        string output = lane.PathOf("replayed.pcap");
        WriteCooked(input);

        ToolResult r = Lane.Remapd("--source", $"pcap:{input}", "-w", output, "-q");

        r.ExitCode.Should().Be(0, r.ToString());
        r.Stderr.Should().NotContain("outgoing copies on lo skipped");
        Lane.SummaryPackets(r.Stderr).Should().Be(Packets);
        Lane.CapinfosCount(output).Should().Be(Packets);
        r.Stderr.Should().Contain("remapd: nothing lost");

        // The ABI carries no link type: the replay writes Ethernet (LINKTYPE 1) frames whose
        // source address and EtherType are the cooked header's.
        BinaryPrimitives.ReadUInt32LittleEndian(File.ReadAllBytes(output).AsSpan(20)).Should().Be(1);
        List<string> want = IpPackets(input);
        List<string> got = IpPackets(output);
        want.Should().HaveCount(Packets);
        got.Should().Equal(want, "the same time stamps, IP headers and bytes (tcpdump -x starts at the network layer)");
    }

    /// <summary>tcpdump's view from the network layer on: time, the IP line and its hex dump, one string per packet.</summary>
    private static List<string> IpPackets(string pcap)
    {
        ToolResult t = ExternalTool.Run("tcpdump", "-r", pcap, "-nn", "-tt", "-x");
        t.ExitCode.Should().Be(0, t.ToString());
        var packets = new List<string>();
        foreach (string line in t.Stdout.Split('\n'))
        {
            if (line.StartsWith('\t'))
            {
                packets[^1] += line.Trim();
            }
            else if (line.Length > 0)
            {
                int ip = line.IndexOf(" IP ", StringComparison.Ordinal);
                ip.Should().BeGreaterThan(0, line);
                packets.Add(line[..line.IndexOf(' ', StringComparison.Ordinal)] + line[ip..]);
            }
        }

        return packets;
    }

    /// <summary>Packets UDP datagrams 127.0.0.1 -> 127.0.0.1, every other one PACKET_OUTGOING, as on lo with -i any.</summary>
    private static void WriteCooked(string path)
    {
        using var file = new FileStream(path, FileMode.Create);
        Span<byte> header = stackalloc byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(header, 0xa1b2c3d4);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], 4);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], 262144);
        BinaryPrimitives.WriteUInt32LittleEndian(header[20..], 113); // LINKTYPE_LINUX_SLL
        file.Write(header);

        Span<byte> record = stackalloc byte[16];
        for (int i = 0; i < Packets; i++)
        {
            int payload = 8 + (i * 37 % 200);
            var rec = new byte[16 + 20 + 8 + payload];
            Span<byte> sll = rec.AsSpan(0, 16);
            BinaryPrimitives.WriteUInt16BigEndian(sll, (ushort)(i % 2 == 0 ? 4 : 0)); // OUTGOING, HOST
            BinaryPrimitives.WriteUInt16BigEndian(sll[2..], 772);                    // ARPHRD_LOOPBACK
            BinaryPrimitives.WriteUInt16BigEndian(sll[4..], 6);
            BinaryPrimitives.WriteUInt16BigEndian(sll[14..], 0x0800);
            Span<byte> ip = rec.AsSpan(16, 20);
            ip[0] = 0x45;
            BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(28 + payload));
            BinaryPrimitives.WriteUInt16BigEndian(ip[4..], (ushort)i);
            ip[8] = 64;
            ip[9] = 17;
            byte[] lo = [127, 0, 0, 1];
            lo.CopyTo(ip[12..]);
            lo.CopyTo(ip[16..]);
            uint sum = 0;
            for (int b = 0; b < 20; b += 2)
            {
                sum += BinaryPrimitives.ReadUInt16BigEndian(ip[b..]);
            }

            BinaryPrimitives.WriteUInt16BigEndian(ip[10..], (ushort)~((sum & 0xffff) + (sum >> 16)));
            Span<byte> udp = rec.AsSpan(36, 8);
            BinaryPrimitives.WriteUInt16BigEndian(udp, (ushort)(40000 + i));
            BinaryPrimitives.WriteUInt16BigEndian(udp[2..], 9);
            BinaryPrimitives.WriteUInt16BigEndian(udp[4..], (ushort)(8 + payload));
            for (int b = 44; b < rec.Length; b++)
            {
                rec[b] = (byte)(i + b);
            }

            long us = 1_700_000_000_000_000L + (i * 250L);
            BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)(us / 1_000_000));
            BinaryPrimitives.WriteUInt32LittleEndian(record[4..], (uint)(us % 1_000_000));
            BinaryPrimitives.WriteUInt32LittleEndian(record[8..], (uint)rec.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(record[12..], (uint)rec.Length);
            file.Write(record);
            file.Write(rec);
        }
    }
}
