using System.Reflection;
using System.Runtime.InteropServices;

namespace RemapDaemon.Filtering.Interop;

/// <summary>
/// The few libpcap calls the filter needs (pcap/pcap.h, pcap/bpf.h). Debian ships the library
/// as libpcap.so.0.8 (package libpcap0.8) with no unversioned name unless libpcap-dev is
/// installed, other distributions as libpcap.so.1: the resolver tries those names in turn.
/// </summary>
internal static partial class LibPcap
{
    public const string Library = "pcap";

    /// <summary>PCAP_NETMASK_UNKNOWN: "ip broadcast" cannot be compiled with it.</summary>
    public const uint NetmaskUnknown = 0xffffffff;

    private static readonly string[] Candidates = ["libpcap.so.0.8", "libpcap.so.1", "libpcap.so"];

    static LibPcap()
    {
        NativeLibrary.SetDllImportResolver(typeof(LibPcap).Assembly, Resolve);
    }

    /// <summary>Runs the static constructor (installs the resolver) before the first call.</summary>
    public static void EnsureResolver()
    {
    }

    /// <summary>pcap/bpf.h's struct bpf_program: { u_int bf_len; struct bpf_insn *bf_insns; }.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct bpf_program
    {
        public uint bf_len;
        public nint bf_insns;
    }

    [LibraryImport(Library, EntryPoint = "pcap_open_dead")]
    public static partial nint pcap_open_dead(int linktype, int snaplen);

    [LibraryImport(Library, EntryPoint = "pcap_compile", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int pcap_compile(nint p, ref bpf_program fp, string str, int optimize, uint netmask);

    [LibraryImport(Library, EntryPoint = "pcap_geterr")]
    public static partial nint pcap_geterr(nint p);

    [LibraryImport(Library, EntryPoint = "pcap_freecode")]
    public static partial void pcap_freecode(ref bpf_program fp);

    [LibraryImport(Library, EntryPoint = "pcap_close")]
    public static partial void pcap_close(nint p);

    /// <summary>libpcap's BPF interpreter: the snap length to keep, 0 to reject.</summary>
    [LibraryImport(Library, EntryPoint = "bpf_filter")]
    public static unsafe partial uint bpf_filter(sock_filter* pc, byte* p, uint wirelen, uint buflen);

    [LibraryImport(Library, EntryPoint = "pcap_lib_version")]
    public static partial nint pcap_lib_version();

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != Library)
        {
            return 0;
        }

        foreach (string name in Candidates)
        {
            if (NativeLibrary.TryLoad(name, assembly, searchPath, out nint handle))
            {
                return handle;
            }
        }

        throw new DllNotFoundException(
            $"libpcap is needed to compile filter expressions and was not found (tried {string.Join(", ", Candidates)}); install it: apt-get install libpcap0.8");
    }
}
