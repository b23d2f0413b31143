using System.Runtime.InteropServices;

namespace RemapDaemon.Output.Interop;

/// <summary>
/// <c>struct iovec</c> (bits/types/struct_iovec.h): a base pointer and a length, 16 bytes on
/// LP64. C names kept on purpose.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
#pragma warning disable IDE1006, CA1707, CS8981 // C names, as the libc header spells them.
internal unsafe struct iovec
{
    public void* iov_base;
    public nuint iov_len;
}
#pragma warning restore IDE1006, CA1707, CS8981
