using RemapDaemon.Protocol;
using static RemapDaemon.Protocol.Abi.Skbremap;

namespace RemapDaemon.Tests.Protocol;

/// <summary>
/// Every kernel-written number that could send a read outside the window is refused with
/// its own error, without an exception and without a byte of data read from out of range.
/// Geometry of these windows: 4096-byte pages, 4 data pages, 84 entries max.
/// </summary>
public sealed class InfoPageMalformedTests
{
    private const int Pages = 4;
    private const int PageSize = InfoPageBuilder.PageSize;

    // ----- the info page header -----

    [Theory]
    [InlineData(0)]
    [InlineData(63)]
    [InlineData(PageSize)]
    [InlineData(((Pages + 1) * PageSize) - 1)]
    public void A_window_span_shorter_than_info_page_plus_data_pages_is_TooSmall(int length)
    {
        InfoPageBuilder b = OnePacket();
        OpenError(b, b.Build().AsSpan(0, length)).Should().Be(InfoPageError.TooSmall);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(0x494e464fu)] // "INFO" in the wrong byte order
    [InlineData(SKBREMAP_MAGIC)]
    public void Wrong_magic_is_BadMagic(uint magic) =>
        OpenError(OnePacket(b => b.Magic = magic)).Should().Be(InfoPageError.BadMagic);

    [Theory]
    [InlineData(0u)]
    [InlineData(2u)]
    [InlineData(uint.MaxValue)]
    public void Another_abi_version_is_BadAbiVersion(uint version) =>
        OpenError(OnePacket(b => b.AbiVersion = version)).Should().Be(InfoPageError.BadAbiVersion);

    [Fact]
    public void An_info_page_naming_another_window_is_WrongWindow() =>
        OpenError(OnePacket(b => b.WindowIndex = 5), expectedWindow: 4).Should().Be(InfoPageError.WrongWindow);

    [Theory]
    [InlineData(InfoPageBuilder.EntriesMax + 1u)]
    [InlineData(0x8000_0000u)]
    [InlineData(uint.MaxValue)]
    public void A_count_above_info_entries_max_is_CountTooLarge(uint count) =>
        OpenError(OnePacket(b => b.Count = count)).Should().Be(InfoPageError.CountTooLarge);

    [Theory]
    [InlineData(Pages + 1u)]
    [InlineData(uint.MaxValue)]
    public void Pages_used_above_pages_per_window_is_PagesUsedTooLarge(uint pagesUsed) =>
        OpenError(OnePacket(b => b.PagesUsed = pagesUsed)).Should().Be(InfoPageError.PagesUsedTooLarge);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void A_nonzero_reserved_header_field_is_HeaderReservedNotZero(int which) =>
        OpenError(OnePacket(b => b.HeaderReserved[which] = 1UL << 63)).Should().Be(InfoPageError.HeaderReservedNotZero);

    [Fact]
    public void A_failed_open_leaves_a_reader_that_yields_nothing()
    {
        InfoPageBuilder b = OnePacket(b => b.Magic = 0);
        InfoPageReader.TryOpen(b.Build(), b.Geometry, 0, out InfoPageReader r).Should().Be(InfoPageError.BadMagic);

        r.TryReadNext(out CapturedPacket p, out InfoPageError error).Should().BeFalse();
        error.Should().Be(InfoPageError.None);
        p.Data.Length.Should().Be(0);
    }

    // ----- one entry -----

    [Theory]
    [InlineData(Pages)]
    [InlineData(Pages + 1u)]
    [InlineData(0x8000_0000u)]
    [InlineData(uint.MaxValue)]
    public void An_entry_page_at_or_past_pages_per_window_is_EntryPageOutOfRange(uint page) =>
        EntryError(e => e.Page = page).Should().Be(InfoPageError.EntryPageOutOfRange);

    [Theory]
    [InlineData(PageSize)]
    [InlineData(PageSize + 1u)]
    [InlineData(0xFFFF_FFFFu)]
    public void An_entry_offset_at_or_past_the_page_size_is_EntryOffsetOutOfRange(uint offset) =>
        EntryError(e => e.Offset = offset).Should().Be(InfoPageError.EntryOffsetOutOfRange);

