using System.Runtime.InteropServices;

namespace RemapDaemon.Device;

internal static partial class Interop
{
    /// <summary>
    /// tools/emulator/skbremap_emu.h. Every function returns 0 (or a count) or a
    /// negative errno, like the kernel, so no SetLastError: the errno is the return value.
    /// </summary>
    internal static partial class SkbremapEmu
    {
        [LibraryImport(Libraries.SkbremapEmu, EntryPoint = "skbremap_emu_open")]
        internal static unsafe partial int Open(nint* emu);

        [LibraryImport(Libraries.SkbremapEmu, EntryPoint = "skbremap_emu_ioctl")]
        internal static unsafe partial int Ioctl(SafeEmulatorHandle emu, nuint cmd, void* arg);

        [LibraryImport(Libraries.SkbremapEmu, EntryPoint = "skbremap_emu_mmap")]
        internal static unsafe partial int Mmap(SafeEmulatorHandle emu, ulong offset, ulong length, int prot, nint* addr);

        // Takes the raw pointer: it runs from a mapping's ReleaseHandle, which holds its own
        // reference on the emulator handle.
        [LibraryImport(Libraries.SkbremapEmu, EntryPoint = "skbremap_emu_munmap")]
        internal static partial int Munmap(nint emu, nint addr, ulong length);

        [LibraryImport(Libraries.SkbremapEmu, EntryPoint = "skbremap_emu_poll")]
        internal static partial int Poll(SafeEmulatorHandle emu, int timeoutMs);

        [LibraryImport(Libraries.SkbremapEmu, EntryPoint = "skbremap_emu_set_source", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int SetSource(SafeEmulatorHandle emu, string spec);

        [LibraryImport(Libraries.SkbremapEmu, EntryPoint = "skbremap_emu_source_done")]
        internal static partial int SourceDone(SafeEmulatorHandle emu);

        [LibraryImport(Libraries.SkbremapEmu, EntryPoint = "skbremap_emu_source_skipped")]
        internal static unsafe partial int SourceSkipped(SafeEmulatorHandle emu, SourceSkippedRecords* skipped);

        [LibraryImport(Libraries.SkbremapEmu, EntryPoint = "skbremap_emu_close")]
        internal static partial void Close(nint emu);
    }
}
