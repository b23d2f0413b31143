using System.Runtime.InteropServices;
using RemapDaemon.Filtering;
using RemapDaemon.Output.Pcap;
using RemapDaemon.Protocol;
using RemapDaemon.Tests.Support;

namespace RemapDaemon.Tests.Filtering;

/// <summary>
/// Filter equivalence with tcpdump itself: for each expression, the crafted frames our compiled
/// program accepts (libpcap's interpreter, through <see cref="BpfProgram.Matches"/>) are exactly
/// those tcpdump -r writes out, and the program is instruction for instruction what tcpdump -ddd
/// prints. Bad expressions give libpcap's message, word for word what tcpdump says.
/// </summary>
public sealed class BpfProgramOracleTests : IDisposable
{
    /// <summary>The expressions of issue 4 and more: hosts, nets, ports, protocols, VLAN, IPv6, byte offsets, lengths.</summary>
    public static readonly string[] Expressions =
    [
        "tcp port 80 and host 10.0.0.1",
        "vlan and udp",
        "ip6 and ip6[6] = 6 and ip6[40 + 13] & 2 != 0",
        "greater 1000",
        "len < 100",
        "net 10.0.0.0/8",
        "icmp",
        "arp",
        "udp[8:2] = 0x1234",
        "src host 192.168.1.10",
        "dst port 53",
        "portrange 1000-2000",
        "ip6",
        "ip6 net 2001:db8::/32",
        "vlan 100",
        "vlan 100 and vlan 200",
        "tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn",
        "ip[8] < 64",
        "ip[6:2] & 0x1fff != 0",
        "udp and not port 53",
        "ether host 02:00:00:00:00:01",
        "ether broadcast",
        "icmp6",
        "ip proto 47",
        "host 2001:db8::1",
        "tcp and (port 22 or port 443)",
        "less 64",
        "ip[0] & 0xf != 5",
        "ether proto 0x88cc",
        "ip6 protochain 6",
        "vlan and host 10.0.0.1",
        "ip6 and udp",
        "tcp[((tcp[12:1] & 0xf0) >> 2):4] = 0x47455420",
        "",
    ];

    public static TheoryData<string> All() => [.. Expressions];

    private readonly CraftedCapture _capture = new();

    public void Dispose() => _capture.Dispose();

    [Theory]
    [MemberData(nameof(All))]
    public void Accepts_exactly_the_packets_tcpdump_writes(string expression)
    {
        BpfProgram program = BpfProgram.Compile(expression);
        string survivors = _capture.PathOf("out.pcap");

        ToolResult r = ExternalTool.Run("tcpdump", "-r", _capture.Path, "-nn", "-w", survivors, expression);

        r.ExitCode.Should().Be(0, "{0}", r);
        int[] tcpdumps = [.. PcapReader.ReadFile(survivors).Select(rec => CraftedCapture.IndexOf(rec.TimestampNs))];
        int[] ours = [.. Enumerable.Range(0, _capture.Frames.Count).Where(i => program.Matches(_capture.Frames[i].Data, _capture.Frames[i].WireLength) != 0)];
        ours.Should().Equal(tcpdumps, "'{0}' must select {1}", expression, string.Join(", ", tcpdumps.Select(i => _capture.Frames[i].Name)));
    }

    [Theory]
    [MemberData(nameof(All))]
    public void Compiles_to_the_program_tcpdump_ddd_prints(string expression)
    {
        BpfProgram program = BpfProgram.Compile(expression);

        ToolResult r = ExternalTool.Run("tcpdump", "-r", _capture.Path, "-ddd", expression);

        r.ExitCode.Should().Be(0, "{0}", r);
        program.Length.Should().BeGreaterThan(0);
        program.ToDecimalListing().Should().Be(r.Stdout);
    }

