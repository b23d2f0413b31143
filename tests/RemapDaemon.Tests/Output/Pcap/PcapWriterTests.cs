using System.Buffers.Binary;
using RemapDaemon.Output.Pcap;
using RemapDaemon.Protocol;
using RemapDaemon.Tests.Protocol;
using RemapDaemon.Tests.Support;
using static RemapDaemon.Protocol.Abi.Skbremap;

namespace RemapDaemon.Tests.Output.Pcap;

/// <summary>The writer's own rules, checked on the bytes it produces.</summary>
public sealed class PcapWriterTests
{
    [Fact]
    public void The_file_header_is_nanosecond_pcap_2_4_ethernet()
    {
        var ms = new MemoryStream();
        using (new PcapWriter(ms, snaplen: 1514, leaveOpen: true))
        {
        }

        byte[] h = ms.ToArray();
        h.Should().HaveCount(PcapFormat.FileHeaderSize);
        BinaryPrimitives.ReadUInt32LittleEndian(h).Should().Be(0xa1b23c4d);
        BinaryPrimitives.ReadUInt16LittleEndian(h.AsSpan(4)).Should().Be(2);
        BinaryPrimitives.ReadUInt16LittleEndian(h.AsSpan(6)).Should().Be(4);
        BinaryPrimitives.ReadUInt64LittleEndian(h.AsSpan(8)).Should().Be(0, "thiszone and sigfigs are 0");
        BinaryPrimitives.ReadUInt32LittleEndian(h.AsSpan(16)).Should().Be(1514);
        BinaryPrimitives.ReadUInt32LittleEndian(h.AsSpan(20)).Should().Be(1, "LINKTYPE_ETHERNET");
    }

    [Fact]
    public void Snaplen_0_means_whole_packets_and_is_written_as_libpcaps_maximum()
    {
        using var w = new PcapWriter(new MemoryStream(), snaplen: 0);
        w.Snaplen.Should().Be(262144);
    }

    [Fact]
    public void A_snaplen_above_libpcaps_maximum_is_refused() =>
        FluentActions.Invoking(() => new PcapWriter(new MemoryStream(), snaplen: 262145)).Should().Throw<ArgumentOutOfRangeException>();

    [Fact]
    public void A_record_header_holds_seconds_nanoseconds_caplen_and_wirelen()
    {
        byte[] frame = Frames.Udp(60);
        byte[] file = WriteOne(new CapturedPacket { Data = frame, WireLength = 60, TimestampNs = 1_700_000_000_999_999_999 });

        Span<byte> rec = file.AsSpan(PcapFormat.FileHeaderSize);
        BinaryPrimitives.ReadUInt32LittleEndian(rec).Should().Be(1_700_000_000);
        BinaryPrimitives.ReadUInt32LittleEndian(rec[4..]).Should().Be(999_999_999);
        BinaryPrimitives.ReadUInt32LittleEndian(rec[8..]).Should().Be(60);
        BinaryPrimitives.ReadUInt32LittleEndian(rec[12..]).Should().Be(60);
        rec[16..].ToArray().Should().Equal(frame);
    }

    [Fact]
    public void A_vlan_tag_from_metadata_goes_back_after_the_mac_addresses()
    {
        byte[] frame = Frames.Udp(60);
        byte[] file = WriteOne(new CapturedPacket
        {
            Data = frame, WireLength = 60, VlanTci = 0xa00a, VlanProto = 0x8100, Flags = SKBREMAP_PKT_VLAN,
        });

        PcapRecord r = ReadOne(file);
        r.CapturedLength.Should().Be(64);
        r.WireLength.Should().Be(64);
        r.Data.Should().Equal([.. frame[..12], 0x81, 0x00, 0xa0, 0x0a, .. frame[12..]]);
    }

    [Fact]
    public void A_vlan_tag_without_a_tpid_gets_802_1Q()
    {
        byte[] file = WriteOne(new CapturedPacket { Data = Frames.Udp(60), WireLength = 60, VlanTci = 5, Flags = SKBREMAP_PKT_VLAN });

        ReadOne(file).Data.AsSpan(12, 4).ToArray().Should().Equal(0x81, 0x00, 0x00, 0x05);
    }

    [Fact]
    public void A_vlan_tag_is_not_inserted_into_a_packet_shorter_than_two_mac_addresses()
    {
        byte[] file = WriteOne(new CapturedPacket { Data = new byte[11], WireLength = 60, VlanTci = 5, Flags = SKBREMAP_PKT_VLAN | SKBREMAP_PKT_TRUNCATED });

        PcapRecord r = ReadOne(file);
        r.Data.Should().HaveCount(11);
        r.WireLength.Should().Be(60);
    }

    [Fact]
    public void A_vlan_tag_is_not_inserted_for_another_link_type()
    {
        byte[] file = WriteOne(new CapturedPacket { Data = Frames.Udp(60), WireLength = 60, VlanTci = 5, Flags = SKBREMAP_PKT_VLAN }, linkType: 101);

        ReadOne(file).Data.Should().Equal(Frames.Udp(60));
    }

    [Theory]
    [InlineData(8u)]    // inside the MAC addresses
    [InlineData(14u)]   // inside the tag
    [InlineData(16u)]   // right after the tag
    [InlineData(40u)]
    public void The_snaplen_cuts_the_tagged_record_wherever_it_falls(uint snaplen)
    {
        byte[] frame = Frames.Udp(100);
        byte[] file = WriteOne(new CapturedPacket { Data = frame, WireLength = 100, VlanTci = 0x0123, VlanProto = 0x8100, Flags = SKBREMAP_PKT_VLAN }, snaplen: snaplen);

        PcapRecord r = ReadOne(file);
        byte[] tagged = [.. frame[..12], 0x81, 0x00, 0x01, 0x23, .. frame[12..]];
        r.Data.Should().Equal(tagged[..(int)snaplen]);
        r.WireLength.Should().Be(104);
    }

