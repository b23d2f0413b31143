using System.Buffers.Binary;
using RemapDaemon.Filtering;

namespace RemapDaemon.Store.Index;

/// <summary>
/// Decides from a flow's key alone whether a compiled filter can reject every packet of the
/// flow, so that a query may skip the flow's positions. Sound by construction: it runs the
/// filter's classic BPF program (libpcap's own compilation, the program tcpdump runs) over a
/// packet in which only the bytes the key fixes are known (<see cref="FlowKey"/>: EtherType,
/// VLAN TPID and id, the IPv4 version, header length, protocol, addresses and a zero fragment
/// offset; the IPv6 version, next header and addresses; the ports), every other byte and the
/// packet length unknown, tracking which bits of A, X and the scratch memory are known. A
/// jump whose outcome depends on an unknown bit follows both ways. The flow is skipped only if
/// every path ends in "return 0" for both directions of the flow. Anything it cannot follow
/// (too many paths, an ancillary load) counts as "may match". The query applies the filter to
/// every packet it reads anyway: this only narrows which packets it reads.
/// </summary>
public sealed class FlowMatcher
{
    private const int StepBudget = 200_000;
    private const int PacketBytes = 128;

    private readonly sock_filter[] _program;

    public FlowMatcher(BpfProgram program)
    {
        ArgumentNullException.ThrowIfNull(program);
        _program = program.Instructions.ToArray();
    }

    /// <summary>False only when no packet of a flow with <paramref name="key"/> can pass the filter.</summary>
    public bool MayMatch(in FlowKey key)
    {
        Span<byte> value = stackalloc byte[PacketBytes];
        Span<byte> known = stackalloc byte[PacketBytes];
        for (int direction = 0; direction < 2; direction++)
        {
            Build(key, direction == 1, value, known);
            int budget = StepBudget;
            if (Run(0, default, default, new Val[16], value, known, ref budget) != Verdict.Reject)
            {
                return true;
            }
        }

        return false;
    }

    private enum Verdict
    {
        Reject,
        Accept,
        Maybe,
    }

    /// <summary>A 32-bit value of which the bits set in Known are known.</summary>
    private readonly record struct Val(uint V, uint Known)
    {
        public bool Full => Known == uint.MaxValue;

        public static Val Of(uint v) => new(v, uint.MaxValue);

        public static readonly Val Unknown = new(0, 0);
    }

    /// <summary>The packet of <paramref name="key"/> with the key's bytes known; <paramref name="reverse"/>: from B to A.</summary>
    internal static void Build(in FlowKey key, bool reverse, Span<byte> value, Span<byte> known)
    {
        value.Clear();
        known.Clear();
        void Set(Span<byte> v, Span<byte> k, int at, ReadOnlySpan<byte> bytes)
        {
            bytes.CopyTo(v[at..]);
            k.Slice(at, bytes.Length).Fill(0xff);
        }

        Span<byte> two = stackalloc byte[2];
        int at = 12;
        if (key.VlanTpid != 0)
        {
            BinaryPrimitives.WriteUInt16BigEndian(two, key.VlanTpid);
            Set(value, known, 12, two);
            BinaryPrimitives.WriteUInt16BigEndian(value[14..], key.VlanId);
            known[14] = 0x0f;
            known[15] = 0xff;
            at = 16;
        }

        BinaryPrimitives.WriteUInt16BigEndian(two, key.EtherType);
        Set(value, known, at, two);
        if ((key.Flags & FlowKey.FlagInnerVlan) != 0)
        {
            return;
        }

        int l3 = at + 2;
        Span<byte> addr = stackalloc byte[16];
        UInt128 src = reverse ? key.AddrB : key.AddrA;
        UInt128 dst = reverse ? key.AddrA : key.AddrB;
        ushort sport = reverse ? key.PortB : key.PortA;
        ushort dport = reverse ? key.PortA : key.PortB;
        int l4;
        if (key.Kind == FlowKey.KindIPv4)
        {
            value[l3] = (byte)(0x40 | key.Ihl);
            known[l3] = 0xff;
            if ((key.Flags & FlowKey.FlagFragment) == 0)
            {
                known[l3 + 6] = 0x1f;
                known[l3 + 7] = 0xff;
            }

            value[l3 + 9] = key.Proto;
            known[l3 + 9] = 0xff;
            BinaryPrimitives.WriteUInt128BigEndian(addr, src);
            Set(value, known, l3 + 12, addr[..4]);
            BinaryPrimitives.WriteUInt128BigEndian(addr, dst);
            Set(value, known, l3 + 16, addr[..4]);
            l4 = l3 + (key.Ihl * 4);
        }
        else if (key.Kind == FlowKey.KindIPv6)
        {
            value[l3] = 0x60;
            known[l3] = 0xf0;
            value[l3 + 6] = key.Proto;
            known[l3 + 6] = 0xff;
            BinaryPrimitives.WriteUInt128BigEndian(addr, src);
            Set(value, known, l3 + 8, addr);
            BinaryPrimitives.WriteUInt128BigEndian(addr, dst);
            Set(value, known, l3 + 24, addr);
            l4 = l3 + 40;
        }
        else
        {
            return;
        }

        if (key.HasPorts && l4 + 4 <= value.Length)
        {
            BinaryPrimitives.WriteUInt16BigEndian(two, sport);
            Set(value, known, l4, two);
            BinaryPrimitives.WriteUInt16BigEndian(two, dport);
            Set(value, known, l4 + 2, two);
        }
    }