    [Theory]
    [InlineData("vlan and udp")]
    [InlineData("vlan 100")]
    [InlineData("vlan 200")]
    [InlineData("vlan and tcp port 80")]
    [InlineData("vlan and host 10.0.0.1")]
    [InlineData("len > 100")]
    public void With_the_tag_in_metadata_the_verdict_is_tcpdumps_on_the_file_with_the_tag_put_back(string expression)
    {
        // The frames without tags in their bytes; every other one has a tag in metadata instead,
        // as veth and most NICs deliver them. PcapWriter puts the tags back, and so does Matches.
        var packets = new List<(byte[] Data, ushort Tci, ushort Tpid, bool Tag)>();
        foreach (CraftedFrame f in _capture.Frames.Where(f => f.Data.Length == f.WireLength && f.Data.Length > 14 && f.Data[12] != 0x81 && f.Data[12] != 0x88))
        {
            int i = packets.Count;
            packets.Add((f.Data, (ushort)(i % 4 == 0 ? 200 : 100), (ushort)(i % 6 == 1 ? 0x88a8 : 0x8100), i % 2 == 0));
        }

        string file = _capture.PathOf("meta.pcap");
        using (var w = new PcapWriter(File.Create(file), snaplen: 0))
        {
            for (int i = 0; i < packets.Count; i++)
            {
                w.Write(Meta(packets[i], i));
            }
        }

        BpfProgram program = BpfProgram.Compile(expression);
        string survivors = _capture.PathOf("meta-out.pcap");
        ToolResult r = ExternalTool.Run("tcpdump", "-r", file, "-w", survivors, expression);

        r.ExitCode.Should().Be(0, "{0}", r);
        int[] tcpdumps = [.. PcapReader.ReadFile(survivors).Select(rec => CraftedCapture.IndexOf(rec.TimestampNs))];
        int[] ours = [.. Enumerable.Range(0, packets.Count).Where(i => program.Matches(Meta(packets[i], i)) != 0)];
        ours.Should().Equal(tcpdumps);
        tcpdumps.Should().NotBeEmpty();
    }

    private static CapturedPacket Meta((byte[] Data, ushort Tci, ushort Tpid, bool Tag) p, int i) => new()
    {
        Data = p.Data,
        WireLength = (uint)p.Data.Length,
        TimestampNs = CraftedCapture.TimestampOf(i),
        IfIndex = 1,
        VlanTci = p.Tci,
        VlanProto = p.Tpid,
        Flags = p.Tag ? RemapDaemon.Protocol.Abi.Skbremap.SKBREMAP_PKT_VLAN : 0,
    };

    [Fact]
    public void The_expressions_select_different_packets_so_the_comparison_means_something()
    {
        var selections = Expressions.Select(e =>
        {
            BpfProgram p = BpfProgram.Compile(e);
            return string.Concat(_capture.Frames.Select(f => p.Matches(f.Data, f.WireLength) != 0 ? '1' : '0'));
        }).ToList();

        Expressions.Length.Should().BeGreaterThanOrEqualTo(20);
        selections.Distinct().Count().Should().BeGreaterThanOrEqualTo(25, "each expression selects its own subset of the frames");
        selections.Should().OnlyContain(s => s.Contains('1') || s.Length == 0, "every expression selects at least one frame");
    }

    [Theory]
    [InlineData("tcp port")]
    [InlineData("host 999.1.1.1")]
    [InlineData("portrange 5-")]
    [InlineData("no such thing")]
    [InlineData("vlan and udp and")]
    [InlineData("ether host zz:00:00:00:00:01")]
    [InlineData("ip6 and tcp[tcpflags] & tcp-syn != 0")]
    public void A_bad_expression_gives_libpcaps_message_word_for_word_as_tcpdump_prints_it(string expression)
    {
        ToolResult r = ExternalTool.Run("tcpdump", "-r", _capture.Path, "-nn", "-w", _capture.PathOf("never.pcap"), expression);

        Action compile = () => BpfProgram.Compile(expression);

        r.ExitCode.Should().NotBe(0, "{0}", r);
        BpfCompileException e = compile.Should().Throw<BpfCompileException>().Which;
        e.Expression.Should().Be(expression);
        e.Message.Should().NotBeNullOrWhiteSpace();
        r.Stderr.Should().Contain($"tcpdump: {e.Message}", "tcpdump prints libpcap's message after its name");
    }

    [Fact]
    public void The_issues_ipv6_syn_example_is_rejected_by_libpcap_1_10_itself_because_tcp_offsets_imply_ipv4()
    {
        // Issue 4 lists "ip6 and tcp[tcpflags] & tcp-syn != 0"; with libpcap 1.10 tcp[...] loads
        // are IPv4-only, so the expression can match nothing and libpcap refuses it, as tcpdump does.
        Action compile = () => BpfProgram.Compile("ip6 and tcp[tcpflags] & tcp-syn != 0");

        compile.Should().Throw<BpfCompileException>().WithMessage("expression rejects all packets");
    }

