using RemapDaemon.Protocol;

namespace RemapDaemon.Device.Errors;

/// <summary>An interface name if_nametoindex does not know, or an ifindex BIND rejected.</summary>
public sealed class UnknownInterfaceException : SkbremapException
{
    public UnknownInterfaceException(string operation, int errno, string interfaceName)
        : base(operation, errno, $"unknown interface '{interfaceName}'")
    {
        InterfaceName = interfaceName;
    }

    public string InterfaceName { get; }
}
