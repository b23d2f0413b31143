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

    /// <summary>remapd with these environment variables set (e.g. TZ) on top of the test's.</summary>
    public static ToolResult RemapdWith(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        using ProgramRunner.RunningProgram remapd = ProgramRunner.Start(ProgramRunner.Remapd, environment, ["--backend", "emulator", .. args]);
        return remapd.WaitForExit(Timeout);
    }

    /// <summary>Waits for <paramref name="condition"/> (30 s at most), failing with what remapd said so far.</summary>
    public static void WaitFor(Func<bool> condition, string what, ProgramRunner.RunningProgram program)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out waiting for {what}; stderr so far:\n{program.StderrSoFar}");
            }

            Thread.Sleep(20);
        }
    }

    /// <summary>The packets written so far, as the last live line (--stats-interval) says.</summary>
    public static long LivePackets(string stderr)
    {
        System.Text.RegularExpressions.MatchCollection lines = System.Text.RegularExpressions.Regex.Matches(stderr, @"s  (\d+) pkts  ");
        return lines.Count == 0 ? 0 : long.Parse(lines[^1].Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>skbremap's own account in the summary: seen, captured, filtered, dropped.</summary>
    public static (ulong Seen, ulong Captured, ulong Filtered, ulong Dropped) SummaryStats(string stderr)
    {
        var m = System.Text.RegularExpressions.Regex.Match(stderr, @"remapd: skbremap: seen (\d+), captured (\d+) \(\d+ bytes\), filtered (\d+), dropped (\d+) ");
        m.Success.Should().BeTrue($"remapd prints skbremap's counters; stderr was:\n{stderr}");
        ulong At(int g) => ulong.Parse(m.Groups[g].Value, System.Globalization.CultureInfo.InvariantCulture);
        return (At(1), At(2), At(3), At(4));
    }

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
