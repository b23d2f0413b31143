using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using RemapDaemon.EmulatorLane.Tests.Support;
using RemapDaemon.Filtering;
using RemapDaemon.Output.Pcap;
using RemapDaemon.Tests.Support;
using Xunit.Abstractions;

namespace RemapDaemon.EmulatorLane.Tests;

/// <summary>
/// SIGHUP re-reads --filter-file and replaces the filter of a live capture (the emulator's
/// AF_PACKET source on lo, UDP datagrams sent by the test): every packet written matches the
/// program in force when it was judged, as libpcap's verdict of both programs says; the switch
/// happens once, at one point of the packet stream; a bad expression or a program the hook
/// refuses leaves the running filter; skbremap's counters still balance; and SIGHUPs at any
/// moment, from start-up to exit, do no harm. Needs root.
/// </summary>
public sealed class FilterReloadTests(ITestOutputHelper output)
{
    private const int PerPort = 25;
    private const int SIGHUP = 1;

    /// <summary>
    /// A = A-only or both, B = B-only or both. <paramref name="suffix"/> " or ip6 protochain 58"
    /// makes skbremap's hook refuse the programs, so that remapd runs them itself and a
    /// replacement is its one reference write; "" keeps them in the hook (SET_FILTER).
    /// </summary>
    [Theory]
    [InlineData("", "in libskbremap_emu.so's packet hook")]
    [InlineData(" or ip6 protochain 58", "by remapd on every captured packet")]
    public void Sighup_replaces_the_filter_from_the_file_atomically_during_live_traffic_and_a_bad_expression_keeps_it(string suffix, string where)
    {
        using var lane = new Lane();
        using var traffic = new Traffic();
        string a = $"udp dst port {traffic.AOnly} or udp dst port {traffic.Both}{suffix}";
        string b = $"udp dst port {traffic.BOnly} or udp dst port {traffic.Both}{suffix}";
        string filterFile = lane.PathOf("filter");
        string pcap = lane.PathOf("reload.pcap");
        File.WriteAllText(filterFile, $"# A\n{a}\n");

        using ProgramRunner.RunningProgram remapd = Lane.StartRemapd("-i", "lo", "-w", pcap, "--filter-file", filterFile, "--stats-interval", "0.1");
        Lane.WaitFor(() => remapd.StderrSoFar.Contains("capturing on", StringComparison.Ordinal), "remapd to start", remapd);

        // 1: A in force.
        traffic.SendRounds(phase: 1, PerPort);
        WaitForWritten(remapd, 2 * PerPort);

        // 2: B from the file. Every datagram of phase 1 was judged before (its last one, to
        // "both", is written), every one of phase 2 after (the swap is logged when in force).
        File.WriteAllText(filterFile, b);
        Hangup(remapd);
        Lane.WaitFor(() => Count(remapd.StderrSoFar, "filter replaced: now filter '") == 1, "the swap to B", remapd);
        remapd.StderrSoFar.Should().Contain($"filter replaced: now filter '{b}'").And.Contain($"run {where}").And.Contain($"was filter '{a}'");
        traffic.SendRounds(phase: 2, PerPort);
        WaitForWritten(remapd, 4 * PerPort);

        // 3: back to A while datagrams keep coming, ~1 round a millisecond.
        using (traffic.SendContinuously(phase: 3))
        {
            Thread.Sleep(300);
            File.WriteAllText(filterFile, a);
            Hangup(remapd);
            Lane.WaitFor(() => Count(remapd.StderrSoFar, "filter replaced: now filter '") == 2, "the swap back to A", remapd);
            Thread.Sleep(300);
        }

        long afterPhase3 = WaitForQuiet(remapd);

        // 4: a bad expression: logged with libpcap's words, A stays in force.
        File.WriteAllText(filterFile, $"udp dst port frobnicate{suffix}");
        Hangup(remapd);
        Lane.WaitFor(() => remapd.StderrSoFar.Contains("unknown port 'frobnicate'", StringComparison.Ordinal), "the bad expression's error", remapd);
        remapd.StderrSoFar.Should().Contain($"The capture goes on with filter '{a}'");
        traffic.SendRounds(phase: 4, PerPort);
        WaitForWritten(remapd, afterPhase3 + (2 * PerPort));

        remapd.Interrupt();
        ToolResult r = remapd.WaitForExit(TimeSpan.FromSeconds(30));
        r.ExitCode.Should().Be(0, r.ToString());
        r.Stderr.Should().Contain("nothing lost").And.Contain("after 2 filter replacements by SIGHUP");
        (ulong seen, ulong captured, ulong filtered, ulong dropped) = Lane.SummaryStats(r.Stderr);
        seen.Should().Be(captured + filtered + dropped, "skbremap's counters balance after the swaps:\n{0}", r.Stderr);

        // libpcap's verdicts, for the programs remapd compiled from the same expressions.
        BpfProgram programA = BpfProgram.Compile(a);
        BpfProgram programB = BpfProgram.Compile(b);
        List<Datagram> written = [.. PcapReader.ReadFile(pcap).Select(p => traffic.Parse(p, programA, programB))];
        string phase3 = string.Concat(written.Where(d => d.Phase == 3).Select(d => d.Class));
        output.WriteLine($"{written.Count} written; phase 3 in capture order: {phase3.Count(c => c == 'b')} B only, " +
            $"{phase3.Count(c => c == 'a')} A only, {phase3.Count(c => c == '=')} both");
        written.Should().OnlyContain(d => d.MatchesA || d.MatchesB, "every packet written matches the program in force, A or B");

        written.Where(d => d.Phase == 1).Select(d => (d.Port, d.Seq)).Should().BeEquivalentTo(traffic.Sent(1, traffic.AOnly, traffic.Both), "phase 1: exactly A's");
        written.Where(d => d.Phase == 2).Select(d => (d.Port, d.Seq)).Should().BeEquivalentTo(traffic.Sent(2, traffic.BOnly, traffic.Both), "phase 2: exactly B's, B-only ones included");
        written.Where(d => d.Phase == 4).Select(d => (d.Port, d.Seq)).Should().BeEquivalentTo(traffic.Sent(4, traffic.AOnly, traffic.Both), "phase 4: A's still");

        // Phase 3, in the order skbremap captured it: B-only packets, then A-only ones, never mixed.
        phase3.Should().Contain("b").And.Contain("a", "the swap happened while datagrams of both kinds kept coming");
        phase3.Replace("=", "", StringComparison.Ordinal).Should().MatchRegex("^b+a+$", "one switch from B to A: each packet was judged by one program");

        // tcpdump agrees: nothing in the file is outside A or B.
        string selected = lane.PathOf("a-or-b.pcap");
        TcpdumpOracle.Select(pcap, selected, $"({a}) or ({b})");
        Lane.CapinfosCount(selected).Should().Be(written.Count);
    }

