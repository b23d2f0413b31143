using System.Runtime.CompilerServices;
using RemapDaemon.Protocol.Abi;

namespace RemapDaemon.Protocol;

/// <summary>
/// The shape of every window of one capture, from SKBREMAP_IOC_LAYOUT: <see cref="InfoPages"/>
/// info pages of <see cref="PageSize"/> bytes (one info area: the header, then up to
/// <see cref="InfoEntriesMax"/> entries), then <see cref="PagesPerWindow"/> data pages. The data
/// pages are contiguous in the mapping, so a packet larger than a page is one contiguous span.
/// <see cref="Snaplen"/> 0 means whole packets.
/// </summary>
public readonly record struct WindowGeometry(int PageSize, int PagesPerWindow, int InfoEntriesMax, uint Snaplen, int InfoPages = 1)
{
    /// <summary>Info pages plus data pages, in bytes; valid once <see cref="Validate"/> passed.</summary>
    public int WindowBytes => (PagesPerWindow + InfoPages) * PageSize;

    /// <summary>Bytes of the info area; data page 0 starts here.</summary>
    public int InfoBytes => InfoPages * PageSize;

    /// <summary>Bytes of the data area (all data pages).</summary>
    public int DataBytes => PagesPerWindow * PageSize;

    /// <summary>layout.info_pages, or 1 from a module that predates the field (it was a zero reserved word).</summary>
    public static int InfoPagesOf(in skbremap_layout l) => l.info_pages == 0 ? 1 : (int)Math.Min(l.info_pages, int.MaxValue);

    /// <summary>
    /// The info pages remapd asks for when --info-pages is left to it: room for one entry per
    /// <see cref="DataBytesPerEntry"/> bytes of data pages, so that windows of small packets fill
    /// their data pages rather than run out of entries (one page holds 84 entries: 84 packets of
    /// 64 B use 5 KiB of a 256 KiB window), within 1..SKBREMAP_MAX_INFO_PAGES.
    /// </summary>
    public static int DefaultInfoPages(int pageSize, int pagesPerWindow)
    {
        long entries = ((long)pagesPerWindow * pageSize + DataBytesPerEntry - 1) / DataBytesPerEntry;
        long bytes = Unsafe.SizeOf<skbremap_info_hdr>() + (entries * Unsafe.SizeOf<skbremap_info_entry>());
        long pages = (bytes + pageSize - 1) / pageSize;
        return (int)Math.Clamp(pages, 1, Abi.Skbremap.SKBREMAP_MAX_INFO_PAGES);
    }

    /// <summary>Data bytes per entry <see cref="DefaultInfoPages"/> sizes for: packets of 128 B fill both at once.</summary>
    public const int DataBytesPerEntry = 128;

    /// <summary>
    /// Takes the numbers of a SKBREMAP_IOC_LAYOUT answer, after checking that they describe
    /// a window this reader can walk (the layout is kernel input like everything else).
    /// </summary>
    /// <exception cref="ArgumentException">The layout is not consistent.</exception>
    public static WindowGeometry FromLayout(in skbremap_layout l)
    {
        if (l.info_hdr_size != (uint)Unsafe.SizeOf<skbremap_info_hdr>())
        {
            throw new ArgumentException($"layout info_hdr_size {l.info_hdr_size} is not sizeof(skbremap_info_hdr) {Unsafe.SizeOf<skbremap_info_hdr>()}", nameof(l));
        }

        if (l.info_entry_size != (uint)Unsafe.SizeOf<skbremap_info_entry>())
        {
            throw new ArgumentException($"layout info_entry_size {l.info_entry_size} is not sizeof(skbremap_info_entry) {Unsafe.SizeOf<skbremap_info_entry>()}", nameof(l));
        }

        if (l.page_size > int.MaxValue || l.pages_per_window > int.MaxValue || l.info_entries_max > int.MaxValue)
        {
            throw new ArgumentException("layout sizes do not fit an int", nameof(l));
        }

        if (l.info_pages > Abi.Skbremap.SKBREMAP_MAX_INFO_PAGES)
        {
            throw new ArgumentException($"layout info_pages {l.info_pages} is above {Abi.Skbremap.SKBREMAP_MAX_INFO_PAGES}", nameof(l));
        }

        var geo = new WindowGeometry((int)l.page_size, (int)l.pages_per_window, (int)l.info_entries_max, l.snaplen, InfoPagesOf(l));
        geo.Validate();
        if (l.win_stride != (ulong)geo.WindowBytes)
        {
            throw new ArgumentException($"layout win_stride {l.win_stride} is not (info_pages + pages_per_window) * page_size = {geo.WindowBytes}", nameof(l));
        }

        return geo;
    }

    /// <summary>Throws unless the numbers describe a window a span can hold and the info page can index.</summary>
    /// <exception cref="ArgumentException">The geometry is not usable.</exception>
    public void Validate()
    {
        if (PageSize < 4096 || PageSize > 65536 || (PageSize & (PageSize - 1)) != 0)
        {
            throw new ArgumentException($"page size {PageSize} is not a power of two in 4096..65536");
        }

        if (PagesPerWindow < 1 || PagesPerWindow > Abi.Skbremap.SKBREMAP_MAX_PAGES_PER_WINDOW)
        {
            throw new ArgumentException($"pages per window {PagesPerWindow} is not in 1..{Abi.Skbremap.SKBREMAP_MAX_PAGES_PER_WINDOW}");
        }

        if (InfoPages < 1 || InfoPages > Abi.Skbremap.SKBREMAP_MAX_INFO_PAGES)
        {
            throw new ArgumentException($"info pages {InfoPages} is not in 1..{Abi.Skbremap.SKBREMAP_MAX_INFO_PAGES}");
        }

        long entriesEnd = Unsafe.SizeOf<skbremap_info_hdr>() + ((long)InfoEntriesMax * Unsafe.SizeOf<skbremap_info_entry>());
        if (InfoEntriesMax < 0 || entriesEnd > (long)InfoPages * PageSize)
        {
            throw new ArgumentException(InfoPages == 1
                ? $"{InfoEntriesMax} info entries do not fit a {PageSize}-byte info page"
                : $"{InfoEntriesMax} info entries do not fit {InfoPages} info pages of {PageSize} bytes");
        }

        if (Snaplen > Abi.Skbremap.SKBREMAP_MAX_SNAPLEN)
        {
            throw new ArgumentException($"snaplen {Snaplen} exceeds SKBREMAP_MAX_SNAPLEN");
        }
    }
}
