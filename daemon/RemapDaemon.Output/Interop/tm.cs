using System.Runtime.InteropServices;

namespace RemapDaemon.Output.Interop;

/// <summary>
/// glibc's <c>struct tm</c> (bits/types/struct_tm.h) on LP64: nine ints, then tm_gmtoff (long)
/// and tm_zone (const char *). C names kept on purpose; checked against the header by compiling
/// C generated from this layout (tests/RemapDaemon.Tests/Output/StrftimeFileNameTests.cs).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
#pragma warning disable IDE1006, CA1707, CS8981 // C names, as the libc header spells them.
public struct tm
{
    public int tm_sec;
    public int tm_min;
    public int tm_hour;
    public int tm_mday;
    public int tm_mon;
    public int tm_year;
    public int tm_wday;
    public int tm_yday;
    public int tm_isdst;
    public nint tm_gmtoff;
    public nint tm_zone;
}
#pragma warning restore IDE1006, CA1707, CS8981