    [Fact]
    public void A_program_the_hook_refuses_on_sighup_leaves_the_running_filter_in_force()
    {
        using var lane = new Lane();
        using var traffic = new Traffic();
        string a = $"udp dst port {traffic.AOnly} or udp dst port {traffic.Both}";
        string filterFile = lane.PathOf("filter");
        string pcap = lane.PathOf("refused.pcap");
        File.WriteAllText(filterFile, a);

        using ProgramRunner.RunningProgram remapd = Lane.StartRemapd("-i", "lo", "-w", pcap, "--filter-file", filterFile, "--stats-interval", "0.1");
        Lane.WaitFor(() => remapd.StderrSoFar.Contains("capturing on", StringComparison.Ordinal), "remapd to start", remapd);

        // protochain loops backwards: libpcap compiles it, skbremap's hook refuses it.
        File.WriteAllText(filterFile, $"udp dst port {traffic.BOnly} or ip6 protochain 58");
        Hangup(remapd);
        Lane.WaitFor(() => remapd.StderrSoFar.Contains("filter not replaced", StringComparison.Ordinal), "the refusal", remapd);
        traffic.SendRounds(phase: 1, PerPort);
        WaitForWritten(remapd, 2 * PerPort);

        remapd.Interrupt();
        ToolResult r = remapd.WaitForExit(TimeSpan.FromSeconds(30));
        r.ExitCode.Should().Be(0, r.ToString());
        r.Stderr.Should().Contain("rejected the filter program for 'udp dst port").And.Contain($"The capture goes on with filter '{a}'");
        BpfProgram programA = BpfProgram.Compile(a);
        PcapReader.ReadFile(pcap).Select(p => traffic.Parse(p, programA, programA)).Select(d => (d.Port, d.Seq))
            .Should().BeEquivalentTo(traffic.Sent(1, traffic.AOnly, traffic.Both));
    }

