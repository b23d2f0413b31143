using RemapDaemon.EmulatorLane.Tests.Support;
using RemapDaemon.Tests.Support;

namespace RemapDaemon.EmulatorLane.Tests;

/// <summary>
/// A backend that speaks another ABI version: remapd stops after SKBREMAP_IOC_VERSION with exit
/// code 5 and a message naming both versions. The backend is Fakes/abi_next_emu.c, compiled
/// here and loaded in place of the emulator through $SKBREMAP_EMU_LIBRARY; it aborts on any
/// call but VERSION, so a clean exit 5 also proves nothing else was called.
/// </summary>
public sealed class AbiMismatchTests
{
    [Fact]
    public void A_backend_of_the_next_abi_version_exits_5_before_any_other_call()
    {
        using var lane = new Lane();
        string library = lane.PathOf("libabi_next_emu.so");
        ToolResult gcc = ExternalTool.Run("gcc", "-shared", "-fPIC", "-Wall", "-Werror",
            "-I", RepoRoot.Combine("kernel", "include", "uapi"),
            "-o", library, Path.Combine(AppContext.BaseDirectory, "Fakes", "abi_next_emu.c"));
        gcc.ExitCode.Should().Be(0, gcc.ToString());

        using ProgramRunner.RunningProgram remapd = ProgramRunner.Start(ProgramRunner.Remapd,
            new Dictionary<string, string> { ["SKBREMAP_EMU_LIBRARY"] = library },
            "--backend", "emulator", "-i", "lo", "--source", "synthetic:count=1", "-w", lane.PathOf("never.pcap"));
        ToolResult r = remapd.WaitForExit(Lane.Timeout);

        r.ExitCode.Should().Be(5, r.ToString());
        r.Stderr.Should().Contain("ABI version 2, this build speaks ABI version 1");
        File.Exists(lane.PathOf("never.pcap")).Should().BeFalse();
    }
}
