using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using RemapDaemon.Filtering.Interop;
using RemapDaemon.Protocol;

namespace RemapDaemon.Filtering;

/// <summary>
/// A tcpdump filter expression compiled to classic BPF by libpcap itself (pcap_compile on a
/// pcap_open_dead handle of the capture's link type and snaplen): no home-made filter parser.
/// <see cref="Instructions"/> is the program as the kernel takes it (struct sock_filter[]);
/// <see cref="Matches"/> runs it with libpcap's own interpreter, as the emulator does.
/// <para>
/// Compiled for a file-like handle, the program finds VLAN tags in the packet bytes. A kernel
/// hook that sees the tag in skb metadata (veth, most NICs) must put it back before running the
/// program, or "vlan" will not match there; libpcap only emits the SKF_AD_VLAN_TAG_PRESENT
/// form for its own live Linux handles.
/// </para>
/// Immutable and thread-safe once compiled; the instruction array is pinned for its lifetime so
/// <see cref="ToSockFprog"/> can hand its address to an ioctl.
/// </summary>
public sealed class BpfProgram
{
    /// <summary>PCAP_NETMASK_UNKNOWN.</summary>
    public const uint NetmaskUnknown = LibPcap.NetmaskUnknown;

    /// <summary>BPF_MAXINSNS: the most instructions the kernel accepts in a classic program.</summary>
    public const int MaxInstructions = 4096;

    // Older libpcaps were not reentrant in pcap_compile (a global parser); one at a time is cheap.
    private static readonly Lock CompileLock = new();

    private readonly sock_filter[] _instructions;

    private BpfProgram(string expression, int linkType, int snaplen, bool optimized, sock_filter[] instructions)
    {
        Expression = expression;
        LinkType = linkType;
        Snaplen = snaplen;
        Optimized = optimized;
        _instructions = instructions;
    }

    /// <summary>The expression as given.</summary>
    public string Expression { get; }

    /// <summary>LINKTYPE_*/DLT_* it was compiled for.</summary>
    public int LinkType { get; }

    /// <summary>The snaplen it was compiled for: what an accepting program returns.</summary>
    public int Snaplen { get; }

    public bool Optimized { get; }

    /// <summary>The program, struct sock_filter by struct sock_filter.</summary>
    public ReadOnlySpan<sock_filter> Instructions => _instructions;

    public int Length => _instructions.Length;

    /// <summary>
    /// Address of the first instruction, for an ioctl argument such as skbremap_filter.insns:
    /// valid while this object is alive (the array is pinned); keep it alive (GC.KeepAlive)
    /// until the ioctl returns.
    /// </summary>
    public nint InstructionsAddress => Marshal.UnsafeAddrOfPinnedArrayElement(_instructions, 0);

    /// <summary>The libpcap version string the program was compiled with (pcap_lib_version).</summary>
    public static string LibraryVersion
    {
        get
        {
            LibPcap.EnsureResolver();
            return Marshal.PtrToStringUTF8(LibPcap.pcap_lib_version()) ?? string.Empty;
        }
    }

    /// <summary>Compiles <paramref name="expression"/> as tcpdump would for a capture of <paramref name="linkType"/>.</summary>
    /// <param name="expression">tcpdump syntax (pcap-filter(7)); empty accepts every packet.</param>
    /// <param name="linkType">LINKTYPE_* of the capture (1: Ethernet).</param>
    /// <param name="snaplen">What the program returns for an accepted packet (the captured length).</param>
    /// <param name="optimize">Run libpcap's optimizer (tcpdump does unless -O).</param>
    /// <param name="netmask">IPv4 netmask for "ip broadcast"; <see cref="NetmaskUnknown"/> otherwise.</param>
    /// <exception cref="BpfCompileException">libpcap rejected the expression; the message is libpcap's.</exception>
    /// <exception cref="DllNotFoundException">libpcap is not installed.</exception>
    public static BpfProgram Compile(string expression, int linkType = 1, int snaplen = 262144, bool optimize = true, uint netmask = NetmaskUnknown)
    {
        ArgumentNullException.ThrowIfNull(expression);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(snaplen);
        LibPcap.EnsureResolver();

        lock (CompileLock)
        {
            nint pcap = LibPcap.pcap_open_dead(linkType, snaplen);
            if (pcap == 0)
            {
                throw new InvalidOperationException($"pcap_open_dead({linkType}, {snaplen}) failed");
            }

            try
            {
                var program = default(LibPcap.bpf_program);
                if (LibPcap.pcap_compile(pcap, ref program, expression, optimize ? 1 : 0, netmask) != 0)
                {
                    string message = Marshal.PtrToStringUTF8(LibPcap.pcap_geterr(pcap)) ?? "pcap_compile failed";
                    throw new BpfCompileException(message) { Expression = expression };
                }

                try
                {
                    return new BpfProgram(expression, linkType, snaplen, optimize, CopyOut(program));
                }
                finally
                {
                    LibPcap.pcap_freecode(ref program);
                }
            }
            finally
            {
                LibPcap.pcap_close(pcap);
            }
        }
    }

