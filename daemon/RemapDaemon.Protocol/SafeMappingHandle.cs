using System.Runtime.InteropServices;

namespace RemapDaemon.Protocol;

/// <summary>
/// One mapping of the region (the control part or the windows part). Its memory stays
/// valid until the handle is released; spans over it must not outlive it.
/// </summary>
public abstract class SafeMappingHandle : SafeHandle
{
    protected SafeMappingHandle(nint address, ulong length)
        : base(invalidHandleValue: 0, ownsHandle: true)
    {
        SetHandle(address);
        Length = length;
    }

    public ulong Length { get; }

    public override bool IsInvalid => handle == 0;

    public unsafe byte* Pointer => (byte*)handle;
}