    [Fact]
    public void Sighup_without_a_filter_file_says_there_is_nothing_to_reload_and_the_capture_goes_on()
    {
        using var lane = new Lane();
        string pcap = lane.PathOf("nofile.pcap");
        using ProgramRunner.RunningProgram remapd = Lane.StartRemapd(
            "--source", "synthetic:count=0,min=60,max=200,rate=2000", "-w", pcap, "--stats-interval", "0.1", "udp");
        Lane.WaitFor(() => Lane.LivePackets(remapd.StderrSoFar) > 0, "packets", remapd);

        Hangup(remapd);
        Lane.WaitFor(() => remapd.StderrSoFar.Contains("nothing to reload", StringComparison.Ordinal), "the warning", remapd);
        long after = Lane.LivePackets(remapd.StderrSoFar);
        Lane.WaitFor(() => Lane.LivePackets(remapd.StderrSoFar) > after + 500, "the capture to go on", remapd);

        remapd.Interrupt();
        ToolResult r = remapd.WaitForExit(TimeSpan.FromSeconds(30));
        r.ExitCode.Should().Be(0, r.ToString());
        r.Stderr.Should().Contain("stopped: SIGINT").And.Contain("selected by filter 'udp'").And.NotContain("filter replacement");
        Lane.CapinfosCount(pcap).Should().Be(Lane.SummaryPackets(r.Stderr));
    }

    [Fact]
    public void Sighups_from_start_up_to_exit_do_no_harm()
    {
        using var lane = new Lane();
        string pcap = lane.PathOf("storm.pcap");
        string filterFile = lane.PathOf("filter");
        File.WriteAllText(filterFile, "udp");
        using ProgramRunner.RunningProgram remapd = Lane.StartRemapd(
            "--source", "synthetic:count=0,min=60,max=200,rate=5000", "-w", pcap, "--filter-file", filterFile, "--stats-interval", "0.1", "-v");

        // From the moment remapd takes SIGHUP (its first log line with -v, before the backend is
        // opened) until it has exited: a burst of 200 while it opens the backend and starts, then
        // one every millisecond or so.
        Lane.WaitFor(() => remapd.StderrSoFar.Contains("SIGHUP re-reads --filter-file", StringComparison.Ordinal), "remapd to take SIGHUP", remapd);
        int sent = 0;
        using var stop = new CancellationTokenSource();
        var storm = new Thread(() =>
        {
            while (!stop.IsCancellationRequested && ProgramRunner.Kill(remapd.Pid, SIGHUP) == 0)
            {
                if (++sent > 200)
                {
                    Thread.Sleep(1);
                }
            }
        });
        storm.Start();
        Lane.WaitFor(() => remapd.StderrSoFar.Contains("capturing on", StringComparison.Ordinal), "remapd to start", remapd);
        int beforeStart = sent;
        Lane.WaitFor(() => Lane.LivePackets(remapd.StderrSoFar) > 2000, "packets", remapd);
        int beforeStop = sent;
        remapd.Interrupt();
        ToolResult r = remapd.WaitForExit(TimeSpan.FromSeconds(30));
        stop.Cancel();
        storm.Join();

        output.WriteLine($"{sent} SIGHUPs sent: {beforeStart} by the time 'capturing on' was read, {beforeStop} by SIGINT");
        r.ExitCode.Should().Be(0, r.ToString());
        r.Stderr.Should().Contain("stopped: SIGINT").And.Contain("nothing lost")
            .And.Contain("is in force already; nothing replaced", "the SIGHUPs were taken, the unchanged file read again");
        Lane.CapinfosCount(pcap).Should().Be(Lane.SummaryPackets(r.Stderr));
    }

    private static void Hangup(ProgramRunner.RunningProgram remapd) =>
        ProgramRunner.Kill(remapd.Pid, SIGHUP).Should().Be(0, "kill -HUP {0}", remapd.Pid);

    private static int Count(string text, string what)
    {
        int n = 0;
        for (int at = text.IndexOf(what, StringComparison.Ordinal); at >= 0; at = text.IndexOf(what, at + what.Length, StringComparison.Ordinal))
        {
            n++;
        }

        return n;
    }

    private static void WaitForWritten(ProgramRunner.RunningProgram remapd, long packets) =>
        Lane.WaitFor(() => Lane.LivePackets(remapd.StderrSoFar) >= packets, $"{packets} packets written", remapd);

    /// <summary>The packets written once the count has not moved for half a second.</summary>
    private static long WaitForQuiet(ProgramRunner.RunningProgram remapd)
    {
        long last = -1;
        long now = Lane.LivePackets(remapd.StderrSoFar);
        while (now != last)
        {
            last = now;
            Thread.Sleep(500);
            now = Lane.LivePackets(remapd.StderrSoFar);
        }

        return now;
    }