    /// <summary>
    /// Runs the program on <paramref name="packet"/> (the captured bytes) with libpcap's
    /// interpreter (bpf_filter) and returns the length to keep: 0 rejects, anything else
    /// accepts (the snaplen for an expression-only program). Allocates nothing.
    /// </summary>
    /// <param name="wireLength">The packet's length on the wire ("len", "greater", "less" test it).</param>
    public unsafe uint Matches(ReadOnlySpan<byte> packet, uint wireLength)
    {
        fixed (sock_filter* pc = _instructions)
        fixed (byte* p = packet)
        {
            // bpf_filter reads nothing past buflen; an empty span may give a null pointer, which it never dereferences then.
            return LibPcap.bpf_filter(pc, p, wireLength, (uint)packet.Length);
        }
    }

    /// <summary>
    /// Runs the program on a captured packet as its pcap record will hold it: a VLAN tag the
    /// kernel moved into skb metadata is put back after the MAC addresses first (in a stack or
    /// pooled buffer), as libpcap does before a file-compiled filter sees the packet, so the
    /// verdict is tcpdump's on the written file. Allocates nothing after warm-up.
    /// </summary>
    public uint Matches(in CapturedPacket packet)
    {
        bool tag = VlanReinsertion.Applies(packet, (uint)LinkType);
        uint wireLength = VlanReinsertion.WireLength(packet, tag);
        if (!tag)
        {
            return Matches(packet.Data, wireLength);
        }

        const int StackLimit = 512;
        int length = (int)VlanReinsertion.PresentLength(packet, tag);
        byte[]? rented = null;
        Span<byte> frame = length <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            frame = frame[..length];
            VlanReinsertion.Copy(packet, tag, frame);
            return Matches(frame, wireLength);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// The program as a struct sock_fprog whose pointer stays valid while this object is alive
    /// (the instructions are pinned); keep it alive (GC.KeepAlive) until the ioctl returns.
    /// </summary>
    public sock_fprog ToSockFprog() => new()
    {
        len = (ushort)_instructions.Length,
        filter = InstructionsAddress,
    };

    /// <summary>The program as tcpdump -ddd prints it: the count, then "code jt jf k" per line, in decimal.</summary>
    public string ToDecimalListing()
    {
        var s = new StringBuilder();
        s.Append(CultureInfo.InvariantCulture, $"{_instructions.Length}\n");
        foreach (sock_filter i in _instructions)
        {
            s.Append(CultureInfo.InvariantCulture, $"{i.code} {i.jt} {i.jf} {i.k}\n");
        }

        return s.ToString();
    }

    public override string ToString() => $"{Expression} ({_instructions.Length} instructions)";

    private static unsafe sock_filter[] CopyOut(in LibPcap.bpf_program program)
    {
        if (program.bf_len == 0 || program.bf_insns == 0)
        {
            throw new InvalidOperationException("pcap_compile returned an empty program");
        }

        if (program.bf_len > MaxInstructions)
        {
            throw new BpfCompileException($"the compiled program has {program.bf_len} instructions; the kernel accepts at most {MaxInstructions}");
        }

        // Pinned: ToSockFprog hands out its address.
        sock_filter[] copy = GC.AllocateArray<sock_filter>((int)program.bf_len, pinned: true);
        new ReadOnlySpan<sock_filter>((void*)program.bf_insns, (int)program.bf_len).CopyTo(copy);
        return copy;
    }
}
