using System.Runtime.InteropServices;

namespace RemapDaemon.Protocol.Abi;

/// <summary>
/// SKBREMAP_IOC_SET_FILTER: the classic BPF program the hook runs on every frame (from its
/// Ethernet header); its return value is the bytes to capture, 0 drops (stats.filtered).
/// All fields (u). <c>insns</c> is the address of <c>len</c> struct sock_filter
/// (libpcap's struct bpf_insn); <c>len</c> 0 removes the filter; <c>flags</c> must be 0.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct skbremap_filter
{
    public uint len;
    public uint flags;
    public ulong insns;
}
