using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using RemapDaemon.EmulatorLane.Tests.Support;
using RemapDaemon.Tests.Support;

namespace RemapDaemon.EmulatorLane.Tests.Service;

/// <summary>
/// --metrics-listen scraped by Debian's Prometheus server (its own temporary storage, a 1 s
/// scrape interval, on loopback), the values read back through Prometheus's HTTP API
/// (/api/v1/query) and compared with remapd's own summary: a live capture of lo through the
/// emulator's AF_PACKET source, UDP datagrams the test sends, the filter passing only them.
/// </summary>
public sealed class PrometheusTests : IDisposable
{
    private const int Datagrams = 200;

    // A port of this test's own: the demo's test sends to the discard port (9) on lo at the same time.
    private static readonly int UdpPort = FreeUdpPort();
    private readonly Lane _lane = new();

    public void Dispose() => _lane.Dispose();

    [Fact]
    public void Prometheus_scrapes_every_counter_and_its_values_match_the_summary()
    {
        int metricsPort = FreePort();
        int prometheusPort = FreePort();
        string pcap = _lane.PathOf("prom.pcap");
        using ProgramRunner.RunningProgram remapd = Lane.StartRemapd("-i", "lo", "-w", pcap, "--name", "promtest",
            "--metrics-listen", $"127.0.0.1:{metricsPort}", "--stats-interval", "0.2", $"udp port {UdpPort}");
        Lane.WaitFor(() => remapd.StderrSoFar.Contains("capturing on", StringComparison.Ordinal), "remapd to start", remapd);

        using Process prometheus = StartPrometheus(metricsPort, prometheusPort);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{prometheusPort}/"), Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            Lane.WaitFor(() => Query(http, "up{job=\"remapd\"}") == 1, "Prometheus to scrape remapd (up == 1)", remapd);

            using (var udp = new UdpClient())
            {
                for (int i = 0; i < Datagrams; i++)
                {
                    udp.Send(new byte[100 + i], new IPEndPoint(IPAddress.Loopback, UdpPort));
                    Thread.Sleep(2);
                }
            }

            // Every datagram written, and scraped: the counter has stopped at its final value.
            Lane.WaitFor(() => Query(http, "remapd_packets_written_total") >= Datagrams, "Prometheus to see every datagram written", remapd);
            Thread.Sleep(2500); // two more scrapes of the settled values

            const string labels = "{capture=\"promtest\",interface=\"lo\"}";
            double written = Query(http, "remapd_packets_written_total" + labels);
            double captured = Query(http, "remapd_packets_captured_total" + labels);
            double loOutgoing = Query(http, "remapd_packets_not_written_total{capture=\"promtest\",reason=\"loopback_outgoing\"}");
            double seen = Query(http, "remapd_packets_seen_total" + labels);
            double filtered = Query(http, "remapd_packets_filtered_total" + labels);
            double dropped = Query(http, "sum(remapd_packets_dropped_total" + labels + ")");
            double droppedReasons = Query(http, "count(remapd_packets_dropped_total" + labels + ")");
            double windows = Query(http, "remapd_windows_consumed_total" + labels);
            double bytesWritten = Query(http, "remapd_bytes_written_total" + labels);
            double files = Query(http, "remapd_files_opened_total" + labels);
            // The invariant of skbremap's counters, evaluated by Prometheus on one scrape's samples.
            double balance = Query(http,
                "remapd_packets_seen_total - remapd_packets_captured_total - remapd_packets_filtered_total - remapd_packets_in_flight" +
                " - on(capture, interface) sum by (capture, interface) (remapd_packets_dropped_total)");

            remapd.Interrupt();
            ToolResult r = remapd.WaitForExit(TimeSpan.FromSeconds(30));
            r.ExitCode.Should().Be(0, r.ToString());
            (ulong sumSeen, ulong sumCaptured, ulong sumFiltered, ulong sumDropped) = Lane.SummaryStats(r.Stderr);

            written.Should().Be(Datagrams, "one written packet per datagram (lo's outgoing copy skipped)");
            Lane.SummaryPackets(r.Stderr).Should().Be(Datagrams);
            Lane.CapinfosCount(pcap).Should().Be(Datagrams);
            captured.Should().Be(sumCaptured, "the summary's captured; nothing but the datagrams passes the filter");
            captured.Should().Be(2 * Datagrams, "lo shows each datagram twice: outgoing and incoming");
            loOutgoing.Should().Be(Datagrams);
            bytesWritten.Should().Be(Enumerable.Range(0, Datagrams).Sum(i => 14 + 20 + 8 + 100 + i), "Ethernet + IPv4 + UDP + payload");
            dropped.Should().Be(sumDropped).And.Be(0);
            droppedReasons.Should().Be(6, "one series per row of the drop reasons table: queue_full, no_window, nomem, too_big, mem_limit, output_too_slow (a share of skbremap's no-window drops)");
            windows.Should().BeGreaterThan(0);
            files.Should().Be(1);
            balance.Should().Be(0, "seen = captured + filtered + dropped + in flight, in one scrape");

            // The scrapes themselves are TCP on lo: seen and filtered kept growing after the last scrape read.
            seen.Should().BeGreaterThan(captured).And.BeLessThanOrEqualTo(sumSeen);
            filtered.Should().BeGreaterThan(0).And.BeLessThanOrEqualTo(sumFiltered);
        }
        finally
        {
            prometheus.Kill();
            prometheus.WaitForExit();
        }
    }

    [Fact]
    public void An_address_that_cannot_be_listened_on_fails_the_start()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        int port = ((IPEndPoint)taken.LocalEndpoint).Port;

        ToolResult r = Lane.Remapd("--source", "synthetic:count=10", "-w", _lane.PathOf("x.pcap"), "--metrics-listen", $"127.0.0.1:{port}");

        r.ExitCode.Should().Be(1, r.ToString());
        r.Stderr.Should().Contain($"remapd: error: --metrics-listen 127.0.0.1:{port}: cannot listen there");
        File.Exists(_lane.PathOf("x.pcap")).Should().BeFalse("the endpoint is up before the capture opens anything");
    }

    private Process StartPrometheus(int metricsPort, int prometheusPort)
    {
        string config = _lane.PathOf("prometheus.yml");
        File.WriteAllText(config, $"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: remapd
                static_configs:
                  - targets: ['127.0.0.1:{metricsPort}']
            """);
        var psi = new ProcessStartInfo("prometheus",
        [
            $"--config.file={config}", $"--storage.tsdb.path={_lane.PathOf("tsdb")}",
            $"--web.listen-address=127.0.0.1:{prometheusPort}", "--log.level=warn",
        ])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        Process p;
        try
        {
            p = Process.Start(psi)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("Debian's prometheus is needed (tools/deps.sh test installs it)", e);
        }

        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    /// <summary>One value of an instant query; NaN when the result is empty or Prometheus does not answer yet.</summary>
    private static double Query(HttpClient http, string promql)
    {
        try
        {
            string json = http.GetStringAsync($"api/v1/query?query={Uri.EscapeDataString(promql)}").GetAwaiter().GetResult();
            using JsonDocument doc = JsonDocument.Parse(json);
            JsonElement result = doc.RootElement.GetProperty("data").GetProperty("result");
            return result.GetArrayLength() == 0
                ? double.NaN
                : double.Parse(result[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
        }
        catch (HttpRequestException)
        {
            return double.NaN;
        }
        catch (TaskCanceledException)
        {
            return double.NaN;
        }
    }

    private static int FreeUdpPort()
    {
        using var u = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)u.Client.LocalEndPoint!).Port;
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
