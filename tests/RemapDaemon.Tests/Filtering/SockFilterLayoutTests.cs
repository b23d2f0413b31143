using System.Runtime.InteropServices;
using System.Text;
using RemapDaemon.Filtering;
using RemapDaemon.Tests.Support;

namespace RemapDaemon.Tests.Filtering;

/// <summary>
/// sock_filter and sock_fprog are checked against linux/filter.h and libpcap's pcap/bpf.h by
/// compiling C generated from the C# layout, as the ABI mirror is.
/// </summary>
public sealed class SockFilterLayoutTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("remapd-sockfilter-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public void The_csharp_layout_is_struct_sock_filter_struct_bpf_insn_and_struct_sock_fprog_when_compiled_by_gcc()
    {
        string c = Generate(kOffsetError: 0);

        ToolResult r = CompileC(c);

        r.ExitCode.Should().Be(0, "gcc must accept every assertion generated from the C# layout:\n{0}\n{1}", r, c);
    }

    [Fact]
    public void The_check_fails_when_an_offset_is_wrong()
    {
        ToolResult r = CompileC(Generate(kOffsetError: 1));

        r.ExitCode.Should().NotBe(0, "a wrong offset must make the check fail:\n{0}", r);
        r.Stderr.Should().Contain("sock_filter.k");
    }

    private string Generate(int kOffsetError)
    {
        var c = new StringBuilder();
        c.AppendLine("#include <stddef.h>");
        c.AppendLine("#include <linux/filter.h>");
        c.AppendLine("#include <sys/types.h>");
        c.AppendLine("#include <pcap/pcap.h>");
        Assert(c, "sock_filter", Marshal.SizeOf<sock_filter>(), [
            ("code", Marshal.OffsetOf<sock_filter>(nameof(sock_filter.code))),
            ("jt", Marshal.OffsetOf<sock_filter>(nameof(sock_filter.jt))),
            ("jf", Marshal.OffsetOf<sock_filter>(nameof(sock_filter.jf))),
            ("k", Marshal.OffsetOf<sock_filter>(nameof(sock_filter.k)) + kOffsetError)]);
        Assert(c, "bpf_insn", Marshal.SizeOf<sock_filter>(), [
            ("code", Marshal.OffsetOf<sock_filter>(nameof(sock_filter.code))),
            ("jt", Marshal.OffsetOf<sock_filter>(nameof(sock_filter.jt))),
            ("jf", Marshal.OffsetOf<sock_filter>(nameof(sock_filter.jf))),
            ("k", Marshal.OffsetOf<sock_filter>(nameof(sock_filter.k)))]);
        Assert(c, "sock_fprog", Marshal.SizeOf<sock_fprog>(), [
            ("len", Marshal.OffsetOf<sock_fprog>(nameof(sock_fprog.len))),
            ("filter", Marshal.OffsetOf<sock_fprog>(nameof(sock_fprog.filter)))]);
        c.AppendLine($"_Static_assert(BPF_MAXINSNS == {BpfProgram.MaxInstructions}, \"BPF_MAXINSNS\");");
        c.AppendLine($"_Static_assert(PCAP_NETMASK_UNKNOWN == {BpfProgram.NetmaskUnknown}u, \"PCAP_NETMASK_UNKNOWN\");");
        return c.ToString();
    }

    private ToolResult CompileC(string c)
    {
        string source = Path.Combine(_dir.FullName, "layout.c");
        File.WriteAllText(source, c);
        return ExternalTool.Run("gcc", "-std=gnu11", "-Wall", "-Werror", "-fsyntax-only", source);
    }

    private static void Assert(StringBuilder c, string type, int size, (string Field, nint Offset)[] fields)
    {
        c.AppendLine($"_Static_assert(sizeof(struct {type}) == {size}, \"sizeof {type}\");");
        foreach ((string field, nint offset) in fields)
        {
            c.AppendLine($"_Static_assert(offsetof(struct {type}, {field}) == {offset}, \"{type}.{field}\");");
        }
    }
}
