using RemapDaemon.Tests.Support;

namespace RemapDaemon.EmulatorLane.Tests.Support;

/// <summary>
/// tcpdump's reading of a pcap file, split into packets: the summary line followed by the
/// -xx hex lines. tcpdump is the oracle, so the comparison is of its text, not of our parse.
/// </summary>
internal static class TcpdumpText
{
    public static ToolResult Read(string pcap, params string[] extra) =>
        ExternalTool.Run("tcpdump", ["-r", pcap, "-nn", "-tt", "-xx", .. extra]);

    /// <summary>One string per packet: its summary line and hex lines joined by newlines.</summary>
    public static List<string> Packets(string tcpdumpStdout)
    {
        var packets = new List<string>();
        var current = new System.Text.StringBuilder();
        foreach (string line in tcpdumpStdout.Split('\n'))
        {
            if (line.Length == 0)
            {
                continue;
            }

            if (!char.IsWhiteSpace(line[0]) && current.Length > 0)
            {
                packets.Add(current.ToString());
                current.Clear();
            }

            current.Append(line).Append('\n');
        }

        if (current.Length > 0)
        {
            packets.Add(current.ToString());
        }

        return packets;
    }

    /// <summary>Only the hex lines of a packet: its bytes, whatever the time stamp.</summary>
    public static string Bytes(string packet) =>
        string.Join('\n', packet.Split('\n').Where(l => l.StartsWith('\t') || l.StartsWith(' ')));
}