    private static Val Load(ReadOnlySpan<byte> value, ReadOnlySpan<byte> known, long at, int size)
    {
        if (at < 0 || at + size > value.Length)
        {
            return Val.Unknown;
        }

        uint v = 0;
        uint k = 0;
        for (int i = 0; i < size; i++)
        {
            v = (v << 8) | value[(int)at + i];
            k = (k << 8) | known[(int)at + i];
        }

        if (size < 4)
        {
            k |= ~0u << (size * 8); // the high bytes of a short load are zero
        }

        return new Val(v & k, k);
    }

    private Verdict Run(int pc, Val a, Val x, Val[] mem, ReadOnlySpan<byte> value, ReadOnlySpan<byte> known, ref int budget)
    {
        while (true)
        {
            if (--budget < 0 || (uint)pc >= (uint)_program.Length)
            {
                return Verdict.Maybe;
            }

            sock_filter i = _program[pc];
            int cls = i.code & 0x07;
            int size = (i.code & 0x18) switch { 0x00 => 4, 0x08 => 2, _ => 1 };
            int mode = i.code & 0xe0;
            switch (cls)
            {
                case 0x00: // LD
                case 0x01: // LDX
                    Val loaded = mode switch
                    {
                        0x00 => Val.Of(i.k),
                        0x20 => i.k >= 0xfffff000 ? Val.Unknown : Load(value, known, i.k, size),
                        0x40 => x.Full ? Load(value, known, (long)x.V + i.k, size) : Val.Unknown,
                        0x60 => i.k < 16 ? mem[i.k] : Val.Unknown,
                        0xa0 => Msh(Load(value, known, i.k, 1)),
                        _ => Val.Unknown, // LEN: the length is not known
                    };
                    if (cls == 0x00)
                    {
                        a = loaded;
                    }
                    else
                    {
                        x = loaded;
                    }

                    pc++;
                    break;
                case 0x02: // ST
                case 0x03: // STX
                    if (i.k < 16)
                    {
                        mem = (Val[])mem.Clone();
                        mem[i.k] = cls == 0x02 ? a : x;
                    }

                    pc++;
                    break;
                case 0x04: // ALU
                    Val operand = (i.code & 0x08) != 0 ? x : Val.Of(i.k);
                    int op = i.code & 0xf0;
                    if (op is 0x30 or 0x90 && operand.Full && operand.V == 0)
                    {
                        return Verdict.Reject; // division by zero ends the program with 0
                    }

                    a = Alu(op, a, operand);
                    pc++;
                    break;
                case 0x05: // JMP
                    int jop = i.code & 0xf0;
                    if (jop == 0x00)
                    {
                        pc += 1 + (int)i.k;
                        break;
                    }

                    Val b = (i.code & 0x08) != 0 ? x : Val.Of(i.k);
                    bool? taken = Compare(jop, a, b);
                    if (taken is bool t)
                    {
                        pc += 1 + (t ? i.jt : i.jf);
                        break;
                    }

                    Verdict first = Run(pc + 1 + i.jt, a, x, mem, value, known, ref budget);
                    if (first != Verdict.Reject)
                    {
                        return first;
                    }

                    pc += 1 + i.jf;
                    break;
                case 0x06: // RET
                    Val r = (i.code & 0x18) == 0x10 ? a : Val.Of(i.k);
                    return r.Full ? (r.V != 0 ? Verdict.Accept : Verdict.Reject) : Verdict.Maybe;
                default: // MISC: TAX, TXA
                    if ((i.code & 0xf8) == 0x80)
                    {
                        a = x;
                    }
                    else
                    {
                        x = a;
                    }

                    pc++;
                    break;
            }
        }
    }

