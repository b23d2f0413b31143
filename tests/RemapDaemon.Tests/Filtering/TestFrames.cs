using System.Buffers.Binary;
using System.Net;

namespace RemapDaemon.Tests.Filtering;

/// <summary>
/// Builds well-formed frames layer by layer (Ethernet, VLAN tags, IPv4 with options and
/// fragments, IPv6 with extension headers, TCP, UDP, ICMP, ARP) so that tcpdump, tshark and
/// our header walker can be asked about the same bytes. IP header checksums are right;
/// transport checksums are 0.
/// </summary>
internal static class TestFrames
{
    public static readonly byte[] DstMac = [0x02, 0x00, 0x00, 0x00, 0x00, 0x02];
    public static readonly byte[] SrcMac = [0x02, 0x00, 0x00, 0x00, 0x00, 0x01];
    public static readonly byte[] Broadcast = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];

    public const byte TcpFin = 0x01;
    public const byte TcpSyn = 0x02;
    public const byte TcpPsh = 0x08;
    public const byte TcpAck = 0x10;

    /// <summary>An Ethernet frame: MACs, the tags outermost first (TPID, TCI), the EtherType, the body, padded to 60 bytes.</summary>
    public static byte[] Eth(ushort etherType, byte[] body, (ushort Tpid, ushort Tci)[]? tags = null, byte[]? dst = null, bool pad = true)
    {
        tags ??= [];
        var f = new List<byte>();
        f.AddRange(dst ?? DstMac);
        f.AddRange(SrcMac);
        foreach ((ushort tpid, ushort tci) in tags)
        {
            f.AddRange(U16(tpid));
            f.AddRange(U16(tci));
        }

        f.AddRange(U16(etherType));
        f.AddRange(body);
        while (pad && f.Count < 60)
        {
            f.Add(0);
        }

        return [.. f];
    }

    public static byte[] Ipv4(string src, string dst, byte protocol, byte[] payload, byte[]? options = null,
        int fragmentOffset8 = 0, bool moreFragments = false, byte ttl = 64, ushort id = 0x1234)
    {
        options ??= [];
        int headerLength = 20 + options.Length;
        var h = new byte[headerLength];
        h[0] = (byte)(0x40 | (headerLength / 4));
        BinaryPrimitives.WriteUInt16BigEndian(h.AsSpan(2), (ushort)(headerLength + payload.Length));
        BinaryPrimitives.WriteUInt16BigEndian(h.AsSpan(4), id);
        BinaryPrimitives.WriteUInt16BigEndian(h.AsSpan(6), (ushort)((moreFragments ? 0x2000 : 0) | fragmentOffset8));
        h[8] = ttl;
        h[9] = protocol;
        IPAddress.Parse(src).GetAddressBytes().CopyTo(h, 12);
        IPAddress.Parse(dst).GetAddressBytes().CopyTo(h, 16);
        options.CopyTo(h, 20);
        BinaryPrimitives.WriteUInt16BigEndian(h.AsSpan(10), Checksum(h));
        return [.. h, .. payload];
    }

    /// <summary>IPv6: <paramref name="nextHeader"/> is the first header in <paramref name="rest"/> (an extension header or the transport).</summary>
    public static byte[] Ipv6(string src, string dst, byte nextHeader, byte[] rest, byte hopLimit = 64)
    {
        var h = new byte[40];
        h[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(h.AsSpan(4), (ushort)rest.Length);
        h[6] = nextHeader;
        h[7] = hopLimit;
        IPAddress.Parse(src).GetAddressBytes().CopyTo(h, 8);
        IPAddress.Parse(dst).GetAddressBytes().CopyTo(h, 24);
        return [.. h, .. rest];
    }

    /// <summary>Hop-by-hop (0), routing (43) or destination options (60): 8 * <paramref name="units"/> bytes, padded with PadN.</summary>
    public static byte[] Ipv6Options(byte nextHeader, byte[] rest, int units = 1, bool routing = false)
    {
        var h = new byte[8 * units];
        h[0] = nextHeader;
        h[1] = (byte)(units - 1);
        if (routing)
        {
            h[2] = 0;   // type 0 (deprecated, still parseable)
            h[3] = 0;   // segments left
        }
        else
        {
            h[2] = 1;   // PadN
            h[3] = (byte)(h.Length - 4);
        }

        return [.. h, .. rest];
    }

    public static byte[] Ipv6Fragment(byte nextHeader, byte[] rest, int offset8 = 0, bool more = false, uint id = 0xabcdef)
    {
        var h = new byte[8];
        h[0] = nextHeader;
        BinaryPrimitives.WriteUInt16BigEndian(h.AsSpan(2), (ushort)((offset8 << 3) | (more ? 1 : 0)));
        BinaryPrimitives.WriteUInt32BigEndian(h.AsSpan(4), id);
        return [.. h, .. rest];
    }

    /// <summary>AH with a 12-byte ICV: 24 bytes, payload length field (24/4 - 2) = 4.</summary>
    public static byte[] AuthenticationHeader(byte nextHeader, byte[] rest)
    {
        var h = new byte[24];
        h[0] = nextHeader;
        h[1] = 4;
        BinaryPrimitives.WriteUInt32BigEndian(h.AsSpan(4), 0x100); // SPI
        BinaryPrimitives.WriteUInt32BigEndian(h.AsSpan(8), 1);     // sequence
        return [.. h, .. rest];
    }

    public static byte[] Tcp(ushort sport, ushort dport, byte flags, byte[] payload, int optionWords = 0)
    {
        var h = new byte[20 + (optionWords * 4)];
        BinaryPrimitives.WriteUInt16BigEndian(h, sport);
        BinaryPrimitives.WriteUInt16BigEndian(h.AsSpan(2), dport);
        BinaryPrimitives.WriteUInt32BigEndian(h.AsSpan(4), 1000);
        BinaryPrimitives.WriteUInt32BigEndian(h.AsSpan(8), (flags & TcpAck) != 0 ? 2000u : 0);
        h[12] = (byte)((5 + optionWords) << 4);
        h[13] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(h.AsSpan(14), 65535);
        for (int i = 20; i < h.Length; i++)
        {
            h[i] = 1; // NOP options
        }

        return [.. h, .. payload];
    }

    public static byte[] Udp(ushort sport, ushort dport, byte[] payload)
    {
        var h = new byte[8];
        BinaryPrimitives.WriteUInt16BigEndian(h, sport);
        BinaryPrimitives.WriteUInt16BigEndian(h.AsSpan(2), dport);
        BinaryPrimitives.WriteUInt16BigEndian(h.AsSpan(4), (ushort)(8 + payload.Length));
        return [.. h, .. payload];
    }

    /// <summary>ICMP (or ICMPv6) echo request with a payload.</summary>
    public static byte[] IcmpEcho(byte type, byte[] payload)
    {
        var h = new byte[8];
        h[0] = type;
        BinaryPrimitives.WriteUInt16BigEndian(h.AsSpan(4), 1);
        BinaryPrimitives.WriteUInt16BigEndian(h.AsSpan(6), 1);
        return [.. h, .. payload];
    }

    public static byte[] Arp(string senderIp, string targetIp)
    {
        var a = new byte[28];
        BinaryPrimitives.WriteUInt16BigEndian(a, 1);
        BinaryPrimitives.WriteUInt16BigEndian(a.AsSpan(2), 0x0800);
        a[4] = 6;
        a[5] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(a.AsSpan(6), 1);
        SrcMac.CopyTo(a, 8);
        IPAddress.Parse(senderIp).GetAddressBytes().CopyTo(a, 14);
        IPAddress.Parse(targetIp).GetAddressBytes().CopyTo(a, 24);
        return Eth(0x0806, a, dst: Broadcast);
    }

    /// <summary>Recognisable bytes: "P<n>" then a counting pattern, <paramref name="length"/> in all.</summary>
    public static byte[] Payload(int length, byte seed = 0)
    {
        var p = new byte[length];
        for (int i = 0; i < length; i++)
        {
            p[i] = (byte)(seed + (i * 7));
        }

        return p;
    }

    public static byte[] Ascii(string text) => System.Text.Encoding.ASCII.GetBytes(text);

    private static byte[] U16(ushort v) => [(byte)(v >> 8), (byte)v];

    private static ushort Checksum(ReadOnlySpan<byte> header)
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

/// <summary>One crafted frame with a name, its wire length (larger than its bytes when truncated), and the payload the header walker must find.</summary>
internal sealed record CraftedFrame(string Name, byte[] Data, uint WireLength, byte[]? ExpectedPayload)
{
    public override string ToString() => Name;
}

/// <summary>The set every filtering test runs over: one of everything the issue names.</summary>
internal static class CraftedFrames
{
    public static IReadOnlyList<CraftedFrame> All()
    {
        var list = new List<CraftedFrame>();
        void Add(string name, byte[] frame, byte[]? payload, int? truncateTo = null)
        {
            byte[] data = truncateTo is int t ? frame[..t] : frame;
            list.Add(new CraftedFrame(name, data, (uint)frame.Length, payload));
        }


        byte[] http = TestFrames.Ascii("GET /index.html HTTP/1.1\r\nHost: example\r\n\r\n");
        Add("tcp-http-10.0.0.1->10.0.0.2:80", TestFrames.Eth(0x0800, TestFrames.Ipv4("10.0.0.1", "10.0.0.2", 6, TestFrames.Tcp(40000, 80, TestFrames.TcpPsh | TestFrames.TcpAck, http))), http);
        Add("tcp-syn-10.0.0.1->10.0.0.2:80", TestFrames.Eth(0x0800, TestFrames.Ipv4("10.0.0.1", "10.0.0.2", 6, TestFrames.Tcp(40001, 80, TestFrames.TcpSyn, [], optionWords: 3))), []);
        Add("tcp-synack-10.0.0.2:80->10.0.0.1", TestFrames.Eth(0x0800, TestFrames.Ipv4("10.0.0.2", "10.0.0.1", 6, TestFrames.Tcp(80, 40001, TestFrames.TcpSyn | TestFrames.TcpAck, []))), []);
        byte[] tls = TestFrames.Payload(300, 3);
        Add("tcp-443-192.168.1.10->10.1.2.3", TestFrames.Eth(0x0800, TestFrames.Ipv4("192.168.1.10", "10.1.2.3", 6, TestFrames.Tcp(51000, 443, TestFrames.TcpAck | TestFrames.TcpPsh, tls))), tls);
        byte[] ssh = TestFrames.Ascii("SSH-2.0-OpenSSH_9.2\r\n");
        Add("tcp-22-172.16.0.5->192.168.1.1", TestFrames.Eth(0x0800, TestFrames.Ipv4("172.16.0.5", "192.168.1.1", 6, TestFrames.Tcp(22, 50022, TestFrames.TcpAck | TestFrames.TcpPsh, ssh))), ssh);
        byte[] dns = [0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 7, .. TestFrames.Ascii("example"), 3, .. TestFrames.Ascii("com"), 0, 0, 1, 0, 1];
        Add("udp-dns-10.0.0.1->8.8.8.8:53", TestFrames.Eth(0x0800, TestFrames.Ipv4("10.0.0.1", "8.8.8.8", 17, TestFrames.Udp(33000, 53, dns))), dns);
        byte[] magic = [0xde, 0xad, 0xbe, 0xef, 0x12, 0x34, 0x56, 0x78, 0xca, 0xfe];
        Add("udp-1500-magic-deadbeef", TestFrames.Eth(0x0800, TestFrames.Ipv4("10.0.0.3", "10.0.0.4", 17, TestFrames.Udp(1500, 1600, magic))), magic);
        byte[] big = TestFrames.Payload(1400, 9);
        Add("udp-big-1442-bytes", TestFrames.Eth(0x0800, TestFrames.Ipv4("10.9.9.9", "10.0.0.1", 17, TestFrames.Udp(5000, 5001, big))), big);
        byte[] jumbo = TestFrames.Payload(8000, 11);
        Add("udp-jumbo-truncated-to-200", TestFrames.Eth(0x0800, TestFrames.Ipv4("10.0.0.1", "10.0.0.9", 17, TestFrames.Udp(7000, 7001, jumbo))), jumbo[..(200 - 42)], truncateTo: 200);
        byte[] echo = TestFrames.Payload(56, 1);
        Add("icmp-echo-10.0.0.1->10.0.0.2", TestFrames.Eth(0x0800, TestFrames.Ipv4("10.0.0.1", "10.0.0.2", 1, TestFrames.IcmpEcho(8, echo))), [.. TestFrames.IcmpEcho(8, echo)]);
        byte[] ttl1 = TestFrames.Ascii("low ttl");
        Add("udp-ttl-1", TestFrames.Eth(0x0800, TestFrames.Ipv4("10.0.0.1", "10.0.0.2", 17, TestFrames.Udp(1111, 2222, ttl1), ttl: 1)), ttl1);
        byte[] rr = [7, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0]; // record route (11 bytes) + EOL
        byte[] opt = TestFrames.Ascii("ip options here");
        Add("udp-ipv4-options-rr", TestFrames.Eth(0x0800, TestFrames.Ipv4("10.0.0.5", "10.0.0.6", 17, TestFrames.Udp(4000, 4001, opt), options: rr)), opt);
        byte[] first = TestFrames.Udp(6000, 6001, TestFrames.Payload(64, 5));
        Add("ipv4-first-fragment", TestFrames.Eth(0x0800, TestFrames.Ipv4("10.0.0.7", "10.0.0.8", 17, first, moreFragments: true)), first[8..]);
        byte[] later = TestFrames.Payload(48, 6);
        Add("ipv4-later-fragment", TestFrames.Eth(0x0800, TestFrames.Ipv4("10.0.0.7", "10.0.0.8", 17, later, fragmentOffset8: 9)), later);
        byte[] gre = [0, 0, 0x08, 0x00, .. TestFrames.Payload(20)];
        Add("gre-proto-47", TestFrames.Eth(0x0800, TestFrames.Ipv4("10.0.0.1", "10.0.0.254", 47, gre)), gre);
        byte[] v100 = TestFrames.Ascii("vlan hundred");
        Add("vlan-100-udp-10.0.0.1", TestFrames.Eth(0x0800, TestFrames.Ipv4("10.0.0.1", "10.0.0.2", 17, TestFrames.Udp(3000, 3001, v100)), tags: [(0x8100, 100)]), v100);
        byte[] v200 = TestFrames.Ascii("GET /vlan HTTP/1.0\r\n");
        Add("vlan-200-tcp-80", TestFrames.Eth(0x0800, TestFrames.Ipv4("10.0.0.1", "10.0.0.2", 6, TestFrames.Tcp(40002, 80, TestFrames.TcpAck | TestFrames.TcpPsh, v200)), tags: [(0x8100, (3 << 13) | 200)]), v200);
        byte[] qq = TestFrames.Ascii("q-in-q");
        Add("qinq-100-200-udp", TestFrames.Eth(0x0800, TestFrames.Ipv4("10.0.0.1", "10.0.0.2", 17, TestFrames.Udp(3100, 3101, qq)), tags: [(0x88a8, 100), (0x8100, 200)]), qq);
        byte[] v6http = TestFrames.Ascii("GET / HTTP/1.1\r\n\r\n");
        Add("ipv6-tcp-syn-2001:db8::1->2001:db8::2:443", TestFrames.Eth(0x86dd, TestFrames.Ipv6("2001:db8::1", "2001:db8::2", 6, TestFrames.Tcp(41000, 443, TestFrames.TcpSyn, []))), []);
        Add("ipv6-tcp-ack-80-payload", TestFrames.Eth(0x86dd, TestFrames.Ipv6("2001:db8::1", "2001:db8::2", 6, TestFrames.Tcp(41001, 80, TestFrames.TcpAck | TestFrames.TcpPsh, v6http))), v6http);
        byte[] v6udp = [0x12, 0x34, .. TestFrames.Ascii("six")];
        Add("ipv6-udp-fe80->ff02", TestFrames.Eth(0x86dd, TestFrames.Ipv6("fe80::1", "ff02::1", 17, TestFrames.Udp(5353, 5353, v6udp))), v6udp);
        byte[] hbh = TestFrames.Ascii("after hop-by-hop and dstopts");
        Add("ipv6-hbh-dstopts-udp", TestFrames.Eth(0x86dd, TestFrames.Ipv6("2001:db8::5", "2001:db8::6", 0,
            TestFrames.Ipv6Options(60, TestFrames.Ipv6Options(17, TestFrames.Udp(8000, 8001, hbh), units: 2)))), hbh);
        byte[] rt = TestFrames.Ascii("routed");
        Add("ipv6-routing-tcp-syn", TestFrames.Eth(0x86dd, TestFrames.Ipv6("2001:db8::7", "2001:db8::8", 43,
            TestFrames.Ipv6Options(6, TestFrames.Tcp(42000, 8080, TestFrames.TcpSyn | TestFrames.TcpPsh, rt), routing: true))), rt);
        byte[] f6 = TestFrames.Udp(9000, 9001, TestFrames.Payload(40, 2));
        Add("ipv6-first-fragment-udp", TestFrames.Eth(0x86dd, TestFrames.Ipv6("2001:db8::9", "2001:db8::a", 44, TestFrames.Ipv6Fragment(17, f6, more: true))), f6[8..]);
        byte[] f6b = TestFrames.Payload(32, 8);
        Add("ipv6-later-fragment", TestFrames.Eth(0x86dd, TestFrames.Ipv6("2001:db8::9", "2001:db8::a", 44, TestFrames.Ipv6Fragment(17, f6b, offset8: 6))), f6b);
        byte[] ah = TestFrames.Ascii("authenticated");
        Add("ipv6-ah-tcp", TestFrames.Eth(0x86dd, TestFrames.Ipv6("2001:db8::b", "2001:db8::c", 51,
            TestFrames.AuthenticationHeader(6, TestFrames.Tcp(43000, 80, TestFrames.TcpAck | TestFrames.TcpPsh, ah)))), ah);
        byte[] ping6 = TestFrames.Payload(32, 4);
        Add("icmpv6-echo", TestFrames.Eth(0x86dd, TestFrames.Ipv6("2001:db8::1", "2001:db8::2", 58, TestFrames.IcmpEcho(128, ping6))), [.. TestFrames.IcmpEcho(128, ping6)]);
        Add("arp-who-has-10.0.0.2", TestFrames.Arp("10.0.0.1", "10.0.0.2"), null);
        Add("lldp-0x88cc", TestFrames.Eth(0x88cc, TestFrames.Payload(40)), null);
        byte[] tiny = TestFrames.Ascii("x");
        Add("udp-tiny-padded-to-60", TestFrames.Eth(0x0800, TestFrames.Ipv4("10.0.0.1", "10.0.0.2", 17, TestFrames.Udp(1234, 4321, tiny))), tiny);
        byte[] cut = TestFrames.Ascii("this TCP payload is cut by the snaplen");
        Add("tcp-truncated-inside-header", TestFrames.Eth(0x0800, TestFrames.Ipv4("10.0.0.1", "10.0.0.2", 6, TestFrames.Tcp(40003, 80, TestFrames.TcpAck, cut))), null, truncateTo: 44);
        return list;
    }
}
