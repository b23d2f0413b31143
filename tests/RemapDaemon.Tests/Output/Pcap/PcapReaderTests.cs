using System.Buffers.Binary;
using RemapDaemon.Output.Pcap;

namespace RemapDaemon.Tests.Output.Pcap;

/// <summary>Both magics in both byte orders are read; a malformed file is a PcapFormatException that says where and why.</summary>
public sealed class PcapReaderTests
{
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void Reads_microsecond_and_nanosecond_files_of_either_byte_order(bool nanosecond, bool bigEndian)
    {
        var f = new FileBuilder(nanosecond, bigEndian);
        f.Record(1_700_000_000, nanosecond ? 123_456_789u : 123_456u, [1, 2, 3, 4], wirelen: 60);
        f.Record(1_700_000_001, 0, [5, 6], wirelen: 2);

        using var r = new PcapReader(new MemoryStream(f.ToArray()));
        r.Nanosecond.Should().Be(nanosecond);
        r.BigEndian.Should().Be(bigEndian);
        r.VersionMajor.Should().Be(2);
        r.VersionMinor.Should().Be(4);
        r.Snaplen.Should().Be(65535);
        r.LinkType.Should().Be(1);

        var records = r.ReadAll().ToList();
        records.Should().HaveCount(2);
        records[0].TimestampNs.Should().Be(nanosecond ? 1_700_000_000_123_456_789UL : 1_700_000_000_123_456_000UL);
        records[0].CapturedLength.Should().Be(4);
        records[0].WireLength.Should().Be(60);
        records[0].Data.Should().Equal(1, 2, 3, 4);
        records[1].TimestampNs.Should().Be(1_700_000_001_000_000_000UL);
        records[1].Data.Should().Equal(5, 6);
    }