    [Theory]
    [InlineData(0u, 0u, (Pages * PageSize) + 1u)]                 // one byte past the data area
    [InlineData(Pages - 1u, PageSize - 1u, 2u)]                 // last byte of the window + 1
    [InlineData(0u, 0u, 0x8000_0000u)]
    [InlineData(0u, 0u, uint.MaxValue)]                          // would wrap a 32-bit end
    [InlineData(Pages - 1u, PageSize - 1u, uint.MaxValue)]      // offset + caplen overflows u32
    public void Data_running_past_the_window_is_EntryLengthOutOfRange(uint page, uint offset, uint caplen)
    {
        EntryError(e =>
        {
            e.Page = page;
            e.Offset = offset;
            e.Caplen = caplen;
            e.Wirelen = caplen;
            e.Flags = 0;
        }).Should().Be(InfoPageError.EntryLengthOutOfRange);
    }

    [Fact]
    public void Caplen_above_wirelen_is_CaplenExceedsWirelen() =>
        EntryError(e => e.Wirelen = e.Caplen - 1).Should().Be(InfoPageError.CaplenExceedsWirelen);

    [Fact]
    public void Caplen_above_the_snaplen_is_CaplenExceedsSnaplen()
    {
        var b = new InfoPageBuilder(Pages, snaplen: 64);
        b.Add(new byte[64]);
        b.Add(new byte[65]);
        byte[] window = b.Build();

        InfoPageReader.TryOpen(window, b.Geometry, 0, out InfoPageReader r).Should().Be(InfoPageError.None);
        r.TryReadNext(out _, out _).Should().BeTrue("caplen == snaplen is fine");
        r.TryReadNext(out _, out InfoPageError error).Should().BeFalse();
        error.Should().Be(InfoPageError.CaplenExceedsSnaplen);
    }

    [Fact]
    public void Huge_caplen_and_wirelen_with_a_snaplen_is_CaplenExceedsSnaplen()
    {
        var b = new InfoPageBuilder(Pages, snaplen: 65535);
        TestEntry e = b.Add(new byte[60]);
        e.Caplen = e.Wirelen = uint.MaxValue;
        e.Flags = 0;

        EntryError(b).Should().Be(InfoPageError.CaplenExceedsSnaplen);
    }

    [Fact]
    public void A_zero_caplen_is_EntryEmpty() =>
        EntryError(e => e.Caplen = 0).Should().Be(InfoPageError.EntryEmpty);

    [Fact]
    public void A_count_larger_than_the_entries_written_meets_a_zeroed_entry_and_is_EntryEmpty()
    {
        InfoPageBuilder b = OnePacket(b => b.Count = 3);
        EntryErrorAfter(b, goodPackets: 2).Should().Be(InfoPageError.EntryEmpty);
    }

    [Fact]
    public void An_entry_on_a_page_past_pages_used_is_EntryBeyondPagesUsed()
    {
        var b = new InfoPageBuilder(Pages);
        b.Add(new byte[60], page: 2, offset: 0);
        b.PagesUsed = 2;

        EntryError(b).Should().Be(InfoPageError.EntryBeyondPagesUsed);
    }

    [Fact]
    public void An_entry_running_on_past_pages_used_is_EntryBeyondPagesUsed()
    {
        var b = new InfoPageBuilder(Pages);
        b.Add(new byte[200], page: 0, offset: PageSize - 100);
        b.PagesUsed = 1;

        EntryError(b).Should().Be(InfoPageError.EntryBeyondPagesUsed);
    }

    [Fact]
    public void Entries_with_pages_used_zero_are_EntryBeyondPagesUsed() =>
        EntryError(OnePacket(b => b.PagesUsed = 0)).Should().Be(InfoPageError.EntryBeyondPagesUsed);

    [Fact]
    public void Entries_past_pages_used_fail_after_the_good_ones_were_delivered()
    {
        var b = new InfoPageBuilder(Pages);
        b.Add(new byte[100], page: 0, offset: 0);
        b.Add(new byte[100], page: 0, offset: 1000);
        b.Add(new byte[100], page: 2, offset: 0);
        b.PagesUsed = 1;

        EntryErrorAfter(b, goodPackets: 2).Should().Be(InfoPageError.EntryBeyondPagesUsed);
    }

