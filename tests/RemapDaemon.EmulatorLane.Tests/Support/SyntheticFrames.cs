using System.Runtime.InteropServices;
using RemapDaemon.Tests.Support;

namespace RemapDaemon.EmulatorLane.Tests.Support;

/// <summary>
/// The synthetic source's frames as the emulator itself defines them
/// (skbremap_emu_synthetic_frame in tools/emulator/skbremap_emu.h): the expected bytes.
/// </summary>
internal static unsafe class SyntheticFrames
{
    private static readonly Lazy<nint> Function = new(() =>
    {
        nint library = NativeLibrary.Load(RepoRoot.Combine("build", "emulator", "libskbremap_emu.so"));
        return NativeLibrary.GetExport(library, "skbremap_emu_synthetic_frame");
    });

    public static byte[] Frame(ulong index, uint length)
    {
        var frame = new byte[length];
        var make = (delegate* unmanaged<ulong, uint, byte*, int>)Function.Value;
        fixed (byte* p = frame)
        {
            make(index, length, p).Should().Be(0);
        }

        return frame;
    }
}
