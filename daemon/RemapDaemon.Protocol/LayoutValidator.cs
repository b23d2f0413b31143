using System.Runtime.CompilerServices;
using RemapDaemon.Protocol.Abi;
using static RemapDaemon.Protocol.Abi.Skbremap;

namespace RemapDaemon.Protocol;

/// <summary>
/// Checks a SKBREMAP_IOC_LAYOUT answer before anything is mapped or read through it:
/// every size and offset we later turn into a pointer must be consistent and in range.
/// </summary>
public static class LayoutValidator
{
    public static void Validate(in skbremap_layout l)
    {
        Require(l.page_size is >= 4096 and <= 65536 && (l.page_size & (l.page_size - 1)) == 0, "page_size is not a page size");
        Require(l.windows is >= SKBREMAP_MIN_WINDOWS and <= SKBREMAP_MAX_WINDOWS, "windows out of range");
        Require(l.pages_per_window is >= 1 and <= SKBREMAP_MAX_PAGES_PER_WINDOW, "pages_per_window out of range");
        Require(l.ctl_offset == 0, "ctl_offset is not 0");
        Require(l.win_ctl_size == (uint)Unsafe.SizeOf<skbremap_win_ctl>(), "win_ctl_size differs from skbremap_win_ctl");
        Require(l.win_ctl_offset >= (uint)Unsafe.SizeOf<skbremap_ctl_hdr>(), "win_ctl overlaps the control header");
        Require((ulong)l.win_ctl_offset + ((ulong)l.windows * l.win_ctl_size) <= l.ctl_size, "win_ctl array outside the control part");
        Require(l.info_pages <= SKBREMAP_MAX_INFO_PAGES, "info_pages out of range");
        Require(l.win_stride == ((ulong)WindowGeometry.InfoPagesOf(l) + l.pages_per_window) * l.page_size, "win_stride is not (info_pages + pages_per_window) pages");
        Require(l.win_size == l.windows * l.win_stride, "win_size is not windows * win_stride");
        Require(l.win_offset % l.page_size == 0 && l.win_offset >= l.ctl_size, "win_offset overlaps the control part");
        Require(l.win_stride <= int.MaxValue, "window larger than a span");
        Require(l.info_hdr_size == (uint)Unsafe.SizeOf<skbremap_info_hdr>(), "info_hdr_size differs from skbremap_info_hdr");
        Require(l.info_entry_size == (uint)Unsafe.SizeOf<skbremap_info_entry>(), "info_entry_size differs from skbremap_info_entry");
        Require((ulong)l.info_hdr_size + ((ulong)l.info_entries_max * l.info_entry_size) <= (ulong)WindowGeometry.InfoPagesOf(l) * l.page_size, "info entries overflow the info pages");
    }

    private static void Require(bool condition, string what)
    {
        if (!condition)
        {
            throw new SkbremapException(nameof(SKBREMAP_IOC_LAYOUT), 0, $"{nameof(SKBREMAP_IOC_LAYOUT)}: {what}");
        }
    }
}
