using System.Runtime.InteropServices;

namespace RemapDaemon.Filtering;

/// <summary>
/// One classic BPF instruction, laid out exactly as linux/filter.h's <c>struct sock_filter</c>
/// and libpcap's <c>struct bpf_insn</c> (8 bytes: code u16, jt u8, jf u8, k u32), so an array
/// of them is what SO_ATTACH_FILTER and the module's filter ioctl take. C names kept on purpose.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
#pragma warning disable IDE1006, CA1707 // C names, as the kernel header spells them.
public struct sock_filter
{
    public ushort code;
    public byte jt;
    public byte jf;
    public uint k;
}
#pragma warning restore IDE1006, CA1707
