using RemapDaemon.Output.Pcap;
using RemapDaemon.Protocol;
using RemapDaemon.Tests.Protocol;
using static RemapDaemon.Protocol.Abi.Skbremap;

namespace RemapDaemon.Tests.Output.Pcap;

/// <summary>What one packet is, and what the pcap file must hold for it.</summary>
internal sealed record WrittenPacket(string Name, byte[] Data, uint WireLength, ulong TimestampNs, ushort VlanTci, ushort VlanProto, bool HasVlan)
{
    public uint Flags => (HasVlan ? SKBREMAP_PKT_VLAN : 0) | ((uint)Data.Length < WireLength ? SKBREMAP_PKT_TRUNCATED : 0);

    public CapturedPacket ToCaptured() => new()
    {
        Data = Data,
        WireLength = WireLength,
        TimestampNs = TimestampNs,
        IfIndex = 1,
        Protocol = 0x0800,
        VlanTci = VlanTci,
        VlanProto = VlanProto,
        Flags = Flags,
    };

    /// <summary>The record bytes libpcap would produce: the tag re-inserted after the MACs, then cut to snaplen.</summary>
    public byte[] ExpectedBytes(uint snaplen)
    {
        byte[] full = HasVlan && Data.Length >= 12
            ? [.. Data.AsSpan(0, 12), (byte)(VlanProto >> 8), (byte)VlanProto, (byte)(VlanTci >> 8), (byte)VlanTci, .. Data.AsSpan(12)]
            : Data;
        return full.AsSpan(0, (int)Math.Min((uint)full.Length, snaplen)).ToArray();
    }

    public uint ExpectedWireLength => HasVlan && Data.Length >= 12 ? WireLength + 4 : WireLength;
}

/// <summary>A temporary directory holding pcap files written by <see cref="PcapWriter"/>.</summary>
internal sealed class PcapTestFiles : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("remapd-pcap-");

    /// <summary>A mix that exercises the writer: plain, VLAN (802.1Q and 802.1ad), truncated, jumbo, several per second.</summary>
    public static IReadOnlyList<WrittenPacket> Mix() =>
    [
        new("udp-60", Frames.Udp(60, 1), 60, 1_700_000_000_123_456_789, 0, 0, false),
        new("vlan-100-prio-3", Frames.Udp(98, 2), 98, 1_700_000_000_123_456_790, (3 << 13) | 100, 0x8100, true),
        new("truncated-128-of-1514", Frames.Udp(1514, 3).AsSpan(0, 128).ToArray(), 1514, 1_700_000_001_000_000_000, 0, 0, false),
        new("jumbo-9014", Frames.Udp(9014, 4), 9014, 1_700_000_001_999_999_999, 0, 0, false),
        new("qinq-tpid-88a8", Frames.Udp(342, 5), 342, 1_700_000_002_000_000_001, 7, 0x88a8, true),
        new("vlan-truncated", Frames.Udp(1000, 6).AsSpan(0, 200).ToArray(), 1000, 1_700_000_002_500_000_000, 4094, 0x8100, true),
        new("min-frame-42", Frames.Udp(42, 7), 42, 1_700_000_003_000_000_000, 0, 0, false),
    ];

    public string PathOf(string name) => Path.Combine(_dir.FullName, name);

    /// <summary>Writes <paramref name="packets"/> to a new file and returns its path.</summary>
    public string Write(string name, IReadOnlyList<WrittenPacket> packets, uint snaplen, out long bytesWritten)
    {
        string path = PathOf(name);
        using (var writer = new PcapWriter(File.Create(path), snaplen))
        {
            foreach (WrittenPacket p in packets)
            {
                writer.Write(p.ToCaptured());
            }

            writer.PacketsWritten.Should().Be(packets.Count);
            bytesWritten = writer.BytesWritten;
        }

        return path;
    }

    public void Dispose() => _dir.Delete(recursive: true);
}
