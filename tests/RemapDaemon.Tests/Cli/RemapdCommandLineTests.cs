using RemapDaemon.Tests.Support;

namespace RemapDaemon.Tests.Cli;

/// <summary>
/// remapd's command line as a user meets it: the built program run as a process. Bad options
/// exit 2 with a message naming the problem; each setup failure has its own exit code.
/// </summary>
public sealed class RemapdCommandLineTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static ToolResult Remapd(params string[] args) => ProgramRunner.Run(ProgramRunner.Remapd, Timeout, args);

    [Fact]
    public void Help_of_capture_exits_0_and_lists_every_option_and_exit_code()
    {
        ToolResult r = Remapd("capture", "--help");

        r.ExitCode.Should().Be(0, r.ToString());
        foreach (string option in new[]
                 {
                     "--interface", "--write", "--count", "--duration", "--backend", "--source", "--snaplen", "--windows",
                     "--pages-per-window", "--info-pages", "--retire-usec", "--queue-limit", "--stats-interval", "--quiet", "--mode", "--copy-threshold",
                     "--filter-file", "--rotate-seconds", "--file-count",
                 })
        {
            r.Stdout.Should().Contain(option);
        }

        r.Stdout.Should().Contain("6  unknown interface").And.Contain("5  skbremap ABI version mismatch");
        r.Stdout.Should().Contain("SIGHUP", "the signal that reloads --filter-file is documented")
            .And.Contain("strftime", "-G names are documented");
    }

    [Fact]
    public void Help_lists_the_capture_and_version_verbs()
    {
        ToolResult r = Remapd("--help");

        r.ExitCode.Should().Be(0, r.ToString());
        r.Stdout.Should().Contain("capture").And.Contain("version");
    }

    [Theory]
    [InlineData("--bogus", "unknown option 'bogus'")]
    [InlineData("-i lo", "-w/--write: give a file name, or '-' for stdout (or --store DIR)")]
    [InlineData("-w x.pcap -c -5", "option '-c/--count': bad value")]
    [InlineData("-w x.pcap -d soon", "option '-d/--duration': bad value")]
    [InlineData("-w x.pcap --windows 1", "--windows: 2..256")]
    [InlineData("-w x.pcap --pages-per-window 513", "--pages-per-window: 1..512")]
    [InlineData("-w x.pcap --info-pages 65", "--info-pages: 1..64")]
    [InlineData("-w x.pcap -s 262145", "-s/--snaplen: at most 262144")]
    [InlineData("-w x.pcap --backend fpga", "--backend fpga: not a backend")]
    [InlineData("-w x.pcap --mode turbo", "--mode: one of bounce, remap, ring, adaptive")]
    [InlineData("-w x.pcap --copy-threshold 16777217", "--copy-threshold: at most 16777216")]
    [InlineData("-w x.pcap --backend kernel --source synthetic:count=1", "--source is for the emulator backend")]
    [InlineData("frobnicate -w x.pcap", "filter expression 'frobnicate': can't parse filter expression: syntax error")]
    [InlineData("-w x.pcap tcp port eighty", "filter expression 'tcp port eighty': unknown port 'eighty'")]
    [InlineData("-w x.pcap -F udp tcp", "two filter expressions")]
    [InlineData("-w x.pcap --filter-file /nonexistent/remapd.filter udp", "two filter expressions: 'udp' after the options and --filter-file /nonexistent/remapd.filter")]
    [InlineData("-w x.pcap -F udp --filter-file /nonexistent/remapd.filter", "two filter expressions")]
    [InlineData("-w x.pcap --filter-file /nonexistent/remapd.filter", "--filter-file /nonexistent/remapd.filter: Could not find")]
    [InlineData("-w x.pcap --format pcapx", "--format pcapx: not a format (pcap or pcapng)")]
    [InlineData("-w x.pcap -W 3", "-W (file count) needs -C (size) or -G (seconds) to rotate")]
    [InlineData("-w - -C 1", "output to stdout (-w -) cannot be rotated")]
    [InlineData("-w x.pcap -C -1", "-C/--file-size: megabytes")]
    [InlineData("-w x.pcap --match-any", "--match-any: give at least one")]
    [InlineData("-w x.pcap --match-hex 0g", "not a hex digit")]
    public void A_bad_option_exits_2_with_a_message_naming_it(string args, string message)
    {
        ToolResult r = Remapd(args.Split(' '));

        r.ExitCode.Should().Be(2, r.ToString());
        r.Stderr.Should().Contain(message);
        r.Stdout.Should().BeEmpty("errors go to stderr");
    }

    [Fact]
    public void A_filter_file_is_read_as_tcpdump_reads_it_and_a_bad_expression_in_it_exits_2_with_libpcaps_message()
    {
        string file = Path.Combine(Path.GetTempPath(), $"remapd-filter-{Environment.ProcessId}.txt");
        File.WriteAllText(file, "# the web servers\ntcp port   # comments run to the end of the line\n\tfrobnicate\n");
        try
        {
            ToolResult r = Remapd("-w", Path.Combine(Path.GetTempPath(), "remapd-never.pcap"), "--filter-file", file);

            r.ExitCode.Should().Be(2, r.ToString());
            r.Stderr.Should().Contain($"--filter-file {file}: filter expression 'tcp port frobnicate': unknown port 'frobnicate'",
                "comments are dropped and the words joined as one expression, and libpcap says what is wrong");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void An_unknown_interface_exits_6_whatever_the_backend()
    {
        foreach (string backend in new[] { "auto", "kernel", "emulator" })
        {
            ToolResult r = Remapd("-i", "nosuchif0", "-w", Path.Combine(Path.GetTempPath(), "remapd-never.pcap"), "--backend", backend);

            r.ExitCode.Should().Be(6, r.ToString());
            r.Stderr.Should().Contain("unknown interface 'nosuchif0'");
        }
    }

    [Fact]
    public void The_kernel_backend_without_dev_skbremap_exits_3_and_says_what_to_do()
    {
        File.Exists("/dev/skbremap").Should().BeFalse("this test runs where skbremap.ko is not loaded (the host lanes)");
        string output = Path.Combine(Path.GetTempPath(), $"remapd-nodev-{Environment.ProcessId}.pcap");

        ToolResult r = Remapd("-i", "lo", "-w", output, "--backend", "kernel");

        r.ExitCode.Should().Be(3, r.ToString());
        r.Stderr.Should().Contain("/dev/skbremap").And.Contain("--backend emulator");
        File.Exists(output).Should().BeFalse("nothing is created when the capture cannot start");
    }

    [Fact]
    public void Version_exits_0_and_names_the_abi_it_speaks()
    {
        ToolResult r = Remapd("version");

        r.ExitCode.Should().Be(0, r.ToString());
        r.Stdout.Should().Contain("speaks skbremap ABI 1").And.Contain("kernel:").And.Contain("emulator:");
    }
}
