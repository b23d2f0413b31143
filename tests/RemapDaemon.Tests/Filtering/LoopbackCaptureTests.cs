using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using RemapDaemon.Filtering;
using RemapDaemon.Output.Pcap;
using RemapDaemon.Tests.Support;

namespace RemapDaemon.Tests.Filtering;

/// <summary>
/// Real frames, not crafted ones: tcpdump captures UDP over IPv4 and IPv6 and a TCP exchange
/// (SYN options, timestamps) on lo, and the header walker and the payload matcher find exactly
/// the bytes the sockets sent. Needs CAP_NET_RAW, as the emulator lane does.
/// </summary>
public sealed class LoopbackCaptureTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("remapd-lo-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public async Task Payloads_of_real_udp_and_tcp_frames_on_lo_are_the_bytes_the_sockets_sent()
    {
        string file = Path.Combine(_dir.FullName, "lo.pcap");
        using var udp4 = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        using var udp6 = new UdpClient(new IPEndPoint(IPAddress.IPv6Loopback, 0));
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int p4 = ((IPEndPoint)udp4.Client.LocalEndPoint!).Port;
        int p6 = ((IPEndPoint)udp6.Client.LocalEndPoint!).Port;
        int pt = ((IPEndPoint)listener.LocalEndpoint).Port;
        string tag = Guid.NewGuid().ToString("N");
        byte[] m4 = Encoding.ASCII.GetBytes($"v4 {tag}");
        byte[] m6 = Encoding.ASCII.GetBytes($"v6 {tag}");
        byte[] get = Encoding.ASCII.GetBytes($"GET /{tag} HTTP/1.1\r\nHost: lo\r\n\r\n");

        using Process tcpdump = await StartTcpdump(file, $"udp port {p4} or udp port {p6} or tcp port {pt}");
        try
        {
            using (var sender = new UdpClient(AddressFamily.InterNetwork))
            {
                await sender.SendAsync(m4, new IPEndPoint(IPAddress.Loopback, p4));
            }

            using (var sender = new UdpClient(AddressFamily.InterNetworkV6))
            {
                await sender.SendAsync(m6, new IPEndPoint(IPAddress.IPv6Loopback, p6));
            }

            using (var client = new TcpClient())
            {
                await client.ConnectAsync(IPAddress.Loopback, pt);
                using TcpClient server = await listener.AcceptTcpClientAsync();
                await client.GetStream().WriteAsync(get);
                var buffer = new byte[get.Length];
                await server.GetStream().ReadExactlyAsync(buffer);
            }

            await Task.Delay(300);
        }
        finally
        {
            listener.Stop();
            await StopTcpdump(tcpdump);
        }

        List<PcapRecord> records = PcapReader.ReadFile(file);
        var payloads = new List<(PacketLayout Layout, byte[] Payload)>();
        foreach (PcapRecord r in records)
        {
            PacketHeaders.TryParse(r.Data, false, out PacketLayout l).Should().BeTrue();
            payloads.Add((l, l.Payload(r.Data).ToArray()));
        }

        payloads.Where(p => p.Layout.IsUdp && (p.Layout.Flags & LayoutFlags.Ipv4) != 0).Select(p => p.Payload).Should().ContainSingle().Which.Should().Equal(m4);
        payloads.Where(p => p.Layout.IsUdp && (p.Layout.Flags & LayoutFlags.Ipv6) != 0).Select(p => p.Payload).Should().ContainSingle().Which.Should().Equal(m6);
        payloads.Where(p => p.Layout.IsTcp && p.Payload.Length > 0).Select(p => p.Payload).Should().ContainSingle().Which.Should().Equal(get);
        payloads.Should().Contain(p => p.Layout.IsTcp && p.Layout.TcpFlags == 0x02 && p.Layout.PayloadOffset > p.Layout.L4Offset + 20, "Linux's SYN carries options");

        PayloadMatcher getAt0 = PayloadMatcher.Create([PayloadMatchSpec.Parse(PayloadMatchKind.String, "GET@0")]);
        PayloadMatcher tagAnywhere = PayloadMatcher.Create([PayloadMatchSpec.Parse(PayloadMatchKind.Regex, $"v[46] {tag}|/{tag} HTTP")]);
        records.Count(r => getAt0.IsMatch(r.Data, false)).Should().Be(1);
        records.Count(r => tagAnywhere.IsMatch(r.Data, false)).Should().Be(3);
    }

    private static async Task<Process> StartTcpdump(string file, string filter)
    {
        var psi = new ProcessStartInfo("tcpdump") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string a in new[] { "-i", "lo", "-nn", "-U", "--immediate-mode", "-w", file, filter })
        {
            psi.ArgumentList.Add(a);
        }

        Process p = Process.Start(psi) ?? throw new InvalidOperationException("could not start tcpdump");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var seen = new StringBuilder();
        try
        {
            string? line;
            while ((line = await p.StandardError.ReadLineAsync(timeout.Token)) is not null)
            {
                seen.AppendLine(line);
                if (line.Contains("listening on lo", StringComparison.Ordinal))
                {
                    return p;
                }
            }
        }
        catch (OperationCanceledException)
        {
            p.Kill();
            p.Dispose();
            throw;
        }

        p.Dispose();
        throw new InvalidOperationException($"tcpdump -i lo did not start (CAP_NET_RAW is needed):\n{seen}");
    }

    private static async Task StopTcpdump(Process p)
    {
        // SIGINT: tcpdump flushes and closes the file (Process.Kill would be SIGKILL).
        ToolResult kill = ExternalTool.Run("kill", "-INT", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        kill.ExitCode.Should().Be(0, "{0}", kill);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await p.WaitForExitAsync(timeout.Token);
    }
}