    /// <summary>ldx 4*([k]&amp;0xf): known when the low nibble is.</summary>
    private static Val Msh(Val b) => (b.Known & 0x0f) == 0x0f ? Val.Of((b.V & 0x0f) * 4) : Val.Unknown;

    private static Val Alu(int op, Val a, Val b)
    {
        if (a.Full && b.Full)
        {
            uint s = b.V & 31;
            return Val.Of(op switch
            {
                0x00 => a.V + b.V,
                0x10 => a.V - b.V,
                0x20 => a.V * b.V,
                0x30 => a.V / b.V,
                0x40 => a.V | b.V,
                0x50 => a.V & b.V,
                0x60 => b.V >= 32 ? 0 : a.V << (int)s,
                0x70 => b.V >= 32 ? 0 : a.V >> (int)s,
                0x80 => unchecked((uint)-(int)a.V),
                0x90 => a.V % b.V,
                0xa0 => a.V ^ b.V,
                _ => 0,
            });
        }

        switch (op)
        {
            case 0x50: // AND: a bit known zero on either side is a known zero
                uint knownAnd = (a.Known & b.Known) | (a.Known & ~a.V) | (b.Known & ~b.V);
                return new Val(a.V & b.V & knownAnd, knownAnd);
            case 0x40: // OR: a bit known one on either side is a known one
                uint knownOr = (a.Known & b.Known) | (a.Known & a.V) | (b.Known & b.V);
                return new Val((a.V | b.V) & knownOr, knownOr);
            case 0x60 when b.Full && b.V < 32:
                return new Val(a.V << (int)b.V, (a.Known << (int)b.V) | ((1u << (int)b.V) - 1));
            case 0x70 when b.Full && b.V < 32:
                return new Val(a.V >> (int)b.V, (a.Known >> (int)b.V) | ~(uint.MaxValue >> (int)b.V));
            default:
                return Val.Unknown;
        }
    }

    /// <summary>The jump's outcome when the known bits decide it; null when both ways are possible.</summary>
    private static bool? Compare(int op, Val a, Val b)
    {
        uint both = a.Known & b.Known;
        switch (op)
        {
            case 0x10: // JEQ
                if (((a.V ^ b.V) & both) != 0)
                {
                    return false;
                }

                return a.Full && b.Full ? true : null;
            case 0x40: // JSET
                if ((a.V & b.V & both) != 0)
                {
                    return true;
                }

                // Every bit b may have set is a known zero of a.
                uint maybeB = b.V | ~b.Known;
                uint maybeA = a.V | ~a.Known;
                return (maybeA & maybeB) == 0 ? false : null;
            case 0x20: // JGT
                return a.Full && b.Full ? a.V > b.V : null;
            case 0x30: // JGE
                return a.Full && b.Full ? a.V >= b.V : null;
            default:
                return null;
        }
    }
}
