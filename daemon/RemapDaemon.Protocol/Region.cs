using RemapDaemon.Protocol.Abi;
using static RemapDaemon.Protocol.Abi.Skbremap;

namespace RemapDaemon.Protocol;

/// <summary>
/// The mapped region of one capture: the control part (read-write: header and one
/// skbremap_win_ctl per window) and the windows part (read-only: info page + data pages
/// per window), exactly as SKBREMAP_IOC_LAYOUT describes them.
/// <para>
/// Ownership: a window's memory may be read only between observing READY (acquire) and
/// writing RELEASED (release); after that the kernel unmaps its pages. Spans handed out
/// point into the mappings and must not outlive this object, which owns both mappings.
/// </para>
/// </summary>
public sealed unsafe class Region : IDisposable
{
    private readonly SafeMappingHandle _control;
    private readonly SafeMappingHandle _windows;
    private readonly byte* _controlBase;
    private readonly byte* _windowsBase;
    private readonly MappedMemory _windowsMemory;

    /// <summary>Takes ownership of both mappings (also when it throws).</summary>
    public Region(skbremap_layout layout, SafeMappingHandle control, SafeMappingHandle windows)
    {
        _control = control;
        _windows = windows;
        try
        {
            LayoutValidator.Validate(layout);
            if (control.Length != layout.ctl_size || windows.Length != layout.win_size)
            {
                throw new InvalidOperationException("mappings do not match the layout");
            }

            Layout = layout;
            _controlBase = control.Pointer;
            _windowsBase = windows.Pointer;
            _windowsMemory = new MappedMemory(_windowsBase, checked((int)layout.win_size));

            ref readonly skbremap_ctl_hdr header = ref Header;
            if (header.magic != SKBREMAP_MAGIC || header.abi_version != SKBREMAP_ABI_VERSION || header.windows != layout.windows
                || header.pages_per_window != layout.pages_per_window)
            {
                throw new SkbremapException("control header", 0,
                    $"control header disagrees with the layout (magic 0x{header.magic:x8}, abi {header.abi_version}, " +
                    $"{header.windows} windows of {header.pages_per_window} pages)");
            }
        }
        catch
        {
            windows.Dispose();
            control.Dispose();
            throw;
        }
    }

    public skbremap_layout Layout { get; }

    public int Windows => (int)Layout.windows;

    public int PageSize => (int)Layout.page_size;

    public ref readonly skbremap_ctl_hdr Header => ref *(skbremap_ctl_hdr*)_controlBase;

    /// <summary>Acquire-load of win_ctl[window].status: after READY, the window's pages are ours to read.</summary>
    public uint Status(int window) => Volatile.Read(ref WinCtl(window)->status);

    /// <summary>win_ctl[window].seq; meaningful only after <see cref="Status"/> returned READY.</summary>
    public ulong Seq(int window) => Volatile.Read(ref WinCtl(window)->seq);

    /// <summary>
    /// The READY window with the lowest sequence number not below <paramref name="fromSeq"/>
    /// (sequence numbers only grow, so with 0 it is the oldest window to consume); false when
    /// none is READY. One scan of the control part: each status load is an acquire, so the
    /// window found is readable. Calling it again from the found seq + 1 walks every READY
    /// window oldest first.
    /// </summary>
    public bool TryFindOldestReady(ulong fromSeq, out int window, out ulong seq)
    {
        window = -1;
        seq = ulong.MaxValue;
        for (int w = 0; w < Windows; w++)
        {
            if (Status(w) == SKBREMAP_WIN_READY)
            {
                ulong s = Seq(w);
                if (s >= fromSeq && s < seq)
                {
                    window = w;
                    seq = s;
                }
            }
        }

        return window >= 0;
    }

    /// <summary>
    /// Release-store of RELEASED: every read of the window happens before the kernel sees it
    /// and takes the pages back. No span of the window may be used after this.
    /// </summary>
    public void Release(int window) => Volatile.Write(ref WinCtl(window)->status, (uint)SKBREMAP_WIN_RELEASED);

    /// <summary>The whole window: info pages followed by the data pages.</summary>
    public ReadOnlySpan<byte> Window(int window) =>
        new(_windowsBase + (checked((uint)window) * Layout.win_stride), (int)Layout.win_stride);

    /// <summary>
    /// <see cref="Window"/> as memory (for SCATTER packets' <see cref="CapturedPacket.Sequence"/>);
    /// the same ownership rules apply.
    /// </summary>
    public ReadOnlyMemory<byte> WindowMemory(int window) =>
        _windowsMemory.Memory.Slice(checked((int)((uint)window * Layout.win_stride)), (int)Layout.win_stride);

    /// <summary>Info pages per window (layout.info_pages; 1 from a module that predates the field).</summary>
    public int InfoPages => WindowGeometry.InfoPagesOf(Layout);

    /// <summary>The window's info area: its info pages (the header, then the entries).</summary>
    public ReadOnlySpan<byte> InfoPage(int window) => Window(window)[..(InfoPages * PageSize)];

    public ReadOnlySpan<byte> DataPages(int window) => Window(window)[(InfoPages * PageSize)..];

    public void Dispose()
    {
        // Reverse of mapping order: windows part, then control part.
        _windows.Dispose();
        _control.Dispose();
    }

    private skbremap_win_ctl* WinCtl(int window)
    {
        if ((uint)window >= Layout.windows)
        {
            throw new ArgumentOutOfRangeException(nameof(window));
        }

        return (skbremap_win_ctl*)(_controlBase + Layout.win_ctl_offset + ((ulong)(uint)window * Layout.win_ctl_size));
    }
}
