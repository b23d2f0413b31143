using RemapDaemon.Tests.Support;

namespace RemapDaemon.EmulatorLane.Tests.Support;

/// <summary>What every emulator-lane test needs: a scratch folder, and remapd run on the emulator backend.</summary>
internal sealed class Lane : IDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    public Lane()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("remapd-lane-").FullName;
        string library = RepoRoot.Combine("build", "emulator", "libskbremap_emu.so");
        File.Exists(library).Should().BeTrue($"the emulator lane needs {library}: run 'make -C tools/emulator'");
    }

    public string Directory { get; }

    public string PathOf(string name) => Path.Combine(Directory, name);

    public static ToolResult Remapd(params string[] args) =>
        ProgramRunner.Run(ProgramRunner.Remapd, Timeout, ["--backend", "emulator", .. args]);

    public static ProgramRunner.RunningProgram StartRemapd(params string[] args) =>
        ProgramRunner.Start(ProgramRunner.Remapd, ["--backend", "emulator", .. args]);

    /// <summary>The count the final summary reports ("remapd: N packets written to ...").</summary>
    public static long SummaryPackets(string stderr)
    {
        var m = System.Text.RegularExpressions.Regex.Match(stderr, @"remapd: (\d+) packets written to ");
        m.Success.Should().BeTrue($"remapd prints a summary; stderr was:\n{stderr}");
        return long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>capinfos' packet count: an oracle that is not our pcap reader.</summary>
    public static long CapinfosCount(string pcap)
    {
        ToolResult r = ExternalTool.Run("capinfos", "-M", "-c", "-T", pcap);
        r.ExitCode.Should().Be(0, r.ToString());
        // -T: table, header line then "file<TAB>count".
        string last = r.Stdout.Trim().Split('\n')[^1];
        return long.Parse(last.Split('\t')[^1], System.Globalization.CultureInfo.InvariantCulture);
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
