using Microsoft.Extensions.Logging;
using RemapDaemon.Abi;
using RemapDaemon.Capture.Filtering;
using static RemapDaemon.Abi.Skbremap;

namespace RemapDaemon.Backends;

/// <summary>
/// One running capture: the backend, configured, bound, mapped and started. It owns the
/// backend and the region; Dispose unmaps the region, then closes the capture, which makes
/// the module (or emulator) return every page and skb still held.
/// </summary>
public sealed class CaptureSession : IDisposable
{
    private CaptureSession(ICaptureBackend backend, skbremap_version version, int ifindex, Region region, BpfProgram? userSpaceFilter)
    {
        Backend = backend;
        Version = version;
        Ifindex = ifindex;
        Region = region;
        UserSpaceFilter = userSpaceFilter;
    }

    public ICaptureBackend Backend { get; }

    public skbremap_version Version { get; }

    /// <summary>The bound interface, 0 = all.</summary>
    public int Ifindex { get; }

    public Region Region { get; }

    public bool Stopped { get; private set; }

    /// <summary>
    /// The filter the capture loop must run itself, because the backend lacks
    /// SKBREMAP_FEAT_FILTER; null when there is no filter or the packet hook runs it.
    /// </summary>
    public BpfProgram? UserSpaceFilter { get; }

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
                throw new BackendUsageException(nameof(SKBREMAP_IOC_CONFIGURE), Interop.Errno.EINVAL,
                    $"{backend.Name} has no {DeliveryModes.Name(settings.Mode)} mode (features 0x{version.features:x})");
            }

            backend.Configure(new skbremap_config
            {
                windows = settings.Windows,
                pages_per_window = settings.PagesPerWindow,
                snaplen = settings.Snaplen,
                retire_usec = settings.RetireUsec,
                queue_limit = settings.QueueLimit,
                mode = settings.Mode,
                copy_threshold = settings.CopyThreshold,
            });
            backend.Bind(ifindex, NetworkInterfaces.NameOf(ifindex));

            // Before START: no packet is judged without the filter.
            BpfProgram? userSpaceFilter = null;
            if (settings.Filter is { } filter)
            {
                if ((version.features & SKBREMAP_FEAT_FILTER) == 0)
                {
                    userSpaceFilter = filter;
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
                        userSpaceFilter = filter;
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
            Log.RegionMapped(logger, layout.windows, layout.pages_per_window, layout.page_size, layout.ctl_size, layout.win_size);

            backend.Start();
            Log.CaptureStarted(logger, ifindex == 0 ? "every interface" : NetworkInterfaces.NameOf(ifindex), backend.Name,
                settings.Source ?? (backend.Kind == BackendKind.Kernel ? "the network stack" : "afpacket"));
            return new CaptureSession(backend, version, ifindex, region, userSpaceFilter);
        }
        catch
        {
            region?.Dispose();
            backend.Dispose();
            throw;
        }
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
