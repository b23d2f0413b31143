using RemapDaemon.Tests.Support;

namespace RemapDaemon.EmulatorLane.Tests.Support;

/// <summary>tcpdump as the judge: what it selects from a file, and the two captures compared packet for packet as it prints them.</summary>
internal static class TcpdumpOracle
{
    /// <summary>tcpdump -r INPUT -w OUTPUT EXPRESSION: the packets tcpdump itself selects.</summary>
    public static void Select(string input, string output, string expression)
    {
        ToolResult r = ExternalTool.Run("tcpdump", ["-r", input, "-w", output, .. Words(expression)]);
        r.ExitCode.Should().Be(0, r.ToString());
    }

    /// <summary>
    /// tcpdump -r -nn -tt -xx -S of both files, split into packets; both must read cleanly.
    /// -S (absolute TCP sequence numbers): tcpdump's relative ones restart in every file it reads.
    /// </summary>
    public static (List<string> Expected, List<string> Actual) ReadBoth(string expected, params string[] actualFiles)
    {
        ToolResult want = TcpdumpText.Read(expected, "-S");
        want.ExitCode.Should().Be(0, want.ToString());
        var got = new List<string>();
        foreach (string file in actualFiles)
        {
            ToolResult r = TcpdumpText.Read(file, "-S");
            r.ExitCode.Should().Be(0, r.ToString());
            got.AddRange(TcpdumpText.Packets(r.Stdout));
        }

        return (TcpdumpText.Packets(want.Stdout), got);
    }

    /// <summary>Asserts the same packets in the same order: time stamp, summary line, lengths and every byte.</summary>
    public static void ShouldEqual(List<string> actual, List<string> expected, string what)
    {
        actual.Should().HaveCount(expected.Count, "{0}: remapd must write exactly the packets tcpdump selects", what);
        for (int i = 0; i < expected.Count; i++)
        {
            actual[i].Should().Be(expected[i], "{0}: packet {1}", what, i);
        }
    }

    /// <summary>An expression as tcpdump's trailing words (it joins them again).</summary>
    public static string[] Words(string expression) =>
        expression.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
