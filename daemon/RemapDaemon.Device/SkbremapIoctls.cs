using RemapDaemon.Device.Errors;
using RemapDaemon.Filtering;
using RemapDaemon.Protocol;
using RemapDaemon.Protocol.Abi;
using static RemapDaemon.Protocol.Abi.Skbremap;

namespace RemapDaemon.Device;

/// <summary>The SKBREMAP_IOC_* calls, typed, throwing the specific exception for each failure.</summary>
public static class SkbremapIoctls
{
    /// <summary>
    /// SKBREMAP_IOC_VERSION, checked: the first call of every consumer. A wrong magic or ABI
    /// version stops everything before a struct of another layout is exchanged.
    /// </summary>
    public static skbremap_version CheckVersion(this ICaptureBackend backend)
    {
        skbremap_version version = Read<skbremap_version>(backend, SKBREMAP_IOC_VERSION, nameof(SKBREMAP_IOC_VERSION));
        if (version.magic != SKBREMAP_MAGIC || version.abi_version != SKBREMAP_ABI_VERSION)
        {
            throw new AbiVersionMismatchException(backend.Name, version.magic, SKBREMAP_MAGIC, version.abi_version, SKBREMAP_ABI_VERSION);
        }

        return version;
    }

    public static void Configure(this ICaptureBackend backend, in skbremap_config config)
    {
        int rc = Write(backend, SKBREMAP_IOC_CONFIGURE, config);
        if (rc < 0)
        {
            throw -rc == Errno.EINVAL
                ? new BackendUsageException(nameof(SKBREMAP_IOC_CONFIGURE), -rc,
                    $"{backend.Name} rejected the configuration (windows {config.windows}, pages per window {config.pages_per_window}, info pages {config.info_pages}, " +
                    $"snaplen {config.snaplen}, retire {config.retire_usec} us, queue limit {config.queue_limit}, " +
                    $"mode {config.mode}, copy threshold {config.copy_threshold}): out of range")
                : SkbremapErrors.FromErrno(nameof(SKBREMAP_IOC_CONFIGURE), -rc);
        }
    }

    /// <summary>SKBREMAP_IOC_BIND; <paramref name="interfaceName"/> is for the message only.</summary>
    public static void Bind(this ICaptureBackend backend, int ifindex, string interfaceName)
    {
        var bind = new skbremap_bind { ifindex = ifindex };
        int rc = Write(backend, SKBREMAP_IOC_BIND, bind);
        if (rc < 0)
        {
            throw -rc is Errno.ENODEV or Errno.ENXIO
                ? new UnknownInterfaceException(nameof(SKBREMAP_IOC_BIND), -rc, interfaceName)
                : SkbremapErrors.FromErrno(nameof(SKBREMAP_IOC_BIND), -rc);
        }
    }

    /// <summary>
    /// SKBREMAP_IOC_SET_FILTER: installs <paramref name="program"/> in the packet hook (null
    /// removes the filter). Allowed running or stopped; the swap is atomic. skbremap copies the
    /// instructions before it returns; the program is kept alive (its array is pinned) until then.
    /// </summary>
    /// <exception cref="FilterRejectedException">EINVAL: the program failed skbremap's checks.</exception>
    public static unsafe void SetFilter(this ICaptureBackend backend, BpfProgram? program)
    {
        var filter = new skbremap_filter
        {
            len = (uint)(program?.Length ?? 0),
            insns = program is null ? 0 : (ulong)program.InstructionsAddress,
        };
        int rc = backend.Ioctl(SKBREMAP_IOC_SET_FILTER, &filter);
        GC.KeepAlive(program);
        if (rc < 0)
        {
            throw -rc == Errno.EINVAL && program is not null
                ? new FilterRejectedException(backend.Name, program.Expression, program.Length, -rc)
                : SkbremapErrors.FromErrno(nameof(SKBREMAP_IOC_SET_FILTER), -rc);
        }
    }

    public static skbremap_layout Layout(this ICaptureBackend backend) =>
        Read<skbremap_layout>(backend, SKBREMAP_IOC_LAYOUT, nameof(SKBREMAP_IOC_LAYOUT));

    public static unsafe void Start(this ICaptureBackend backend) => Call(backend, SKBREMAP_IOC_START, nameof(SKBREMAP_IOC_START));

    /// <summary>SKBREMAP_IOC_STOP: when it returns, the part-full window is published (flush) and in_flight is 0.</summary>
    public static unsafe void Stop(this ICaptureBackend backend) => Call(backend, SKBREMAP_IOC_STOP, nameof(SKBREMAP_IOC_STOP));

    public static skbremap_stats Stats(this ICaptureBackend backend) =>
        Read<skbremap_stats>(backend, SKBREMAP_IOC_STATS, nameof(SKBREMAP_IOC_STATS));

    public static skbremap_global Global(this ICaptureBackend backend) =>
        Read<skbremap_global>(backend, SKBREMAP_IOC_GLOBAL, nameof(SKBREMAP_IOC_GLOBAL));

    /// <summary>SKBREMAP_IOC_CAPTURES for one index; false (ENOENT) past the last capture.</summary>
    public static unsafe bool TryGetCapture(this ICaptureBackend backend, uint index, out skbremap_capture_info info)
    {
        info = default;
        info.index = index;
        fixed (skbremap_capture_info* p = &info)
        {
            int rc = backend.Ioctl(SKBREMAP_IOC_CAPTURES, p);
            if (rc == -Errno.ENOENT)
            {
                return false;
            }

            if (rc < 0)
            {
                throw SkbremapErrors.FromErrno(nameof(SKBREMAP_IOC_CAPTURES), -rc);
            }
        }

        return true;
    }

    /// <summary>Every open capture the backend can see (the module: all; the emulator: this process's).</summary>
    public static List<skbremap_capture_info> Captures(this ICaptureBackend backend)
    {
        var captures = new List<skbremap_capture_info>();
        for (uint index = 0; backend.TryGetCapture(index, out skbremap_capture_info info); index++)
        {
            captures.Add(info);
        }

        return captures;
    }

    private static unsafe T Read<T>(ICaptureBackend backend, uint cmd, string name)
        where T : unmanaged
    {
        T value = default;
        int rc = backend.Ioctl(cmd, &value);
        if (rc < 0)
        {
            throw SkbremapErrors.FromErrno(name, -rc);
        }

        return value;
    }

    private static unsafe int Write<T>(ICaptureBackend backend, uint cmd, in T value)
        where T : unmanaged
    {
        // The kernel copies from user memory; a local copy keeps the caller's struct out of reach.
        T copy = value;
        return backend.Ioctl(cmd, &copy);
    }

    private static unsafe void Call(ICaptureBackend backend, uint cmd, string name)
    {
        int rc = backend.Ioctl(cmd, null);
        if (rc < 0)
        {
            throw SkbremapErrors.FromErrno(name, -rc);
        }
    }
}
