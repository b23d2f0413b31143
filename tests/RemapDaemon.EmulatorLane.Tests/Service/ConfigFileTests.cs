using RemapDaemon.EmulatorLane.Tests.Support;
using RemapDaemon.Tests.Support;

namespace RemapDaemon.EmulatorLane.Tests.Service;

/// <summary>
/// remapd capture --config FILE: the file's keys are capture's long options; every fault is
/// refused before anything opens, exit 2, with FILE:LINE; a SIGHUP reads the file again, swaps
/// a new filter, refuses a bad file and keeps running, and names what needs a restart.
/// </summary>
public sealed class ConfigFileTests : IDisposable
{
    private const int SIGHUP = 1;
    private readonly Lane _lane = new();

    public void Dispose() => _lane.Dispose();

    [Fact]
    public void A_file_of_long_options_runs_the_capture_and_a_later_command_line_option_wins()
    {
        string conf = Write("syn.conf", $"""
            # a finite synthetic capture
            [capture syn]
            source = synthetic:count=3000,min=60,max=200
            write = {_lane.PathOf("out.pcap")}
            filter = udp
            count = 5000
            quiet = yes
            """);

        ToolResult r = Lane.Remapd("--config", conf, "--count", "1000");

        r.ExitCode.Should().Be(0, r.ToString());
        Lane.SummaryPackets(r.Stderr).Should().Be(1000, "-c 1000 after --config overrides count = 5000");
        Lane.CapinfosCount(_lane.PathOf("out.pcap")).Should().Be(1000);
        r.Stderr.Should().Contain("filter 'udp'");
    }

    [Theory]
    [InlineData("interfac = lo", "unknown key 'interfac'")]
    [InlineData("snaplen = lots", "'snaplen = lots': option '-s/--snaplen': bad value")]
    [InlineData("windows = 1", "--windows: 2..256")]
    [InlineData("mode = teleport", "--mode: one of")]
    [InlineData("filter = tcp port http2", "filter expression 'tcp port http2': ")]
    [InlineData("quiet = maybe", "a switch is yes/no")]
    [InlineData("metrics-listen = localhost", "not ADDR:PORT")]
    [InlineData("write = /nonexistent-dir/x.pcap", "the directory /nonexistent-dir does not exist")]
    [InlineData("write = /proc/x.pcap", "cannot create files in /proc")]
    [InlineData("just words", "not 'key = value'")]
    public void A_bad_line_is_refused_at_start_with_exit_2_naming_FILE_and_LINE(string line, string reason)
    {
        string write = line.StartsWith("write", StringComparison.Ordinal) ? "" : $"write = {_lane.PathOf("out.pcap")}";
        string conf = Write("bad.conf", $"""
            # line 1
            source = synthetic:count=10
            {(write.Length > 0 ? write : "# no write here")}
            {line}
            """);

        ToolResult r = Lane.Remapd("--config", conf);

        r.ExitCode.Should().Be(2, r.ToString());
        r.Stderr.Should().Contain($"remapd: error: {conf}:4: ").And.Contain(reason);
        File.Exists(_lane.PathOf("out.pcap")).Should().BeFalse("nothing is opened before the file is accepted");
    }

    [Fact]
    public void A_key_given_twice_is_refused_naming_both_lines()
    {
        string conf = Write("twice.conf", "snaplen = 100\nwrite = -\nsnaplen = 200\n");

        ToolResult r = Lane.Remapd("--config", conf);

        r.ExitCode.Should().Be(2, r.ToString());
        r.Stderr.Should().Contain($"{conf}:3: 'snaplen' given twice (first at line 1)");
    }

    [Fact]
    public void Reload_swaps_the_filter_refuses_a_bad_file_and_logs_what_needs_a_restart()
    {
        string conf = _lane.PathOf("live.conf");
        string Config(string filter, string snaplen = "") => $"""
            [capture live]
            source = synthetic:count=100000000,min=60,max=200,rate=2000
            write = {_lane.PathOf("live.pcap")}
            stats-interval = 0.2
            {filter}
            {snaplen}
            """;
        File.WriteAllText(conf, Config("filter = udp"));

        using ProgramRunner.RunningProgram remapd = Lane.StartRemapd("--config", conf);
        Lane.WaitFor(() => Lane.LivePackets(remapd.StderrSoFar) > 0, "packets", remapd);

        // A bad file: refused with its line, the capture goes on with the running filter.
        File.WriteAllText(conf, Config("filter = udp and port frobnicate"));
        ProgramRunner.Kill(remapd.Pid, SIGHUP).Should().Be(0);
        Lane.WaitFor(() => remapd.StderrSoFar.Contains("reload refused", StringComparison.Ordinal), "the refusal", remapd);
        remapd.StderrSoFar.Should().Contain($"reload refused: {conf}:5: filter expression 'udp and port frobnicate'")
            .And.Contain("goes on with the configuration it runs (filter 'udp')");

        // A good one: the filter is swapped; a changed snaplen needs a restart and is not applied.
        File.WriteAllText(conf, Config("filter = udp and greater 100", "snaplen = 64"));
        ProgramRunner.Kill(remapd.Pid, SIGHUP).Should().Be(0);
        Lane.WaitFor(() => remapd.StderrSoFar.Contains("filter replaced: now filter 'udp and greater 100'", StringComparison.Ordinal), "the swap", remapd);
        remapd.StderrSoFar.Should().Contain($"{conf}:6: 'snaplen' changed ((not set) -> 64): takes effect only at a restart");

        long before = Lane.LivePackets(remapd.StderrSoFar);
        Lane.WaitFor(() => Lane.LivePackets(remapd.StderrSoFar) > before + 100, "packets under the new filter", remapd);
        remapd.Interrupt();
        ToolResult r = remapd.WaitForExit(TimeSpan.FromSeconds(30));
        r.ExitCode.Should().Be(0, r.ToString());
        r.Stderr.Should().Contain("after 1 filter replacement by SIGHUP").And.Contain("nothing lost");
        (ulong _, ulong _, ulong filtered, ulong _) = Lane.SummaryStats(r.Stderr);
        filtered.Should().BeGreaterThan(0, "'greater 100' rejects the frames of 60..100 bytes in the hook");
    }

    private string Write(string name, string text)
    {
        string path = _lane.PathOf(name);
        File.WriteAllText(path, text);
        return path;
    }
}
