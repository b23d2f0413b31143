using System.Buffers;
using RemapDaemon.Output.Pcap;
using RemapDaemon.Protocol;
using static RemapDaemon.Protocol.Abi.Skbremap;

namespace RemapDaemon.Tests.Protocol;

/// <summary>
/// SCATTER packets (uapi header, "Scatter"): a head entry followed by its segment entries,
/// handed out as a <see cref="ReadOnlySequence{T}"/> over the window without a copy, every
/// segment checked as an entry's data is; and RING packing, several packets per page.
/// </summary>
public sealed class InfoPageScatterTests
{
    private static readonly ScatterChain Chain = new();

    [Fact]
    public void Ring_packets_share_pages_packed_and_aligned()
    {
        var b = new InfoPageBuilder(pagesPerWindow: 2);
        var frames = new List<byte[]>();
        uint at = 0;
        for (int i = 0; i < 50; i++)
        {
            byte[] f = Frames.Udp(60 + i);
            frames.Add(f);
            TestEntry e = b.Add(f, page: at / InfoPageBuilder.PageSize, offset: at % InfoPageBuilder.PageSize);
            e.Path = (byte)SKBREMAP_PATH_RING;
            at += (uint)((f.Length + SKBREMAP_RING_ALIGN - 1) / SKBREMAP_RING_ALIGN * SKBREMAP_RING_ALIGN);
        }

        InfoPageReader.TryOpen(b.Build(), b.Geometry, 0, out InfoPageReader r).Should().Be(InfoPageError.None);
        foreach (byte[] f in frames)
        {
            r.TryReadNext(out CapturedPacket p, out InfoPageError error).Should().BeTrue(error.ToString());
            p.Data.ToArray().Should().Equal(f);
            p.Path.Should().Be((byte)SKBREMAP_PATH_RING);
            p.IsScattered.Should().BeFalse();
        }
    }

    [Fact]
    public void A_scatter_packet_is_a_sequence_of_its_segments_over_the_window()
    {
        var b = new InfoPageBuilder(pagesPerWindow: 4);
        byte[] frame = Frames.Udp(5000);
        b.AddScatter(frame, (0, 66, 128), (1, 0, 4096), (3, 0, 5000 - 128 - 4096));
        byte[] after = Frames.Udp(70);
        b.Add(after, page: 2, offset: 0);
        byte[] window = b.Build();

        InfoPageReader.TryOpen(window.AsMemory(), b.Geometry, 0, Chain, out InfoPageReader r).Should().Be(InfoPageError.None);
        r.TryReadNext(out CapturedPacket p, out InfoPageError error).Should().BeTrue(error.ToString());

        p.IsScattered.Should().BeTrue();
        p.Data.IsEmpty.Should().BeTrue();
        p.Length.Should().Be(5000);
        p.Sequence.IsSingleSegment.Should().BeFalse();
        p.Sequence.ToArray().Should().Equal(frame);
        int segments = 0;
        foreach (ReadOnlyMemory<byte> m in p.Sequence)
        {
            segments++;
            System.Runtime.InteropServices.MemoryMarshal.TryGetArray(m, out ArraySegment<byte> seg).Should().BeTrue();
            seg.Array.Should().BeSameAs(window, "segments are slices of the window, not copies");
        }

        segments.Should().Be(3);
        byte[] copy = new byte[100];
        p.CopyTo(100, copy);
        copy.Should().Equal(frame[100..200]);

        r.TryReadNext(out CapturedPacket next, out error).Should().BeTrue(error.ToString());
        next.Data.ToArray().Should().Equal(after, "the walk continues after the segment entries");
        r.TryReadNext(out _, out error).Should().BeFalse();
        error.Should().Be(InfoPageError.None);
    }

    [Fact]
    public void Reading_scatter_from_a_span_needs_the_memory()
    {
        var b = new InfoPageBuilder();
        b.AddScatter(Frames.Udp(200), (0, 0, 100), (1, 0, 100));

        InfoPageReader.TryOpen(b.Build(), b.Geometry, 0, out InfoPageReader r).Should().Be(InfoPageError.None);
        r.TryReadNext(out _, out InfoPageError error).Should().BeFalse();
        error.Should().Be(InfoPageError.ScatterNeedsMemory);
    }

    [Theory]
    [InlineData("one segment", InfoPageError.ScatterSegmentCount)]
    [InlineData("past count", InfoPageError.ScatterSegmentCount)]
    [InlineData("head page", InfoPageError.ScatterHeadNotEmpty)]
    [InlineData("sum", InfoPageError.ScatterLengthMismatch)]
    [InlineData("segment flag", InfoPageError.SegmentOutOfPlace)]
    [InlineData("segment wirelen", InfoPageError.SegmentFieldsNotZero)]
    [InlineData("segment outside", InfoPageError.EntryBeyondPagesUsed)]
    [InlineData("segment page", InfoPageError.EntryPageOutOfRange)]
    [InlineData("segments without flag", InfoPageError.SegmentsWithoutScatter)]
    [InlineData("lone segment", InfoPageError.SegmentOutOfPlace)]
    public void A_malformed_scatter_packet_is_refused(string what, InfoPageError expected)
    {
        var b = new InfoPageBuilder(pagesPerWindow: 4);
        TestEntry head = b.AddScatter(Frames.Udp(300), (0, 0, 100), (1, 0, 200));
        TestEntry first = b.Entries[1];
        switch (what)
        {
            case "one segment": head.Segments = 1; break;
            case "past count": head.Segments = 3; break;
            case "head page": head.Page = 1; break;
            case "sum": head.Caplen = head.Wirelen = 299; break;
            case "segment flag": first.Flags = 0; break;
            case "segment wirelen": first.Wirelen = 1; break;
            case "segment outside": first.Page = 3; b.PagesUsed = 2; break;
            case "segment page": first.Page = 4; break;
            case "segments without flag": head.Flags = 0; break;
            case "lone segment": b.Entries.RemoveAt(0); break;
        }

        InfoPageReader.TryOpen(b.Build().AsMemory(), b.Geometry, 0, Chain, out InfoPageReader r).Should().Be(InfoPageError.None);
        r.TryReadNext(out _, out InfoPageError error).Should().BeFalse();
        error.Should().Be(expected, what);
    }

    [Fact]
    public void Writers_take_a_scatter_packet_without_linearising_it()
    {
        var b = new InfoPageBuilder(pagesPerWindow: 4);
        byte[] frame = Frames.Udp(3000);
        b.AddScatter(frame, (0, 10, 1000), (2, 0, 2000));
        InfoPageReader.TryOpen(b.Build().AsMemory(), b.Geometry, 0, Chain, out InfoPageReader r).Should().Be(InfoPageError.None);
        r.TryReadNext(out CapturedPacket p, out _).Should().BeTrue();

        using var ms = new MemoryStream();
        using (var w = new PcapWriter(ms, 65535, leaveOpen: true))
        {
            w.Write(in p);
        }

        ms.ToArray().AsSpan(ms.Length > 3000 ? (int)ms.Length - 3000 : 0).ToArray().Should().Equal(frame);
    }
}
