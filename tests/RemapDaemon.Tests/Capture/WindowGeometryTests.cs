using RemapDaemon.Abi;
using RemapDaemon.Capture;

namespace RemapDaemon.Tests.Capture;

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

    [Theory]
    [InlineData(0, 4, 84, 0u)]
    [InlineData(4095, 4, 84, 0u)]
    [InlineData(4096, 0, 84, 0u)]
    [InlineData(4096, 513, 84, 0u)]
    [InlineData(4096, 4, -1, 0u)]
    [InlineData(4096, 4, 85, 0u)]
    [InlineData(4096, 4, 84, 262145u)]
    public void A_geometry_a_window_cannot_have_is_a_caller_error_not_a_parse_error(int pageSize, int pages, int entries, uint snaplen)
    {
        var geo = new WindowGeometry(pageSize, pages, entries, snaplen);
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