    /// <summary>A written datagram: phase and sequence from its payload; A's and B's verdicts; its class ("a" A only, "b" B only, "=" both).</summary>
    private sealed record Datagram(int Phase, int Seq, int Port, bool MatchesA, bool MatchesB)
    {
        public string Class => MatchesA && MatchesB ? "=" : MatchesA ? "a" : MatchesB ? "b" : "-";
    }

    /// <summary>
    /// UDP to four ports on 127.0.0.1, each with a socket bound so that no ICMP port unreachable
    /// comes back: A only, B only, both, neither. A round sends one datagram to each, "both"
    /// last, so that once a round's last datagram is written every datagram before it has been
    /// judged. The payload says phase and sequence number.
    /// </summary>
    private sealed class Traffic : IDisposable
    {
        private readonly UdpClient[] _listeners = [.. Enumerable.Range(0, 4).Select(_ => new UdpClient(new IPEndPoint(IPAddress.Loopback, 0)))];
        private readonly Socket _sender = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        private readonly Dictionary<int, List<(int Port, int Seq)>> _sent = [];

        public int AOnly => Port(0);

        public int BOnly => Port(1);

        public int Both => Port(2);

        public int Neither => Port(3);

        public void SendRounds(int phase, int rounds)
        {
            for (int i = 0; i < rounds; i++)
            {
                SendRound(phase, i);
                Thread.Sleep(1); // a wire's pace, not a burst into AF_PACKET's receive buffer
            }
        }

        /// <summary>Rounds of <paramref name="phase"/> every millisecond until disposed.</summary>
        public IDisposable SendContinuously(int phase)
        {
            var stop = new CancellationTokenSource();
            var thread = new Thread(() =>
            {
                for (int i = 0; !stop.IsCancellationRequested; i++)
                {
                    SendRound(phase, i);
                    Thread.Sleep(1);
                }
            });
            thread.Start();
            return new Stopper(() =>
            {
                stop.Cancel();
                thread.Join();
                stop.Dispose();
            });
        }

        /// <summary>What was sent in <paramref name="phase"/> to these ports.</summary>
        public IEnumerable<(int Port, int Seq)> Sent(int phase, params int[] ports)
        {
            lock (_sent)
            {
                return [.. _sent[phase].Where(s => ports.Contains(s.Port))];
            }
        }

        public Datagram Parse(PcapRecord packet, BpfProgram a, BpfProgram b)
        {
            // Ethernet (lo's zero addresses), IPv4, UDP, then "remapd-hup PHASE SEQ".
            byte[] f = packet.Data;
            BinaryPrimitives.ReadUInt16BigEndian(f.AsSpan(12)).Should().Be(0x0800);
            int ip = 14;
            int udp = ip + ((f[ip] & 0x0f) * 4);
            int port = BinaryPrimitives.ReadUInt16BigEndian(f.AsSpan(udp + 2));
            string[] words = Encoding.ASCII.GetString(f, udp + 8, f.Length - udp - 8).Split(' ');
            words[0].Should().Be("remapd-hup", "only the test's datagrams can match its ports");
            return new Datagram(int.Parse(words[1], System.Globalization.CultureInfo.InvariantCulture),
                int.Parse(words[2], System.Globalization.CultureInfo.InvariantCulture), port,
                a.Matches(f, packet.WireLength) != 0, b.Matches(f, packet.WireLength) != 0);
        }

        public void Dispose()
        {
            _sender.Dispose();
            foreach (UdpClient l in _listeners)
            {
                l.Dispose();
            }
        }

        private int Port(int i) => ((IPEndPoint)_listeners[i].Client.LocalEndPoint!).Port;

        private void SendRound(int phase, int seq)
        {
            byte[] payload = Encoding.ASCII.GetBytes($"remapd-hup {phase} {seq}");
            foreach (int port in new[] { Neither, BOnly, AOnly, Both })
            {
                _sender.SendTo(payload, new IPEndPoint(IPAddress.Loopback, port));
                lock (_sent)
                {
                    (_sent.TryGetValue(phase, out List<(int, int)>? list) ? list : _sent[phase] = []).Add((port, seq));
                }
            }
        }

        private sealed class Stopper(Action stop) : IDisposable
        {
            public void Dispose() => stop();
        }
    }
}
