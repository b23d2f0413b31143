using System.Runtime.InteropServices;

namespace RemapDaemon.Filtering;

/// <summary>
/// linux/filter.h's <c>struct sock_fprog</c> (16 bytes on 64-bit: len u16, 6 bytes of padding,
/// then the pointer): a program as an ioctl or setsockopt receives it.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
#pragma warning disable IDE1006, CA1707 // C names, as the kernel header spells them.
public struct sock_fprog
{
    public ushort len;
    public nint filter;
}
#pragma warning restore IDE1006, CA1707
