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
    /// Takes the numbers of a SKBREMAP_IOC_LAYOUT answer, after <see cref="LayoutValidator.WindowProblem"/>
    /// checked that they describe a window this reader can walk (the layout is kernel input like everything else).
    /// </summary>
    /// <exception cref="ArgumentException">The layout is not consistent.</exception>
    public static WindowGeometry FromLayout(in skbremap_layout l)
    {
        if (LayoutValidator.WindowProblem(l) is string why)
        {
            throw new ArgumentException(why, nameof(l));
        }

        return new WindowGeometry((int)l.page_size, (int)l.pages_per_window, (int)l.info_entries_max, l.snaplen, InfoPagesOf(l));
    }

    /// <summary>Throws unless the numbers describe a window a span can hold and the info page can index.</summary>
    /// <exception cref="ArgumentException">The geometry is not usable.</exception>
    public void Validate()
    {
        if (LayoutValidator.GeometryProblem(PageSize, PagesPerWindow, InfoEntriesMax, Snaplen, InfoPages) is string why)
        {
            throw new ArgumentException(why);
        }
    }
}
