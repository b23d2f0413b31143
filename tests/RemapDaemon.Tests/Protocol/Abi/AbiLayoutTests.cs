using RemapDaemon.Protocol.Abi;
using RemapDaemon.Tests.Support;

namespace RemapDaemon.Tests.Protocol.Abi;

/// <summary>
/// The C# mirror in RemapDaemon.Protocol.Abi is checked against kernel/include/uapi/linux/skbremap.h,
/// the single source of truth, by compiling C generated from the mirror.
/// </summary>
public sealed class AbiLayoutTests
{
    private static readonly string UapiInclude = RepoRoot.Combine("kernel", "include", "uapi");

    [Fact]
    public void Mirror_covers_every_struct_of_the_header()
    {
        var mirror = AbiMirror.FromAssembly();

        mirror.Structs.Select(s => s.Name).Should().BeEquivalentTo(
            "skbremap_version", "skbremap_config", "skbremap_layout", "skbremap_bind", "skbremap_stats",
            "skbremap_global", "skbremap_capture_info", "skbremap_ctl_hdr", "skbremap_win_ctl",
            "skbremap_info_hdr", "skbremap_info_entry", "skbremap_filter");
        mirror.Constants.Should().Contain(k => k.Name == nameof(Skbremap.SKBREMAP_IOC_CAPTURES));
        mirror.Constants.Should().Contain(k => k.Name == nameof(Skbremap.SKBREMAP_IOC_SET_FILTER));
        mirror.Constants.Should().Contain(k => k.Name == nameof(Skbremap.SKBREMAP_FEAT_FILTER));
    }

    [Fact]
    public void Mirror_matches_the_uapi_header_when_compiled_by_gcc()
    {
        var result = Compile(AbiCheckSource.Generate(AbiMirror.FromAssembly()));

        result.ExitCode.Should().Be(0, "gcc must accept every static assertion generated from the C# mirror:\n{0}", result);
    }

    [Fact]
    public void Mirror_string_constants_match_the_uapi_header()
    {
        var mirror = AbiMirror.FromAssembly();
        var result = Preprocess(AbiCheckSource.StringProbe(mirror));
        result.ExitCode.Should().Be(0, "{0}", result);

        foreach (var k in mirror.Constants.Where(k => k.Value is string))
        {
            result.Stdout.Should().Contain($"{AbiCheckSource.StringMarker}_{k.Name} \"{k.Value}\"", "{0}", result);
        }
    }

    [Fact]
    public void Check_fails_when_a_field_offset_is_wrong()
    {
        var mirror = AbiMirror.FromAssembly();
        var entry = mirror.Structs.Single(s => s.Name == nameof(skbremap_info_entry));
        var caplen = entry.Fields.Single(f => f.Name == nameof(skbremap_info_entry.caplen));
        var corrupt = entry with { Fields = [.. entry.Fields.Select(f => f == caplen ? f with { Offset = f.Offset + 4 } : f)] };
        var broken = mirror with { Structs = [.. mirror.Structs.Select(s => s == entry ? corrupt : s)] };

        var result = Compile(AbiCheckSource.Generate(broken));

        result.ExitCode.Should().NotBe(0, "a wrong offset must make the check fail:\n{0}", result);
        result.Stderr.Should().Contain("offsetof(struct skbremap_info_entry, caplen) is not 12 as in C#");
    }

    [Fact]
    public void Check_fails_when_a_constant_is_wrong()
    {
        var mirror = AbiMirror.FromAssembly();
        var broken = mirror with
        {
            Constants = [.. mirror.Constants.Select(k => k.Name == nameof(Skbremap.SKBREMAP_WIN_RELEASED) ? k with { Value = 3 } : k)],
        };

        var result = Compile(AbiCheckSource.Generate(broken));

        result.ExitCode.Should().NotBe(0, "{0}", result);
        result.Stderr.Should().Contain("SKBREMAP_WIN_RELEASED is not 3 as in C#");
    }

    [Fact]
    public void Check_fails_when_an_ioctl_number_is_wrong()
    {
        var mirror = AbiMirror.FromAssembly();
        var broken = mirror with
        {
            Constants = [.. mirror.Constants.Select(k => k.Name == nameof(Skbremap.SKBREMAP_IOC_LAYOUT) ? k with { Value = (uint)k.Value + 1 } : k)],
        };

        var result = Compile(AbiCheckSource.Generate(broken));

        result.ExitCode.Should().NotBe(0, "{0}", result);
        result.Stderr.Should().Contain("SKBREMAP_IOC_LAYOUT is not 0x");
    }

    [Fact]
    public void Ioctl_numbers_follow_the_asm_generic_encoding()
    {
        // _IOR('\xbb', 0, struct skbremap_version): read, 32 bytes.
        Skbremap.SKBREMAP_IOC_VERSION.Should().Be(0x8020bb00);
        Skbremap.SKBREMAP_IOC_START.Should().Be(0x0000bb04);
        Skbremap._IOWR<skbremap_capture_info>(0xbb, 8).Should().Be(Skbremap.SKBREMAP_IOC_CAPTURES);

        // _IOW('\xbb', 9, struct skbremap_filter): write, 16 bytes.
        Skbremap.SKBREMAP_IOC_SET_FILTER.Should().Be(0x4010bb09);
    }

    private static ToolResult Compile(string source) =>
        RunGcc(source, "-std=gnu11", "-Wall", "-Wextra", "-Werror", "-fsyntax-only");

    private static ToolResult Preprocess(string source) => RunGcc(source, "-E", "-P");

    private static ToolResult RunGcc(string source, params string[] flags)
    {
        var dir = Directory.CreateTempSubdirectory("remapd-abi-");
        try
        {
            var file = Path.Combine(dir.FullName, "skbremap_abi_check.c");
            File.WriteAllText(file, source);
            return ExternalTool.Run("gcc", [.. flags, "-I", UapiInclude, file]);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
