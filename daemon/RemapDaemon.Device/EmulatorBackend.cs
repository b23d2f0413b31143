using RemapDaemon.Device.Errors;
using RemapDaemon.Protocol;

namespace RemapDaemon.Device;

/// <summary>
/// The workqueue remap emulation (libskbremap_emu.so) in this process: the same ioctls and
/// region as the module, reached by function calls.
/// </summary>
public sealed class EmulatorBackend : ICaptureBackend
{
    public const string LibraryFileName = "libskbremap_emu.so";

    private readonly SafeEmulatorHandle _emu;
    private bool _finiteSource;

    private EmulatorBackend(SafeEmulatorHandle emu)
    {
        _emu = emu;
    }

    public BackendKind Kind => BackendKind.Emulator;

    public string Name => LibraryFileName;

    public bool HasFiniteSource => _finiteSource;

    // 1 when a finite source ended and everything it made is published or dropped, and also
    // when an afpacket source's interface went down or away (the module's POLLHUP).
    public bool SourceDone => Interop.SkbremapEmu.SourceDone(_emu) == 1;

    public unsafe SourceSkippedRecords SourceSkipped
    {
        get
        {
            SourceSkippedRecords skipped = default;
            int rc = Interop.SkbremapEmu.SourceSkipped(_emu, &skipped);
            return rc == 0 ? skipped : throw SkbremapErrors.FromErrno("skbremap_emu_source_skipped", -rc);
        }
    }

    public static unsafe EmulatorBackend Open()
    {
        EmulatorLibraryResolver.Install();
        nint emu = 0;
        int rc;
        try
        {
            rc = Interop.SkbremapEmu.Open(&emu);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            throw new NoDeviceException("skbremap_emu_open", 0,
                $"the emulator backend needs {LibraryFileName} (build it with 'make -C tools/emulator'); " +
                $"looked in: {string.Join(", ", EmulatorLibraryResolver.Candidates())}");
        }

        if (rc < 0)
        {
            throw SkbremapErrors.FromErrno("skbremap_emu_open", -rc);
        }

        return new EmulatorBackend(new SafeEmulatorHandle(emu));
    }

    public unsafe int Ioctl(uint cmd, void* arg) => Interop.SkbremapEmu.Ioctl(_emu, cmd, arg);

    public unsafe SafeMappingHandle Map(ulong offset, ulong length, bool writable)
    {
        int prot = Interop.Sys.PROT_READ | (writable ? Interop.Sys.PROT_WRITE : 0);
        nint address;
        int rc = Interop.SkbremapEmu.Mmap(_emu, offset, length, prot, &address);
        if (rc < 0)
        {
            throw SkbremapErrors.FromErrno($"skbremap_emu_mmap offset {offset} length {length}", -rc);
        }

        return new SafeEmulatorMappingHandle(_emu, address, length);
    }

    public bool Poll(int timeoutMs)
    {
        int rc = Interop.SkbremapEmu.Poll(_emu, timeoutMs);
        if (rc < 0)
        {
            return rc == -Errno.EINTR ? false : throw SkbremapErrors.FromErrno("skbremap_emu_poll", -rc);
        }

        return rc > 0;
    }

    public void SetSource(string spec)
    {
        int rc = Interop.SkbremapEmu.SetSource(_emu, spec);
        if (rc < 0)
        {
            throw rc switch
            {
                -Errno.ENOENT => new BackendUsageException("skbremap_emu_set_source", -rc, $"--source {spec}: no such file"),
                -Errno.EINVAL => new BackendUsageException("skbremap_emu_set_source", -rc,
                    $"--source {spec}: not a source (afpacket, pcap:FILE or synthetic:count=N,min=A,max=B,rate=R)"),
                _ => SkbremapErrors.FromErrno("skbremap_emu_set_source", -rc),
            };
        }

        _finiteSource = !spec.StartsWith("afpacket", StringComparison.Ordinal);
    }

    public void Dispose() => _emu.Dispose();
}
