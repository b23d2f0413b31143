using System.Runtime.CompilerServices;
using RemapDaemon.Protocol.Abi;
using static RemapDaemon.Protocol.Abi.Skbremap;

namespace RemapDaemon.Protocol;

/// <summary>
/// The one place that checks a SKBREMAP_IOC_LAYOUT answer (and a window geometry built by hand)
/// before anything is mapped or read through it: every size and offset later turned into a
/// pointer must be consistent and in range. Each check returns the reason it failed, or null;
/// the callers choose the exception: <see cref="Validate"/> (the region) throws
/// <see cref="SkbremapException"/>, <see cref="WindowGeometry.FromLayout"/> and
/// <see cref="WindowGeometry.Validate"/> throw <see cref="ArgumentException"/>.
/// </summary>
public static class LayoutValidator
{
    /// <summary>Throws unless the whole layout (control part, windows part, window shape) is consistent.</summary>
    /// <exception cref="SkbremapException">The layout is not consistent.</exception>
    public static void Validate(in skbremap_layout l)
    {
        if (Problem(l) is string why)
        {
            throw new SkbremapException(nameof(SKBREMAP_IOC_LAYOUT), 0, $"{nameof(SKBREMAP_IOC_LAYOUT)}: {why}");
        }
    }

    /// <summary>Why the whole layout is not consistent, or null: the window shape, then the control and windows parts.</summary>
    public static string? Problem(in skbremap_layout l)
    {
        if (WindowProblem(l) is string why)
        {
            return why;
        }

        return (l.windows is < SKBREMAP_MIN_WINDOWS or > SKBREMAP_MAX_WINDOWS) ? "windows out of range"
            : l.ctl_offset != 0 ? "ctl_offset is not 0"
            : l.win_ctl_size != (uint)Unsafe.SizeOf<skbremap_win_ctl>() ? "win_ctl_size differs from skbremap_win_ctl"
            : l.win_ctl_offset < (uint)Unsafe.SizeOf<skbremap_ctl_hdr>() ? "win_ctl overlaps the control header"
            : (ulong)l.win_ctl_offset + ((ulong)l.windows * l.win_ctl_size) > l.ctl_size ? "win_ctl array outside the control part"
            : l.win_size != l.windows * l.win_stride ? "win_size is not windows * win_stride"
            : l.win_offset % l.page_size != 0 || l.win_offset < l.ctl_size ? "win_offset overlaps the control part"
            : null;
    }

    /// <summary>
    /// Why the layout does not describe one window this reader can walk, or null: the entry
    /// sizes match the mirror, the numbers fit an int, the shape passes
    /// <see cref="GeometryProblem"/>, and win_stride is (info_pages + pages_per_window) pages.
    /// </summary>
    public static string? WindowProblem(in skbremap_layout l)
    {
        if (l.info_hdr_size != (uint)Unsafe.SizeOf<skbremap_info_hdr>())
        {
            return $"layout info_hdr_size {l.info_hdr_size} is not sizeof(skbremap_info_hdr) {Unsafe.SizeOf<skbremap_info_hdr>()}";
        }

        if (l.info_entry_size != (uint)Unsafe.SizeOf<skbremap_info_entry>())
        {
            return $"layout info_entry_size {l.info_entry_size} is not sizeof(skbremap_info_entry) {Unsafe.SizeOf<skbremap_info_entry>()}";
        }

        if (l.page_size > int.MaxValue || l.pages_per_window > int.MaxValue || l.info_entries_max > int.MaxValue)
        {
            return "layout sizes do not fit an int";
        }

        if (l.info_pages > SKBREMAP_MAX_INFO_PAGES)
        {
            return $"layout info_pages {l.info_pages} is above {SKBREMAP_MAX_INFO_PAGES}";
        }

        int infoPages = WindowGeometry.InfoPagesOf(l);
        if (GeometryProblem((int)l.page_size, (int)l.pages_per_window, (int)l.info_entries_max, l.snaplen, infoPages) is string why)
        {
            return why;
        }

        ulong windowBytes = ((ulong)infoPages + l.pages_per_window) * l.page_size;
        if (l.win_stride != windowBytes)
        {
            return $"layout win_stride {l.win_stride} is not (info_pages + pages_per_window) * page_size = {windowBytes}";
        }

        return l.win_stride > int.MaxValue ? "window larger than a span" : null;
    }

    /// <summary>Why the numbers do not describe a window a span can hold and the info pages can index, or null.</summary>
    public static string? GeometryProblem(int pageSize, int pagesPerWindow, int infoEntriesMax, uint snaplen, int infoPages)
    {
        if (pageSize < 4096 || pageSize > 65536 || (pageSize & (pageSize - 1)) != 0)
        {
            return $"page size {pageSize} is not a power of two in 4096..65536";
        }

        if (pagesPerWindow < 1 || pagesPerWindow > SKBREMAP_MAX_PAGES_PER_WINDOW)
        {
            return $"pages per window {pagesPerWindow} is not in 1..{SKBREMAP_MAX_PAGES_PER_WINDOW}";
        }

        if (infoPages < 1 || infoPages > SKBREMAP_MAX_INFO_PAGES)
        {
            return $"info pages {infoPages} is not in 1..{SKBREMAP_MAX_INFO_PAGES}";
        }

        long entriesEnd = Unsafe.SizeOf<skbremap_info_hdr>() + ((long)infoEntriesMax * Unsafe.SizeOf<skbremap_info_entry>());
        if (infoEntriesMax < 0 || entriesEnd > (long)infoPages * pageSize)
        {
            return infoPages == 1
                ? $"{infoEntriesMax} info entries do not fit a {pageSize}-byte info page"
                : $"{infoEntriesMax} info entries do not fit {infoPages} info pages of {pageSize} bytes";
        }

        return snaplen > SKBREMAP_MAX_SNAPLEN ? $"snaplen {snaplen} exceeds SKBREMAP_MAX_SNAPLEN" : null;
    }
}
