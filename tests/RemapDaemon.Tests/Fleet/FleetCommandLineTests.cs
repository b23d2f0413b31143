using System.Net;
using System.Net.Sockets;
using RemapDaemon.Tests.Support;

namespace RemapDaemon.Tests.Fleet;

/// <summary>
/// remapctl fleet as a user runs it, without a hub: what is wrong with the command line exits 2
/// before any connection; a hub that does not answer exits 1 naming the URL.
/// </summary>
public sealed class FleetCommandLineTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>A loopback port nobody listens on (bound, then closed: refused at once).</summary>
    private static readonly string NoHub = $"nats://127.0.0.1:{ClosedPort()}";

    [Fact]
    public void Help_lists_the_fleet_verbs_and_each_verbs_options()
    {
        ToolResult top = Remapctl("--help");
        top.ExitCode.Should().Be(0, top.ToString());
        top.Stdout.Should().Contain("fleet");

        ToolResult fleet = Remapctl("fleet", "--help");
        fleet.ExitCode.Should().Be(0, fleet.ToString());
        fleet.Stdout.Should().Contain("status").And.Contain("find").And.Contain("extract").And.Contain("config").And.Contain("start").And.Contain("stop");

        ToolResult extract = Remapctl("fleet", "extract", "--help");
        extract.ExitCode.Should().Be(0, extract.ToString());
        extract.Stdout.Should().Contain("--from").And.Contain("--write").And.Contain("--host").And.Contain("--server").And.Contain("REMAPD_FLEET_SERVER");
    }

    [Theory]
    [InlineData("fleet frobnicate", "unknown command 'frobnicate'")]
    [InlineData("fleet find --from yesterday", "--from yesterday: not a time")]
    [InlineData("fleet find --from now --to 1h_ago", "--to 1h_ago: not a time")]
    [InlineData("fleet find --from now --to 1000", "is before --from")]
    [InlineData("fleet find port 99999999", "filter 'port 99999999':")]
    [InlineData("fleet extract -w /dev/null tcp and (", "filter 'tcp and (': ")]
    [InlineData("fleet extract udp", "'-w/--write' is required")]
    [InlineData("fleet extract -w /dev/null -F tar", "-F/--format tar: not a format")]
    [InlineData("fleet extract -w /dev/null --host bad.host", "'bad.host': not a host name")]
    [InlineData("fleet config set snaplen", "'snaplen': not KEY=VALUE")]
    [InlineData("fleet config set", "no KEY=VALUE given")]
    [InlineData("fleet config frob", "config frob: not an action")]
    [InlineData("fleet config get --host h1 --all", "--host and --all")]
    [InlineData("fleet stop", "'--host' is required")]
    [InlineData("fleet start --host a*b", "'a*b': not a host name")]
    public void A_bad_command_line_exits_2_before_connecting(string args, string message)
    {
        ToolResult r = Remapctl([.. args.Split(' '), "--server", NoHub]);

        r.ExitCode.Should().Be(2, r.ToString());
        r.Stderr.Should().Contain(message);
        r.Stderr.Should().NotContain("does not answer", "nothing was asked of the hub");
    }

    [Fact]
    public void Fleet_without_a_verb_exits_2()
    {
        ToolResult r = Remapctl("fleet");

        r.ExitCode.Should().Be(2, r.ToString());
        r.Stderr.Should().Contain("No verb selected");
    }

    [Theory]
    [InlineData("fleet status")]
    [InlineData("fleet find udp")]
    [InlineData("fleet config get")]
    [InlineData("fleet stop --host h1")]
    public void A_hub_that_does_not_answer_exits_1_naming_it(string args)
    {
        ToolResult r = Remapctl([.. args.Split(' '), "--server", NoHub]);

        r.ExitCode.Should().Be(1, r.ToString());
        r.Stderr.Should().StartWith($"remapctl: error: the hub at {NoHub} does not answer");
        r.Stderr.Trim().Split('\n').Should().ContainSingle("one line says it");
    }

    [Fact]
    public void The_hub_comes_from_the_environment_when_server_is_not_given()
    {
        using ProgramRunner.RunningProgram p = ProgramRunner.Start(ProgramRunner.Remapctl,
            new Dictionary<string, string> { ["REMAPD_FLEET_SERVER"] = NoHub }, "fleet", "status");
        ToolResult r = p.WaitForExit(Timeout);

        r.ExitCode.Should().Be(1, r.ToString());
        r.Stderr.Should().Contain($"the hub at {NoHub} does not answer");
    }

    private static ToolResult Remapctl(params string[] args) => ProgramRunner.Run(ProgramRunner.Remapctl, Timeout, args);

    private static int ClosedPort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
