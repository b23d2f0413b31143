using RemapDaemon.Protocol;

namespace RemapDaemon.Device.Errors;

/// <summary>
/// A request the chosen backend cannot honour (a packet source with the kernel backend,
/// a malformed source spec, a configuration value out of range): the user's to fix.
/// </summary>
public sealed class BackendUsageException : SkbremapException
{
    public BackendUsageException(string operation, int errno, string message)
        : base(operation, errno, message)
    {
    }
}
