using System.Runtime.InteropServices;
using RemapDaemon.Device.Errors;
using RemapDaemon.Protocol;
using static RemapDaemon.Protocol.Abi.Skbremap;

namespace RemapDaemon.Device;

/// <summary>skbremap.ko through /dev/skbremap: open/ioctl/mmap/poll on the device fd.</summary>
public sealed class KernelBackend : ICaptureBackend
{
    public const string DevicePath = "/dev/" + SKBREMAP_DEVICE_NAME;

    private readonly SafeDeviceHandle _fd;
    private volatile bool _hangup;

    private KernelBackend(SafeDeviceHandle fd)
    {
        _fd = fd;
    }

    public BackendKind Kind => BackendKind.Kernel;

    public string Name => DevicePath;

    public bool HasFiniteSource => false;

    /// <summary>
    /// The module ended this capture (poll answered POLLHUP or POLLERR: its interface went
    /// away, or the module is going): nothing more will be published.
    /// </summary>
    public bool SourceDone => _hangup;

    public static bool DeviceExists => File.Exists(DevicePath);

    public static KernelBackend Open(string path = DevicePath)
    {
        int fd = Interop.Sys.Open(path, Interop.Sys.O_RDWR | Interop.Sys.O_CLOEXEC);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw errno switch
            {
                Errno.ENOENT or Errno.ENXIO or Errno.ENODEV => new NoDeviceException(
                    "open", errno, $"{path}: no such device: is skbremap.ko loaded? (use --backend emulator to run without it)"),
                _ => SkbremapErrors.FromErrno($"open {path}", errno),
            };
        }

        var handle = new SafeDeviceHandle();
        Marshal.InitHandle(handle, fd);
        return new KernelBackend(handle);
    }

    public unsafe int Ioctl(uint cmd, void* arg)
    {
        int rc = Interop.Sys.Ioctl(_fd, cmd, arg);
        return rc < 0 ? -Marshal.GetLastPInvokeError() : rc;
    }

    public SafeMappingHandle Map(ulong offset, ulong length, bool writable)
    {
        int prot = Interop.Sys.PROT_READ | (writable ? Interop.Sys.PROT_WRITE : 0);
        nint address = Interop.Sys.Mmap(0, checked((nuint)length), prot, Interop.Sys.MAP_SHARED, _fd, checked((long)offset));
        if (address == Interop.Sys.MAP_FAILED)
        {
            throw SkbremapErrors.FromErrno($"mmap offset {offset} length {length}", Marshal.GetLastPInvokeError());
        }

        return new SafeMmapHandle(address, length);
    }

    public unsafe bool Poll(int timeoutMs)
    {
        bool added = false;
        _fd.DangerousAddRef(ref added);
        try
        {
            var pfd = new Interop.Sys.PollFd { Fd = _fd.Fd, Events = Interop.Sys.POLLIN };
            int rc = Interop.Sys.Poll(&pfd, 1, timeoutMs);
            if (rc < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                // A signal (SIGINT handled by PosixSignalRegistration) interrupts poll: not an error.
                return errno == Errno.EINTR ? false : throw SkbremapErrors.FromErrno("poll", errno);
            }

            if ((pfd.REvents & (Interop.Sys.POLLHUP | Interop.Sys.POLLERR)) != 0)
            {
                _hangup = true;
            }

            return rc > 0 && (pfd.REvents & Interop.Sys.POLLIN) != 0;
        }
        finally
        {
            _fd.DangerousRelease();
        }
    }

    public void SetSource(string spec) =>
        throw new BackendUsageException("set source", Errno.EINVAL,
            $"--source {spec}: the kernel backend captures from the network stack; sources are for --backend emulator");

    public void Dispose() => _fd.Dispose();
}
