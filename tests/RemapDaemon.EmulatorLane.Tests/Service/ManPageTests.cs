using System.Text.RegularExpressions;
using RemapDaemon.EmulatorLane.Tests.Support;
using RemapDaemon.Tests.Support;

namespace RemapDaemon.EmulatorLane.Tests.Service;

/// <summary>
/// The man pages (docs/man/*.scd, built by scdoc as the .deb builds them) render without a
/// warning from groff or man, and say the same options as --help: every long option the program
/// prints is described in its page, and the page describes no option the program lacks.
/// </summary>
public sealed partial class ManPageTests : IDisposable
{
    private readonly Lane _lane = new();

    public void Dispose() => _lane.Dispose();

    [Theory]
    [InlineData("remapd.8")]
    [InlineData("remapctl.8")]
    [InlineData("remapd.conf.5")]
    public void The_page_builds_with_scdoc_and_renders_with_no_warning(string page)
    {
        string roff = Build(page);

        ToolResult groff = ExternalTool.Run("groff", "-man", "-Tutf8", "-wall", "-z", roff);
        groff.ExitCode.Should().Be(0, groff.ToString());
        groff.Stderr.Should().BeEmpty(groff.ToString());

        ToolResult man = ExternalTool.Run("sh", "-c", $"MANWIDTH=80 man --warnings -l '{roff}'");
        man.ExitCode.Should().Be(0, man.ToString());
        man.Stderr.Should().BeEmpty(man.ToString());
        man.Stdout.Should().Contain("NAME").And.Contain("SEE ALSO");
        man.Stdout.Split('\n').Should().OnlyContain(l => l.TrimEnd().Length <= 80, "MANWIDTH=80");
    }

    private static readonly string[] RemapctlVerbs = ["status", "dump", "fleet status", "fleet find", "fleet extract", "fleet config", "fleet start", "fleet stop"];

    public static TheoryData<string, string, string> Verbs =>
        new() { { "remapd.8", "remapd", "capture" }, { "remapctl.8", "remapctl", "status" }, { "remapctl.8", "remapctl", "dump" },
            { "remapctl.8", "remapctl", "fleet status" }, { "remapctl.8", "remapctl", "fleet find" }, { "remapctl.8", "remapctl", "fleet extract" },
            { "remapctl.8", "remapctl", "fleet config" }, { "remapctl.8", "remapctl", "fleet start" }, { "remapctl.8", "remapctl", "fleet stop" } };

    [Theory]
    [MemberData(nameof(Verbs))]
    public void Every_long_option_of_help_is_in_the_man_page_and_the_page_has_no_other(string page, string program, string verb)
    {
        string[] helped = Helped(program, verb);
        helped.Should().Contain("help").And.HaveCountGreaterThanOrEqualTo(3, $"{program} {verb} --help");

        string source = File.ReadAllText(RepoRoot.Combine("docs", "man", page + ".scd"));
        string[] described = [.. source.Split('\n').Where(l => l.StartsWith("*-", StringComparison.Ordinal))
            .SelectMany(l => PageOption().Matches(l).Select(m => m.Groups[1].Value)).Distinct()];

        helped.Except(described).Should().BeEmpty($"{program} {verb} --help lists them: describe them in docs/man/{page}.scd");
        if (program == "remapd")
        {
            described.Except(helped).Should().BeEmpty($"docs/man/{page}.scd describes options {program} {verb} --help does not list");
        }
        else
        {
            // remapctl.8 describes every verb: each of its options is some verb's.
            described.Except(RemapctlVerbs.SelectMany(v => Helped("remapctl", v)))
                .Should().BeEmpty($"docs/man/{page}.scd describes options no remapctl verb lists");
        }
    }

    private static string[] Helped(string program, string verb)
    {
        ToolResult help = ProgramRunner.Run(program == "remapd" ? ProgramRunner.Remapd : ProgramRunner.Remapctl, Lane.Timeout, [.. verb.Split(' '), "--help"]);
        help.ExitCode.Should().Be(0, help.ToString());
        return [.. HelpOption().Matches(help.Stdout).Select(m => m.Groups[1].Value).Distinct()];
    }

    private string Build(string page)
    {
        string source = RepoRoot.Combine("docs", "man", page + ".scd");
        string roff = _lane.PathOf(page);
        ToolResult r = ExternalTool.Run("sh", "-c", $"scdoc < '{source}' > '{roff}'");
        r.ExitCode.Should().Be(0, $"scdoc (apt-get install scdoc) builds {source}:\n{r}");
        return roff;
    }

    // "  -i IFACE, --interface=IFACE   ..." or "  --format=pcap|pcapng   ..." or "  --json   ...".
    [GeneratedRegex(@"^ {2}(?:-\w(?: \S+)?, )?--([a-z][a-z0-9-]*)", RegexOptions.Multiline)]
    private static partial Regex HelpOption();

    // "*-i, --interface* _IFACE_" at the start of an option's heading.
    [GeneratedRegex(@"--([a-z][a-z0-9-]*)")]
    private static partial Regex PageOption();
}
