using RemapDaemon.Tests.Support;

namespace RemapDaemon.Tests.Cli;

/// <summary>remapctl shares remapd's parsing rules and exit codes.</summary>
public sealed class RemapctlCommandLineTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static ToolResult Remapctl(params string[] args) => ProgramRunner.Run(ProgramRunner.Remapctl, Timeout, args);

    [Fact]
    public void Help_lists_status_and_dump()
    {
        ToolResult r = Remapctl("--help");

        r.ExitCode.Should().Be(0, r.ToString());
        r.Stdout.Should().Contain("status").And.Contain("dump");
    }

    [Theory]
    [InlineData("dump --bogus", "unknown option 'bogus'")]
    [InlineData("status --backend fpga", "--backend fpga: not a backend")]
    [InlineData("dump -d 0", "-d/--duration: seconds, more than 0")]
    public void A_bad_option_exits_2(string args, string message)
    {
        ToolResult r = Remapctl(args.Split(' '));

        r.ExitCode.Should().Be(2, r.ToString());
        r.Stderr.Should().Contain(message);
    }

    [Fact]
    public void Status_on_the_kernel_backend_without_dev_skbremap_exits_3()
    {
        File.Exists("/dev/skbremap").Should().BeFalse("this test runs where skbremap.ko is not loaded (the host lanes)");

        ToolResult r = Remapctl("status", "--backend", "kernel");

        r.ExitCode.Should().Be(3, r.ToString());
    }

    [Fact]
    public void Dump_of_an_unknown_interface_exits_6()
    {
        ToolResult r = Remapctl("dump", "-i", "nosuchif0");

        r.ExitCode.Should().Be(6, r.ToString());
    }
}