    [Fact]
    public void A_file_with_only_a_header_has_no_records() =>
        new PcapReader(new MemoryStream(new FileBuilder().ToArray())).ReadAll().Should().BeEmpty();

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(23)]
    public void A_truncated_file_header_is_refused(int length) =>
        Refused(new FileBuilder().ToArray()[..length], "truncated file header", offset: 0);

    [Theory]
    [InlineData(0x00000000u)]
    [InlineData(0x0a0d0d0au)] // pcapng section header block
    [InlineData(0xa1b2cd34u)] // Kuznetzov's modified pcap
    public void A_bad_magic_is_refused(uint magic) =>
        Refused(new FileBuilder { Magic = magic }.ToArray(), "bad magic", offset: 0);

    [Fact]
    public void Another_major_version_is_refused() =>
        Refused(new FileBuilder { Major = 1 }.ToArray(), "unsupported version 1.4", offset: 4);

    [Theory]
    [InlineData(0u)]
    [InlineData(PcapReader.MaxSnaplen + 1)]
    [InlineData(0xffffffffu)]
    public void An_insane_snaplen_is_refused(uint snaplen) =>
        Refused(new FileBuilder { Snaplen = snaplen }.ToArray(), $"insane snaplen {snaplen}", offset: 16);

    [Fact]
    public void A_caplen_above_the_snaplen_is_refused()
    {
        var f = new FileBuilder { Snaplen = 64 };
        f.Record(1, 0, new byte[64], 64);
        f.Record(1, 0, new byte[65], 65);

        Refused(f.ToArray(), "insane caplen 65: exceeds snaplen 64", offset: 24 + 16 + 64);
    }

    [Fact]
    public void A_huge_caplen_is_refused_before_anything_is_allocated()
    {
        var f = new FileBuilder();
        f.RawRecordHeader(1, 0, caplen: 0xffffffff, wirelen: 0xffffffff);

        Refused(f.ToArray(), "insane caplen 4294967295", offset: 24);
    }

    [Fact]
    public void A_caplen_above_the_wire_length_is_refused()
    {
        var f = new FileBuilder();
        f.Record(1, 0, new byte[60], wirelen: 59);

        Refused(f.ToArray(), "exceeds wire length 59", offset: 24);
    }

    [Theory]
    [InlineData(true, 1_000_000_000u)]
    [InlineData(false, 1_000_000u)]
    public void A_fraction_that_is_a_whole_second_or_more_is_refused(bool nanosecond, uint fraction)
    {
        var f = new FileBuilder(nanosecond);
        f.Record(1, fraction, [1], 1);

        Refused(f.ToArray(), $"timestamp fraction {fraction}", offset: 24);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(15)]
    public void A_truncated_record_header_is_refused(int keep)
    {
        var f = new FileBuilder();
        f.Record(1, 0, [1, 2, 3], 3);
        f.Record(2, 0, [4, 5, 6], 3);
        byte[] file = f.ToArray();

        Refused(file[..(24 + 19 + keep)], $"truncated record header: {keep} of 16 bytes", offset: 24 + 19);
    }

    [Fact]
    public void A_truncated_record_is_refused_after_the_whole_ones_were_read()
    {
        var f = new FileBuilder();
        f.Record(1, 0, [1, 2, 3], 3);
        f.Record(2, 0, new byte[100], 100);
        byte[] file = f.ToArray()[..^1];

        using var r = new PcapReader(new MemoryStream(file));
        r.TryReadNext(out PcapRecord first).Should().BeTrue();
        first.Data.Should().Equal(1, 2, 3);
        FluentActions.Invoking(() => r.TryReadNext(out _)).Should().Throw<PcapFormatException>()
            .WithMessage("*truncated record: 99 of 100 data bytes*")
            .Which.FileOffset.Should().Be(24 + 19);
    }

    private static void Refused(byte[] file, string why, long offset)
    {
        FluentActions.Invoking(() =>
        {
            using var r = new PcapReader(new MemoryStream(file));
            r.ReadAll().ToList();
        }).Should().Throw<PcapFormatException>().WithMessage($"*{why}*").Which.FileOffset.Should().Be(offset);
    }

    /// <summary>Pcap bytes by hand, in the chosen byte order, so the reader is not only tested on PcapWriter's output.</summary>
    private sealed class FileBuilder(bool nanosecond = false, bool bigEndian = false)
    {
        private readonly MemoryStream _records = new();

        public uint? Magic { get; init; }

        public ushort Major { get; init; } = 2;

        public uint Snaplen { get; init; } = 65535;

        public void Record(uint seconds, uint fraction, byte[] data, uint wirelen)
        {
            RawRecordHeader(seconds, fraction, (uint)data.Length, wirelen);
            _records.Write(data);
        }

        public void RawRecordHeader(uint seconds, uint fraction, uint caplen, uint wirelen)
        {
            Span<byte> h = stackalloc byte[16];
            U32(h, seconds);
            U32(h[4..], fraction);
            U32(h[8..], caplen);
            U32(h[12..], wirelen);
            _records.Write(h);
        }

        public byte[] ToArray()
        {
            byte[] header = new byte[24];
            U32(header, Magic ?? (nanosecond ? PcapFormat.MagicNanoseconds : PcapFormat.MagicMicroseconds));
            U16(header.AsSpan(4), Major);
            U16(header.AsSpan(6), 4);
            U32(header.AsSpan(16), Snaplen);
            U32(header.AsSpan(20), 1);
            return [.. header, .. _records.ToArray()];
        }

        private void U32(Span<byte> b, uint v)
        {
            if (bigEndian)
            {
                BinaryPrimitives.WriteUInt32BigEndian(b, v);
            }
            else
            {
                BinaryPrimitives.WriteUInt32LittleEndian(b, v);
            }
        }

        private void U16(Span<byte> b, ushort v)
        {
            if (bigEndian)
            {
                BinaryPrimitives.WriteUInt16BigEndian(b, v);
            }
            else
            {
                BinaryPrimitives.WriteUInt16LittleEndian(b, v);
            }
        }
    }
}