    [Fact]
    public void Ip_broadcast_needs_a_netmask_and_with_tcpdumps_offline_netmask_compiles_to_its_program()
    {
        Action unknown = () => BpfProgram.Compile("ip broadcast");
        BpfProgram withMask = BpfProgram.Compile("ip broadcast", netmask: 0);
        ToolResult r = ExternalTool.Run("tcpdump", "-r", _capture.Path, "-ddd", "ip broadcast");

        unknown.Should().Throw<BpfCompileException>().Which.Message.Should().Contain("netmask");
        r.ExitCode.Should().Be(0, "{0}", r);
        withMask.ToDecimalListing().Should().Be(r.Stdout, "tcpdump -r compiles with netmask 0");
    }

    [Fact]
    public void The_snaplen_is_the_accepting_return_value_and_a_rejection_is_zero()
    {
        BpfProgram udp = BpfProgram.Compile("udp", snaplen: 96);
        CraftedFrame dns = _capture.Frames.Single(f => f.Name.StartsWith("udp-dns", StringComparison.Ordinal));
        CraftedFrame arp = _capture.Frames.Single(f => f.Name.StartsWith("arp", StringComparison.Ordinal));

        udp.Matches(dns.Data, dns.WireLength).Should().Be(96);
        udp.Matches(arp.Data, arp.WireLength).Should().Be(0);
        udp.Snaplen.Should().Be(96);
        udp.Instructions[^1].k.Should().Be(0, "the last instruction is 'ret #0'");
    }

    [Fact]
    public void Length_tests_use_the_wire_length_not_the_captured_bytes()
    {
        BpfProgram greater = BpfProgram.Compile("greater 1000");
        CraftedFrame jumbo = _capture.Frames.Single(f => f.Name == "udp-jumbo-truncated-to-200");

        jumbo.Data.Should().HaveCount(200);
        greater.Matches(jumbo.Data, jumbo.WireLength).Should().NotBe(0);
        greater.Matches(jumbo.Data, 200).Should().Be(0);
    }

    [Fact]
    public void A_load_past_the_captured_bytes_rejects_instead_of_reading_beyond_them()
    {
        BpfProgram deep = BpfProgram.Compile("udp[1000:2] = 0");
        CraftedFrame jumbo = _capture.Frames.Single(f => f.Name == "udp-jumbo-truncated-to-200");

        deep.Matches(jumbo.Data, jumbo.WireLength).Should().Be(0);
        deep.Matches([], 1500).Should().Be(0);
    }

    [Fact]
    public void Instructions_are_struct_sock_filter_and_the_fprog_points_at_them()
    {
        BpfProgram p = BpfProgram.Compile("tcp port 80 and host 10.0.0.1");
        sock_fprog fprog = p.ToSockFprog();

        Marshal.SizeOf<sock_filter>().Should().Be(8);
        Marshal.OffsetOf<sock_filter>(nameof(sock_filter.jt)).Should().Be(2);
        Marshal.OffsetOf<sock_filter>(nameof(sock_filter.jf)).Should().Be(3);
        Marshal.OffsetOf<sock_filter>(nameof(sock_filter.k)).Should().Be(4);
        Marshal.SizeOf<sock_fprog>().Should().Be(16);
        Marshal.OffsetOf<sock_fprog>(nameof(sock_fprog.filter)).Should().Be(8);
        fprog.len.Should().Be((ushort)p.Length);
        fprog.filter.Should().Be(p.InstructionsAddress);
        GC.Collect();
        p.InstructionsAddress.Should().Be(fprog.filter, "the instructions are pinned");
        unsafe
        {
            new ReadOnlySpan<sock_filter>((void*)fprog.filter, fprog.len).SequenceEqual(p.Instructions, new FilterComparer()).Should().BeTrue();
        }

        BpfProgram.LibraryVersion.Should().StartWith("libpcap version 1.");
    }

    [Fact]
    public void Matching_allocates_nothing()
    {
        BpfProgram p = BpfProgram.Compile("tcp port 80 and host 10.0.0.1");
        byte[] frame = _capture.Frames[0].Data;
        p.Matches(frame, (uint)frame.Length).Should().NotBe(0);

        long before = GC.GetAllocatedBytesForCurrentThread();
        uint sum = 0;
        for (int i = 0; i < 100_000; i++)
        {
            sum += p.Matches(frame, (uint)frame.Length) == 0 ? 0u : 1u;
        }

        (GC.GetAllocatedBytesForCurrentThread() - before).Should().Be(0);
        sum.Should().Be(100_000);
    }

    private sealed class FilterComparer : IEqualityComparer<sock_filter>
    {
        public bool Equals(sock_filter x, sock_filter y) => x.code == y.code && x.jt == y.jt && x.jf == y.jf && x.k == y.k;

        public int GetHashCode(sock_filter obj) => HashCode.Combine(obj.code, obj.k);
    }
}
