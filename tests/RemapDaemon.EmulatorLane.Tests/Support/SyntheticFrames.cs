using System.Runtime.InteropServices;
using RemapDaemon.Tests.Support;

namespace RemapDaemon.EmulatorLane.Tests.Support;

/// <summary>
/// The synthetic source's frames as the emulator itself defines them
/// (skbremap_emu_synthetic_frame in tools/emulator/skbremap_emu.h): the expected bytes.
/// </summary>
internal static unsafe class SyntheticFrames
{
    private static readonly Lazy<nint> Library = new(() => NativeLibrary.Load(RepoRoot.Combine("build", "emulator", "libskbremap_emu.so")));

    private static readonly Lazy<nint> Function = new(() => NativeLibrary.GetExport(Library.Value, "skbremap_emu_synthetic_frame"));

    private static readonly Lazy<nint> FlowsFunction = new(() => NativeLibrary.GetExport(Library.Value, "skbremap_emu_synthetic_frame_flows"));

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

    /// <summary>Frame <paramref name="index"/> of the source with flows=<paramref name="flows"/> (skbremap_emu_synthetic_frame_flows).</summary>
    public static byte[] Frame(ulong index, uint length, uint flows)
    {
        var frame = new byte[length];
        var make = (delegate* unmanaged<ulong, uint, uint, byte*, int>)FlowsFunction.Value;
        fixed (byte* p = frame)
        {
            make(index, length, flows, p).Should().Be(0);
        }

        return frame;
    }
}
