namespace RemapDaemon.Device;

internal static partial class Interop
{
    internal static class Libraries
    {
        // glibc: "libc" resolves to libc.so.6 through the runtime's probing.
        internal const string Libc = "libc";

        // tools/emulator's build output, copied next to the assembly by the csproj.
        internal const string SkbremapEmu = "skbremap_emu";
    }
}
