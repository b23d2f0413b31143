using Microsoft.Extensions.Logging;
using RemapDaemon.Device;
using RemapDaemon.Device.Errors;
using RemapDaemon.Filtering;
using RemapDaemon.Protocol;
using RemapDaemon.Protocol.Abi;
using static RemapDaemon.Protocol.Abi.Skbremap;

namespace RemapDaemon.Engine;

/// <summary>
/// One running capture: the backend, configured, bound, mapped and started. It owns the
/// backend and the region; Dispose unmaps the region, then closes the capture, which makes
/// the module (or emulator) return every page and skb still held.
/// </summary>
public sealed class CaptureSession : IDisposable
{
    // The filter in force, wherever it runs; and whether the backend's packet hook runs it
    // (decided at Open; see ReplaceFilter). Written only by Open and ReplaceFilter.
    private BpfProgram? _filter;
    private bool _filterInHook;

    // What the capture loop runs itself: _filter when !_filterInHook. One reference, read once per window.
    private volatile BpfProgram? _userSpaceFilter;

    private CaptureSession(ICaptureBackend backend, skbremap_version version, int ifindex, Region region, BpfProgram? filter, bool filterInHook)
    {
        Backend = backend;
        Version = version;
        Ifindex = ifindex;
        Region = region;
        _filter = filter;
        _filterInHook = filterInHook;
        _userSpaceFilter = filterInHook ? null : filter;
    }

    public ICaptureBackend Backend { get; }

    public skbremap_version Version { get; }

    /// <summary>The bound interface, 0 = all.</summary>
    public int Ifindex { get; }

    public Region Region { get; }

    public bool Stopped { get; private set; }

    /// <summary>
    /// The filter the capture loop must run itself, because the backend lacks
    /// SKBREMAP_FEAT_FILTER or refused the program; null when there is no filter or the packet
    /// hook runs it. Read it once per window: <see cref="ReplaceFilter"/> swaps it.
    /// </summary>
    public BpfProgram? UserSpaceFilter => _userSpaceFilter;

    /// <summary>The filter in force (in the hook or in remapd); null = every packet.</summary>
    public BpfProgram? Filter => _filter;

    /// <summary>True when skbremap's packet hook runs the filters of this capture, false when the capture loop does.</summary>
    public bool FilterInHook => _filterInHook;

    /// <summary>How many times <see cref="ReplaceFilter"/> has put a new program in force.</summary>
    public int FilterReplacements { get; private set; }

    /// <summary>
    /// The open sequence of the ABI: VERSION (before anything else), CONFIGURE, BIND,
    /// SET_FILTER (when a filter is given and the backend has SKBREMAP_FEAT_FILTER; when it has
    /// not, or rejects the program with EINVAL, the capture loop runs it, with a warning), LAYOUT, mmap of the control part and of the
    /// windows part exactly as the layout says, START.
    /// The interface is resolved by the caller (<see cref="NetworkInterfaces.Resolve"/>) before
    /// the backend is opened, so a typo fails as "unknown interface" whatever the backend.
    /// Takes ownership of <paramref name="backend"/>; on failure everything is undone in
    /// reverse order and the backend is closed.
    /// </summary>
    /// <summary>
    /// config.info_pages: the asked number, or remapd's default for the window size; a backend
    /// without SKBREMAP_FEAT_INFO_PAGES gets 0 (one page), and refuses more with a clear error.
    /// </summary>
    private static uint InfoPagesFor(CaptureSettings settings, in skbremap_version version, string backendName)
    {
        bool has = (version.features & SKBREMAP_FEAT_INFO_PAGES) != 0;
        if (settings.InfoPages > 1 && !has)
        {
            throw new BackendUsageException(nameof(SKBREMAP_IOC_CONFIGURE), Errno.EINVAL,
                $"{backendName} has one info page per window (no SKBREMAP_FEAT_INFO_PAGES, features 0x{version.features:x}): --info-pages {settings.InfoPages} needs a newer skbremap.ko");
        }

        if (settings.InfoPages != 0 || !has)
        {
            return settings.InfoPages;
        }

        uint pages = settings.PagesPerWindow != 0 ? settings.PagesPerWindow : SKBREMAP_DEF_PAGES_PER_WINDOW;
        return (uint)WindowGeometry.DefaultInfoPages((int)version.page_size, (int)Math.Min(pages, SKBREMAP_MAX_PAGES_PER_WINDOW));
    }

