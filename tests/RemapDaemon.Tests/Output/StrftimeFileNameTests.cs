using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using RemapDaemon.Output;
using RemapDaemon.Output.Interop;
using RemapDaemon.Output.Pcap;
using RemapDaemon.Protocol;
using RemapDaemon.Tests.Protocol;
using RemapDaemon.Tests.Support;

namespace RemapDaemon.Tests.Output;

/// <summary>
/// -G names: a -w name expands as strftime(3) expands it for the local time of a second, which
/// date(1) and tcpdump's own -G names (in the same time zone as this process) are the oracles
/// of; struct tm as C# lays it out is glibc's (gcc checks it).
/// </summary>
public sealed class StrftimeFileNameTests : IDisposable
{
    /// <summary>Every conversion the -G option promises, and a few more that glibc has.</summary>
    private const string AllConversions = "%Y %m %d %H %M %S %j %s %y %b %a %e %Z %z %% %F %T %u %V %G %-d %_H %I %p";

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("remapd-strftime-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Theory]
    [InlineData(0L)]                  // the epoch
    [InlineData(951_782_400L)]        // 2000-02-29, a leap day
    [InlineData(1_704_067_199L)]      // 2023-12-31 23:59:59: %j 365, %V/%G of the next ISO year
    [InlineData(1_711_846_800L)]      // 2024-03-31 01:00 UTC, when central Europe springs forward
    [InlineData(1_700_000_000L)]
    [InlineData(2_147_483_648L)]      // past 2038: time_t is 64 bits
    [InlineData(4_102_444_800L)]      // 2100-01-01
    public void Every_conversion_expands_as_date_expands_it_in_the_same_time_zone(long seconds)
    {
        ToolResult date = ExternalTool.Run("date", "-d", $"@{seconds}", $"+{AllConversions}");
        date.ExitCode.Should().Be(0, date.ToString());

        string ours = StrftimeFileName.Format(AllConversions, (ulong)seconds * 1_000_000_000UL + 999_999_999UL);

        ours.Should().Be(date.Stdout.TrimEnd('\n'), "the name of any instant is the name of its second, as date(1) prints it");
    }

    [Fact]
    public void A_G_file_gets_the_name_tcpdump_gives_it_for_the_same_start_second()
    {
        // tcpdump -r FILE -G names its first file by the second it started (time(NULL) through
        // localtime and strftime, tcpdump's MakeFilename): run it and find that name among ours.
        string input = Path.Combine(_dir.FullName, "in.pcap");
        using (var w = new PcapWriter(File.Create(input), 0))
        {
            w.Write(new CapturedPacket { Data = Frames.Udp(60), WireLength = 60, TimestampNs = 1, IfIndex = 1 });
        }

        string output = Path.Combine(_dir.FullName, "out");
        Directory.CreateDirectory(output);
        const string Name = "t-%Y%m%d-%H%M%S-%j-%s-%y-%b-%a-%e-%Z-%z-%%.pcap";
        long before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        ToolResult tcpdump = ExternalTool.Run("tcpdump", "-r", input, "-G", "3600", "-w", Path.Combine(output, Name));
        long after = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        tcpdump.ExitCode.Should().Be(0, tcpdump.ToString());

        string written = Path.GetFileName(Directory.GetFiles(output).Should().ContainSingle().Subject);
        List<string> ours = [.. Enumerable.Range(0, (int)(after - before + 1))
            .Select(i => StrftimeFileName.Format(Name, (ulong)(before + i) * 1_000_000_000UL))];
        ours.Should().Contain(written, "tcpdump started within [{0}, {1}] and named its file '{2}'", before, after, written);
    }

    [Theory]
    [InlineData("cap.pcap", false)]
    [InlineData("cap-%Y%m%d.pcap", true)]
    [InlineData("%s", true)]
    [InlineData("100%%.pcap", false)]
    [InlineData("%%%H", true)]
    [InlineData("trailing%", false)]
    [InlineData("%-d", true)]
    public void Only_a_conversion_other_than_a_literal_percent_makes_names_depend_on_time(string name, bool expected)
    {
        StrftimeFileName.HasConversions(name).Should().Be(expected);
    }

    [Fact]
    public void A_name_longer_than_path_max_once_expanded_is_refused_with_a_message()
    {
        string name = string.Concat(Enumerable.Repeat("%Y", 1100)); // 4400 bytes expanded

        Action format = () => StrftimeFileName.Format(name, 1_700_000_000_000_000_000);

        format.Should().Throw<ArgumentException>().WithMessage("*expanded by strftime is empty or longer than 4096 bytes*");
    }

    [Fact]
    public void The_csharp_struct_tm_is_glibcs_when_compiled_by_gcc()
    {
        ToolResult r = CompileC(Generate(zoneOffsetError: 0));

        r.ExitCode.Should().Be(0, "gcc must accept every assertion generated from the C# layout:\n{0}", r);
    }

    [Fact]
    public void The_layout_check_fails_when_an_offset_is_wrong()
    {
        ToolResult r = CompileC(Generate(zoneOffsetError: 8));

        r.ExitCode.Should().NotBe(0, "a wrong offset must make the check fail:\n{0}", r);
        r.Stderr.Should().Contain("tm.tm_zone");
    }

    private static string Generate(int zoneOffsetError)
    {
        var c = new StringBuilder();
        c.AppendLine("#define _GNU_SOURCE");
        c.AppendLine("#include <stddef.h>");
        c.AppendLine("#include <time.h>");
        c.AppendLine($"_Static_assert(sizeof(struct tm) == {Marshal.SizeOf<tm>()}, \"sizeof tm\");");
        c.AppendLine("_Static_assert(sizeof(time_t) == sizeof(long long), \"time_t is 64 bits (LibC.localtime_r takes a long*)\");");
        foreach (string field in new[] { "tm_sec", "tm_min", "tm_hour", "tm_mday", "tm_mon", "tm_year", "tm_wday", "tm_yday", "tm_isdst", "tm_gmtoff", "tm_zone" })
        {
            nint offset = Marshal.OffsetOf<tm>(field) + (field == "tm_zone" ? zoneOffsetError : 0);
            c.AppendLine(CultureInfo.InvariantCulture, $"_Static_assert(offsetof(struct tm, {field}) == {offset}, \"tm.{field}\");");
        }

        return c.ToString();
    }

    private ToolResult CompileC(string c)
    {
        string source = Path.Combine(_dir.FullName, "tm.c");
        File.WriteAllText(source, c);
        return ExternalTool.Run("gcc", "-std=gnu11", "-Wall", "-Werror", "-fsyntax-only", source);
    }
}
