using RemapDaemon.Protocol;

namespace RemapDaemon.Device.Errors;

/// <summary>
/// SKBREMAP_IOC_SET_FILTER answered EINVAL: libpcap compiled the expression, but the program
/// failed skbremap's checks (kernel/core/filter_check.c) or the kernel's own cBPF checks
/// (libpcap's "protochain" loops with a backward jump, which classic BPF in a kernel forbids).
/// <see cref="CaptureSession.Open"/> catches it and runs the filter in user space, as libpcap
/// does when SO_ATTACH_FILTER refuses a program; a direct caller of SetFilter sees it.
/// </summary>
public sealed class FilterRejectedException : SkbremapException
{
    public FilterRejectedException(string backend, string expression, int instructions, int errno)
        : base("SKBREMAP_IOC_SET_FILTER", errno,
            $"{backend} rejected the filter program for '{expression}' ({instructions} instructions, EINVAL): it failed skbremap's " +
            "checks (1..4096 instructions, known opcodes, jumps inside the program, ends in RET, no division by 0, scratch " +
            "memory written before read)")
    {
        Expression = expression;
    }

    public string Expression { get; }
}
