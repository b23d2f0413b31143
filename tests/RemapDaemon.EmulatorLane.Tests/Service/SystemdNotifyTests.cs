using System.Diagnostics;
using System.Globalization;
using RemapDaemon.EmulatorLane.Tests.Support;
using RemapDaemon.Tests.Support;

namespace RemapDaemon.EmulatorLane.Tests.Service;

/// <summary>
/// The sd_notify protocol of remapd@.service (Type=notify, WatchdogSec=), against a socket that
/// plays systemd: READY=1 once the capture runs, WATCHDOG=1 at half the watchdog interval from
/// the capture loop's own turns, RELOADING=1 with MONOTONIC_USEC then READY=1 around a SIGHUP,
/// STOPPING=1 on SIGINT/SIGTERM; and a loop that hangs in a write stops pinging.
/// </summary>
public sealed class SystemdNotifyTests : IDisposable
{
    private const int SIGHUP = 1;
    private const int SIGSTOP = 19;
    private const int SIGCONT = 18;
    private readonly Lane _lane = new();

    public void Dispose() => _lane.Dispose();

    [Fact]
    public void Ready_then_watchdog_pings_at_half_WatchdogSec_then_reloading_ready_on_SIGHUP_and_stopping_on_SIGINT()
    {
        using var systemd = new FakeSystemd(_lane.PathOf("notify.sock"));
        string conf = _lane.PathOf("n.conf");
        File.WriteAllText(conf, $"source = synthetic:count=100000000,min=60,max=200,rate=2000\nwrite = {_lane.PathOf("n.pcap")}\nfilter = udp\nquiet = yes\n");
        using ProgramRunner.RunningProgram remapd = ProgramRunner.Start(ProgramRunner.Remapd, Environment(systemd, watchdogUsec: 1_000_000),
            "--backend", "emulator", "--config", conf);

        Lane.WaitFor(() => systemd.Pings().Count >= 6, "six watchdog pings", remapd);
        systemd.Messages[0].Message.Should().StartWith("READY=1\nSTATUS=capturing on any into ", systemd.Transcript);
        IReadOnlyList<double> pings = systemd.Pings();
        double[] gaps = [.. pings.Zip(pings.Skip(1), (a, b) => b - a)];
        gaps.Should().OnlyContain(g => g >= 0.45 && g < 1.0, $"pings every WatchdogSec/2 = 0.5 s, never a whole WatchdogSec apart:\n{systemd.Transcript}");

        File.WriteAllText(conf, File.ReadAllText(conf).Replace("filter = udp", "filter = udp and greater 100", StringComparison.Ordinal));
        long before = MonotonicMicroseconds();
        double sent = systemd.Now;
        ProgramRunner.Kill(remapd.Pid, SIGHUP).Should().Be(0);
        Lane.WaitFor(() => systemd.Messages.Any(m => m.At > sent && m.Message.StartsWith("READY=1", StringComparison.Ordinal)), "READY=1 after the reload", remapd);
        long after = MonotonicMicroseconds();

        (double At, string Message)[] reload = [.. systemd.Messages.Where(m => m.At > sent && !m.Message.StartsWith("WATCHDOG", StringComparison.Ordinal))];
        reload[0].Message.Should().StartWith("RELOADING=1\nMONOTONIC_USEC=", systemd.Transcript);
        long usec = long.Parse(reload[0].Message.Split('\n')[1]["MONOTONIC_USEC=".Length..], CultureInfo.InvariantCulture);
        usec.Should().BeInRange(before, after, "MONOTONIC_USEC is CLOCK_MONOTONIC when the reload starts");
        reload[1].Message.Should().StartWith("READY=1");

        remapd.Interrupt();
        ToolResult r = remapd.WaitForExit(TimeSpan.FromSeconds(30));
        r.ExitCode.Should().Be(0, r.ToString());
        r.Stderr.Should().Contain("after 1 filter replacement by SIGHUP");
        systemd.Messages[^1].Message.Should().StartWith("STOPPING=1", systemd.Transcript);
    }

    [Fact]
    public void A_capture_loop_stuck_in_a_write_stops_the_watchdog_pings_and_they_resume_when_it_moves()
    {
        // The output is a FIFO whose reader is then stopped: once the pipe is full the loop
        // blocks in write(2), as on a hung disk. No timer keeps pinging for it.
        string fifo = _lane.PathOf("out.fifo");
        ExternalTool.Run("mkfifo", fifo).ExitCode.Should().Be(0);
        using Process reader = Process.Start(new ProcessStartInfo("sh", ["-c", $"exec cat '{fifo}' >/dev/null"]))!;
        using var systemd = new FakeSystemd(_lane.PathOf("notify.sock"));
        using ProgramRunner.RunningProgram remapd = ProgramRunner.Start(ProgramRunner.Remapd, Environment(systemd, watchdogUsec: 400_000),
            "--backend", "emulator", "--source", "synthetic:count=100000000,min=200,max=200,rate=20000", "-w", fifo, "-q");
        Lane.WaitFor(() => systemd.Pings().Count >= 3, "pings while the reader reads", remapd);

        ProgramRunner.Kill(reader.Id, SIGSTOP).Should().Be(0);
        double stopped = systemd.Now;
        Thread.Sleep(4000);
        double resumed = systemd.Now;
        ProgramRunner.Kill(reader.Id, SIGCONT).Should().Be(0);
        Lane.WaitFor(() => systemd.Pings(from: resumed).Count >= 3, "pings after the reader reads again", remapd);

        // 64 KiB of pipe fill in well under a second at 4 MB/s; from then on no ping until SIGCONT.
        systemd.Pings(from: stopped + 1.5, to: resumed).Should().BeEmpty(
            $"a loop blocked in write(2) does not ping (systemd would restart it after WatchdogSec):\n{systemd.Transcript}");
        systemd.Pings(to: stopped).Should().HaveCountGreaterThanOrEqualTo(3);

        remapd.Interrupt();
        ToolResult r = remapd.WaitForExit(TimeSpan.FromSeconds(30));
        reader.Kill();
        r.ExitCode.Should().Be(0, r.ToString());
    }

    [Fact]
    public void Without_NOTIFY_SOCKET_nothing_is_sent_and_the_capture_runs_as_ever()
    {
        ToolResult r = Lane.Remapd("--source", "synthetic:count=1000", "-w", _lane.PathOf("x.pcap"), "-q");
        r.ExitCode.Should().Be(0, r.ToString());
        Lane.SummaryPackets(r.Stderr).Should().Be(1000);
    }

    private static Dictionary<string, string> Environment(FakeSystemd systemd, long watchdogUsec) => new()
    {
        ["NOTIFY_SOCKET"] = systemd.Path,
        ["WATCHDOG_USEC"] = watchdogUsec.ToString(CultureInfo.InvariantCulture),
    };

    private static long MonotonicMicroseconds() => (long)(Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency * 1_000_000);
}
