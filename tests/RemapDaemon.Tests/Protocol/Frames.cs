using System.Buffers.Binary;

namespace RemapDaemon.Tests.Protocol;

/// <summary>Well-formed Ethernet/IPv4/UDP frames, so that tcpdump and tshark dissect what they are given.</summary>
internal static class Frames
{
    public static readonly byte[] DstMac = [0x02, 0x00, 0x00, 0x00, 0x00, 0x02];
    public static readonly byte[] SrcMac = [0x02, 0x00, 0x00, 0x00, 0x00, 0x01];

    /// <summary>An untagged frame of exactly <paramref name="frameLength"/> bytes (>= 42) with a recognisable payload.</summary>
    public static byte[] Udp(int frameLength, byte seed = 0)
    {
        var f = new byte[frameLength];
        DstMac.CopyTo(f, 0);
        SrcMac.CopyTo(f, 6);
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(12), 0x0800);

        Span<byte> ip = f.AsSpan(14, 20);
        int ipLength = frameLength - 14;
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)ipLength);
        ip[8] = 64;
        ip[9] = 17;
        ip[12] = 10; ip[15] = 1;   // 10.0.0.1
        ip[16] = 10; ip[19] = 2;   // 10.0.0.2
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], IpChecksum(ip));

        Span<byte> udp = f.AsSpan(34, 8);
        BinaryPrimitives.WriteUInt16BigEndian(udp, 40000);
        BinaryPrimitives.WriteUInt16BigEndian(udp[2..], 9);
        BinaryPrimitives.WriteUInt16BigEndian(udp[4..], (ushort)(ipLength - 20)); // checksum 0: none

        for (int i = 42; i < frameLength; i++)
        {
            f[i] = (byte)(seed + i);
        }

        return f;
    }

    private static ushort IpChecksum(ReadOnlySpan<byte> header)
    {
        uint sum = 0;
        for (int i = 0; i < header.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(header[i..]);
        }

        while (sum > 0xffff)
        {
            sum = (sum & 0xffff) + (sum >> 16);
        }

        return (ushort)~sum;
    }
}
