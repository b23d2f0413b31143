namespace RemapDaemon.Output.Interop;

/// <summary>
/// The libc calls that name -G files after their start time, as tcpdump's MakeFilename does
/// (localtime, then strftime): one file per call. Neither .NET nor remapd calls setlocale, so
/// the process runs in the C locale and %a, %b come out in English, as they do for tcpdump.
/// </summary>
internal static partial class LibC
{
    // glibc: "libc" resolves to libc.so.6 through the runtime's probing.
    internal const string Library = "libc";
}
