using RemapDaemon.Filtering;
using RemapDaemon.Tests.Support;

namespace RemapDaemon.Tests.Filtering;

/// <summary>The header walker and tshark agree on every crafted frame: ports, TCP flags, and the payload bytes.</summary>
public sealed class PacketHeadersOracleTests : IDisposable
{
    private readonly CraftedCapture _capture = new();

    public void Dispose() => _capture.Dispose();

    [Fact]
    public void Ports_flags_and_payload_bytes_match_what_tshark_dissects()
    {
        ToolResult r = ExternalTool.Run("tshark", "-r", _capture.Path,
            "-o", "tcp.desegment_tcp_streams:FALSE", "-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE",
            "-T", "fields", "-E", "separator=|", "-E", "occurrence=l",
            "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "tcp.flags", "-e", "tcp.payload",
            "-e", "udp.srcport", "-e", "udp.dstport", "-e", "udp.payload");

        r.ExitCode.Should().Be(0, "{0}", r);
        string[] rows = [.. r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)];
        rows.Should().HaveCount(_capture.Frames.Count, "{0}", r);
        int compared = 0;
        var mismatches = new List<string>();
        for (int i = 0; i < rows.Length; i++)
        {
            CraftedFrame f = _capture.Frames[i];
            string[] c = rows[i].Split('|');
            PacketHeaders.TryParse(f.Data, hasVlanTagInMeta: false, out PacketLayout l);
            string payload = l.PayloadKind == PayloadKind.Transport ? Convert.ToHexString(l.Payload(f.Data)).ToLowerInvariant() : string.Empty;
            string ports = l.L4Offset >= 0 && f.Data.Length >= l.L4Offset + 4 ? $"{l.SourcePort}|{l.DestinationPort}" : "|";
            string ours = l.IsTcp
                ? $"{ports}|{(l.PayloadKind == PayloadKind.Transport ? $"0x{l.TcpFlags:x4}" : string.Empty)}|{payload}|||"
                : l.IsUdp ? $"||||{ports}|{payload}" : "||||||";
            if (rows[i] != ours)
            {
                mismatches.Add($"frame {i} ({f.Name}): tshark '{rows[i]}', walker '{ours}'");
            }

            compared += ours == "||||||" ? 0 : 1;
        }

        mismatches.Should().BeEmpty();
        compared.Should().BeGreaterThan(20);
    }
}