    [Fact]
    public void A_packet_longer_than_the_snaplen_is_cut_and_keeps_its_wire_length()
    {
        byte[] file = WriteOne(new CapturedPacket { Data = Frames.Udp(1514), WireLength = 1514 }, snaplen: 96);

        PcapRecord r = ReadOne(file);
        r.Data.Should().Equal(Frames.Udp(1514)[..96]);
        r.WireLength.Should().Be(1514);
    }

    [Fact]
    public void A_packet_with_more_bytes_than_its_wire_length_is_refused()
    {
        using var w = new PcapWriter(new MemoryStream(), 0);
        FluentActions.Invoking(() => w.Write(new CapturedPacket { Data = new byte[60], WireLength = 59 })).Should().Throw<ArgumentException>();
        w.PacketsWritten.Should().Be(0);
    }

    [Fact]
    public void Many_records_cross_the_internal_buffer_and_all_reach_the_stream_in_order()
    {
        var ms = new MemoryStream();
        using (var w = new PcapWriter(ms, 0, leaveOpen: true))
        {
            for (int i = 0; i < 500; i++)
            {
                w.Write(new CapturedPacket { Data = Frames.Udp(60 + (i * 17 % 9000), (byte)i), WireLength = (uint)(60 + (i * 17 % 9000)), TimestampNs = (ulong)i });
            }

            w.Flush();
            ms.Length.Should().Be(w.BytesWritten, "Flush hands every buffered byte to the stream");
        }

        var records = new PcapReader(new MemoryStream(ms.ToArray())).ReadAll().ToList();
        records.Should().HaveCount(500);
        for (int i = 0; i < 500; i++)
        {
            records[i].TimestampNs.Should().Be((ulong)i);
            records[i].Data.Should().Equal(Frames.Udp(60 + (i * 17 % 9000), (byte)i));
        }
    }

    [Fact]
    public async Task DisposeAsync_flushes_and_closes_the_stream()
    {
        string path = Path.Combine(Path.GetTempPath(), $"remapd-{Guid.NewGuid():N}.pcap");
        try
        {
            FileStream fs = File.Create(path);
            await using (var w = new PcapWriter(fs, 0))
            {
                w.Write(new CapturedPacket { Data = Frames.Udp(60), WireLength = 60 });
            }

            fs.CanWrite.Should().BeFalse("the writer owned the stream");
            PcapReader.ReadFile(path).Should().ContainSingle();
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Dispose_leaves_the_stream_open_when_asked_and_Write_after_it_throws()
    {
        var ms = new MemoryStream();
        var w = new PcapWriter(ms, 0, leaveOpen: true);
        w.Dispose();
        w.Dispose();

        ms.CanWrite.Should().BeTrue();
        FluentActions.Invoking(() => w.Write(new CapturedPacket { Data = new byte[60], WireLength = 60 })).Should().Throw<ObjectDisposedException>();
        FluentActions.Invoking(w.Flush).Should().Throw<ObjectDisposedException>();
    }

    [Fact]
    public void A_large_packet_goes_to_the_stream_straight_from_its_span_and_the_file_is_the_same()
    {
        byte[] small = Frames.Udp(60, 1), large = Frames.Udp(20000, 2), tagged = Frames.Udp(9000, 3);
        var recording = new WriteSizeStream();
        var copy = new MemoryStream();
        using (var w = new PcapWriter(recording, snaplen: 0, leaveOpen: true))
        {
            w.Write(new CapturedPacket { Data = small, WireLength = 60, TimestampNs = 1 });
            w.Write(new CapturedPacket { Data = large, WireLength = 20000, TimestampNs = 2 });
            w.Write(new CapturedPacket { Data = tagged, WireLength = 9000, TimestampNs = 3, VlanTci = 5, VlanProto = 0x8100, Flags = SKBREMAP_PKT_VLAN });
            w.BytesWritten.Should().Be(PcapFormat.FileHeaderSize + (3 * PcapFormat.RecordHeaderSize) + 60 + 20000 + 9004);
        }

        recording.Writes.Should().Contain(n => n == 20000, "the 20000-byte packet is one write of its own bytes, not copied into the buffer");
        recording.Writes.Should().NotContain(n => n == 9004, "a packet whose VLAN tag goes back in is assembled in the buffer");

        var reader = new PcapReader(new MemoryStream(recording.ToArray()));
        var records = new List<byte[]>();
        while (reader.TryReadNext(out PcapRecord r))
        {
            records.Add(r.Data.ToArray());
        }

        records.Should().HaveCount(3);
        records[0].Should().Equal(small);
        records[1].Should().Equal(large);
        records[2].Length.Should().Be(9004);
    }

    private static byte[] WriteOne(CapturedPacket p, uint snaplen = 0, uint linkType = 1)
    {
        var ms = new MemoryStream();
        using (var w = new PcapWriter(ms, snaplen, linkType, leaveOpen: true))
        {
            w.Write(p);
            w.PacketsWritten.Should().Be(1);
        }

        return ms.ToArray();
    }

    private static PcapRecord ReadOne(byte[] file)
    {
        using var r = new PcapReader(new MemoryStream(file));
        var records = r.ReadAll().ToList();
        records.Should().ContainSingle();
        return records[0];
    }
}