    public static CaptureSession Open(ICaptureBackend backend, CaptureSettings settings, ILogger logger)
    {
        Region? region = null;
        try
        {
            skbremap_version version = backend.CheckVersion();
            Log.VersionChecked(logger, backend.Name, version.abi_version, version.page_size, version.features);

            int ifindex = settings.Ifindex;
            if (settings.Source is not null)
            {
                backend.SetSource(settings.Source);
            }

            if (settings.Mode != SKBREMAP_MODE_DEFAULT && (version.features & DeliveryModes.Feature(settings.Mode)) == 0)
            {
                throw new BackendUsageException(nameof(SKBREMAP_IOC_CONFIGURE), Errno.EINVAL,
                    $"{backend.Name} has no {DeliveryModes.Name(settings.Mode)} mode (features 0x{version.features:x})");
            }

            backend.Configure(new skbremap_config
            {
                windows = settings.Windows,
                pages_per_window = settings.PagesPerWindow,
                info_pages = InfoPagesFor(settings, version, backend.Name),
                snaplen = settings.Snaplen,
                retire_usec = settings.RetireUsec,
                queue_limit = settings.QueueLimit,
                mode = settings.Mode,
                copy_threshold = settings.CopyThreshold,
            });
            backend.Bind(ifindex, NetworkInterfaces.NameOf(ifindex));

            // Before START: no packet is judged without the filter.
            bool filterInHook = (version.features & SKBREMAP_FEAT_FILTER) != 0;
            if (settings.Filter is { } filter)
            {
                if (!filterInHook)
                {
                    Log.FilterInUserSpace(logger, backend.Name, filter.Expression);
                }
                else
                {
                    try
                    {
                        backend.SetFilter(filter);
                        Log.FilterInstalled(logger, filter.Expression, filter.Length, backend.Name);
                    }
                    catch (FilterRejectedException e)
                    {
                        // As libpcap on Linux does when SO_ATTACH_FILTER refuses a program
                        // (e.g. protochain's backward jump, which classic BPF in the kernel
                        // forbids): run it in user space, and say so.
                        filterInHook = false;
                        Log.FilterRejected(logger, e.Message);
                    }
                }
            }

            skbremap_layout layout = backend.Layout();
            SafeMappingHandle control = backend.Map(layout.ctl_offset, layout.ctl_size, writable: true);
            SafeMappingHandle windows;
            try
            {
                windows = backend.Map(layout.win_offset, layout.win_size, writable: false);
            }
            catch
            {
                control.Dispose();
                throw;
            }

            region = new Region(layout, control, windows);
            Log.RegionMapped(logger, layout.windows, WindowGeometry.InfoPagesOf(layout), layout.info_entries_max, layout.pages_per_window, layout.page_size, layout.ctl_size, layout.win_size);

            backend.Start();
            Log.CaptureStarted(logger, ifindex == 0 ? "every interface" : NetworkInterfaces.NameOf(ifindex), backend.Name,
                settings.Source ?? (backend.Kind == BackendKind.Kernel ? "the network stack" : "afpacket"));
            return new CaptureSession(backend, version, ifindex, region, settings.Filter, filterInHook);
        }
        catch
        {
            region?.Dispose();
            backend.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Puts <paramref name="program"/> (null: no filter) in force in place of the running filter,
    /// so that every packet is judged by the old program or by the new one, never by both or by
    /// neither. Where the filter runs was decided at <see cref="Open"/> and stays:
    /// <list type="bullet">
    /// <item>in skbremap's packet hook: SKBREMAP_IOC_SET_FILTER, which swaps the programs
    /// atomically while the capture runs (the module under RCU, the emulator under its filter
    /// lock); packets already queued or published keep the verdict they got;</item>
    /// <item>in the capture loop: one reference write, which the loop reads once per window, so
    /// the packets of a window not read yet are judged by the new program.</item>
    /// </list>
    /// One move is allowed: a hook running no program that refuses the new one (EINVAL, e.g.
    /// protochain) hands filtering to the capture loop, as at <see cref="Open"/>; no packet was
    /// judged by a hook program, so none is judged twice. A hook running a program that refuses
    /// the new one keeps the old one (moving would judge the packets in flight by both).
    /// Call on the capture loop's thread (<see cref="CaptureLoop"/> does).
    /// </summary>
    /// <returns>True when the hook runs the new program, false when the capture loop does.</returns>
    /// <exception cref="FilterRejectedException">The hook refused the program and keeps the old one.</exception>
    /// <exception cref="SkbremapException">SET_FILTER failed otherwise; the old program stays.</exception>
    public bool ReplaceFilter(BpfProgram? program)
    {
        if (_filterInHook)
        {
            try
            {
                Backend.SetFilter(program);
            }
            catch (FilterRejectedException) when (_filter is null)
            {
                _filterInHook = false;
            }
        }

        _filter = program;
        _userSpaceFilter = _filterInHook ? null : program;
        FilterReplacements++;
        return _filterInHook;
    }

    /// <summary>SKBREMAP_IOC_STATS; callable from any thread at any time.</summary>
    public skbremap_stats Stats() => Backend.Stats();

    /// <summary>SKBREMAP_IOC_STOP once: the module publishes the part-full window (flush).</summary>
    public void Stop()
    {
        if (!Stopped)
        {
            Backend.Stop();
            Stopped = true;
        }
    }

    public void Dispose()
    {
        Region.Dispose();
        Backend.Dispose();
    }
}
