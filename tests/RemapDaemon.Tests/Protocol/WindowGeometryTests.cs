using RemapDaemon.Protocol;
using RemapDaemon.Protocol.Abi;


namespace RemapDaemon.Tests.Protocol;

public sealed class WindowGeometryTests
{
    [Fact]
    public void FromLayout_takes_the_numbers_of_SKBREMAP_IOC_LAYOUT()
    {
        skbremap_layout l = Layout();

        WindowGeometry geo = WindowGeometry.FromLayout(l);

        geo.Should().Be(new WindowGeometry(4096, 64, 84, 1514));
        geo.WindowBytes.Should().Be(65 * 4096);
        geo.DataBytes.Should().Be(64 * 4096);
    }

    [Fact]
    public void FromLayout_refuses_a_stride_that_is_not_one_info_page_plus_the_data_pages()
    {
        skbremap_layout l = Layout();
        l.win_stride += 4096;

        FluentActions.Invoking(() => WindowGeometry.FromLayout(l)).Should().Throw<ArgumentException>().WithMessage("*win_stride*");
    }

    [Fact]
    public void FromLayout_refuses_entry_sizes_other_than_the_mirror()
    {
        skbremap_layout l = Layout();
        l.info_entry_size = 40;

        FluentActions.Invoking(() => WindowGeometry.FromLayout(l)).Should().Throw<ArgumentException>().WithMessage("*info_entry_size*");
    }

    [Fact]
    public void FromLayout_refuses_more_entries_than_fit_the_info_page()
    {
        skbremap_layout l = Layout();
        l.info_entries_max = 85;

        FluentActions.Invoking(() => WindowGeometry.FromLayout(l)).Should().Throw<ArgumentException>().WithMessage("*do not fit*");
    }

    [Fact]
    public void FromLayout_takes_info_pages_and_puts_the_data_after_them()
    {
        skbremap_layout l = Layout();
        l.info_pages = 7;
        l.info_entries_max = (7 * 4096 - 64) / 48;
        l.win_stride = (7 + 64) * 4096;
        l.win_size = 16 * l.win_stride;

        WindowGeometry geo = WindowGeometry.FromLayout(l);

        geo.Should().Be(new WindowGeometry(4096, 64, 596, 1514, 7));
        geo.InfoBytes.Should().Be(7 * 4096);
        geo.WindowBytes.Should().Be(71 * 4096);
    }

    [Fact]
    public void FromLayout_reads_info_pages_0_as_the_one_page_of_a_module_that_predates_the_field()
    {
        skbremap_layout l = Layout();
        l.info_pages = 0;

        WindowGeometry.FromLayout(l).InfoPages.Should().Be(1);
    }

    [Fact]
    public void FromLayout_refuses_a_stride_that_does_not_count_the_info_pages()
    {
        skbremap_layout l = Layout();
        l.info_pages = 2;

        FluentActions.Invoking(() => WindowGeometry.FromLayout(l)).Should().Throw<ArgumentException>().WithMessage("*win_stride*");
    }

    [Fact]
    public void FromLayout_refuses_more_info_pages_than_the_ABI_allows()
    {
        skbremap_layout l = Layout();
        l.info_pages = 65;
        l.win_stride = (65 + 64) * 4096;

        FluentActions.Invoking(() => WindowGeometry.FromLayout(l)).Should().Throw<ArgumentException>().WithMessage("*info_pages 65*");
    }

    [Theory]
    [InlineData(64, 25)]    // 2048 entries: 64 + 2048 * 48 = 98,368 bytes, just over 24 pages
    [InlineData(16, 7)]     // 512 entries
    [InlineData(8, 4)]      // 256 entries: 12,352 bytes
    [InlineData(1, 1)]      // 32 entries fit the one page
    [InlineData(512, 64)]   // 16,384 entries would need 193 pages: the ABI's most
    public void DefaultInfoPages_gives_one_entry_per_128_bytes_of_data_pages(int pagesPerWindow, int expected)
    {
        int pages = WindowGeometry.DefaultInfoPages(4096, pagesPerWindow);

        pages.Should().Be(expected);
        if (expected < 64)
        {
            long entries = ((pages * 4096L) - 64) / 48;
            entries.Should().BeGreaterThanOrEqualTo(pagesPerWindow * 4096L / WindowGeometry.DataBytesPerEntry);
            (((pages - 1) * 4096L) - 64).Should().BeLessThan(pagesPerWindow * 4096L / WindowGeometry.DataBytesPerEntry * 48, "one page fewer would not do");
        }
    }

    [Theory]
    [InlineData(0, 4, 84, 0u)]
    [InlineData(4095, 4, 84, 0u)]
    [InlineData(4096, 0, 84, 0u)]
    [InlineData(4096, 513, 84, 0u)]
    [InlineData(4096, 4, -1, 0u)]
    [InlineData(4096, 4, 85, 0u)]
    [InlineData(4096, 4, 84, 262145u)]
    [InlineData(4096, 4, 84, 0u, 0)]
    [InlineData(4096, 4, 84, 0u, 65)]
    [InlineData(4096, 4, 170, 0u, 2)]
    public void A_geometry_a_window_cannot_have_is_a_caller_error_not_a_parse_error(int pageSize, int pages, int entries, uint snaplen, int infoPages = 1)
    {
        var geo = new WindowGeometry(pageSize, pages, entries, snaplen, infoPages);
        byte[] window = new byte[1 << 20];

        FluentActions.Invoking(() => InfoPageReader.TryOpen(window, geo, 0, out _)).Should().Throw<ArgumentException>();
    }

    private static skbremap_layout Layout() => new()
    {
        ctl_offset = 0,
        ctl_size = 4096,
        win_offset = 4096,
        win_stride = 65 * 4096,
        win_size = 16 * 65 * 4096,
        windows = 16,
        pages_per_window = 64,
        page_size = 4096,
        snaplen = 1514,
        info_hdr_size = 64,
        info_entry_size = 48,
        info_entries_max = 84,
        win_ctl_offset = 64,
        win_ctl_size = 16,
    };
}