    [Fact]
    public void A_truncated_flag_on_a_whole_packet_is_TruncatedFlagMismatch() =>
        EntryError(e => e.Flags |= SKBREMAP_PKT_TRUNCATED).Should().Be(InfoPageError.TruncatedFlagMismatch);

    [Fact]
    public void A_short_caplen_without_the_truncated_flag_is_TruncatedFlagMismatch() =>
        EntryError(e => e.Wirelen = e.Caplen + 1).Should().Be(InfoPageError.TruncatedFlagMismatch);

    [Fact]
    public void A_nonzero_reserved_entry_field_is_EntryReservedNotZero() =>
        EntryError(e => e.Reserved = 1).Should().Be(InfoPageError.EntryReservedNotZero);

    [Fact]
    public void A_bad_entry_ends_the_walk_for_good()
    {
        var b = new InfoPageBuilder(Pages);
        b.Add(new byte[60]);
        b.Add(new byte[60]).Page = uint.MaxValue;
        b.Add(new byte[60]);
        byte[] window = b.Build();

        InfoPageReader.TryOpen(window, b.Geometry, 0, out InfoPageReader r).Should().Be(InfoPageError.None);
        r.TryReadNext(out _, out _).Should().BeTrue();
        for (int i = 0; i < 3; i++)
        {
            r.TryReadNext(out CapturedPacket p, out InfoPageError error).Should().BeFalse();
            error.Should().Be(InfoPageError.EntryPageOutOfRange, "the error sticks; the good entry after it is not reached");
            p.Data.Length.Should().Be(0);
        }
    }

    [Fact]
    public void Every_error_has_its_own_description()
    {
        InfoPageError[] all = Enum.GetValues<InfoPageError>();
        string[] texts = [.. all.Select(InfoPageErrorText.Describe)];

        texts.Should().OnlyHaveUniqueItems();
        texts.Should().NotContain("unknown info page error");
        InfoPageErrorText.Describe((InfoPageError)999).Should().Be("unknown info page error");
    }

    private static InfoPageBuilder OnePacket(Action<InfoPageBuilder>? mutate = null)
    {
        var b = new InfoPageBuilder(Pages);
        b.Add(Frames.Udp(60), page: 1, offset: 128);
        b.Add(Frames.Udp(60), page: 1, offset: 256);
        mutate?.Invoke(b);
        return b;
    }

    private static InfoPageError OpenError(InfoPageBuilder b, uint expectedWindow = 0) =>
        OpenError(b, b.Build(), expectedWindow);

    private static InfoPageError OpenError(InfoPageBuilder b, ReadOnlySpan<byte> window, uint expectedWindow = 0)
    {
        InfoPageError error = InfoPageReader.TryOpen(window, b.Geometry, expectedWindow, out _);
        return error;
    }

    /// <summary>Mutates the second entry of a two-packet window; the first must still come out.</summary>
    private static InfoPageError EntryError(Action<TestEntry> mutate)
    {
        InfoPageBuilder b = OnePacket();
        mutate(b.Entries[1]);
        return EntryErrorAfter(b, goodPackets: 1);
    }

    private static InfoPageError EntryError(InfoPageBuilder b) => EntryErrorAfter(b, goodPackets: 0);

    /// <summary>
    /// Opens the window, expects <paramref name="goodPackets"/> packets inside the used data
    /// pages, then a failure; returns its error.
    /// </summary>
    private static InfoPageError EntryErrorAfter(InfoPageBuilder b, int goodPackets)
    {
        byte[] window = b.Build();
        InfoPageReader.TryOpen(window, b.Geometry, 0, out InfoPageReader r).Should().Be(InfoPageError.None);
        for (int i = 0; i < goodPackets; i++)
        {
            r.TryReadNext(out CapturedPacket p, out InfoPageError e).Should().BeTrue(InfoPageErrorText.Describe(e));
            window.AsSpan().Overlaps(p.Data, out int at).Should().BeTrue();
            at.Should().BeGreaterThanOrEqualTo(PageSize);
            (at + p.Data.Length).Should().BeLessThanOrEqualTo(PageSize + ((int)r.PagesUsed * PageSize));
        }

        r.TryReadNext(out CapturedPacket bad, out InfoPageError error).Should().BeFalse();
        bad.Data.Length.Should().Be(0);
        error.Should().NotBe(InfoPageError.None);
        return error;
    }
}
