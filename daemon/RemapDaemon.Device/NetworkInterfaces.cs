using System.Runtime.InteropServices;
using RemapDaemon.Device.Errors;

namespace RemapDaemon.Device;

/// <summary>
/// Interface names to ifindex and back, resolved here so an unknown name fails clearly
/// before the backend is touched (BIND only sees a number).
/// </summary>
public static class NetworkInterfaces
{
    /// <summary>The name that means every interface (as tcpdump -i any).</summary>
    public const string Any = "any";

    /// <summary>The ifindex of <paramref name="name"/>; null, empty or "any" (all interfaces) is 0.</summary>
    public static int Resolve(string? name)
    {
        if (string.IsNullOrEmpty(name) || name == Any)
        {
            return 0;
        }

        if (name.Length >= Interop.Sys.IF_NAMESIZE)
        {
            throw new UnknownInterfaceException("if_nametoindex", Errno.ENODEV, name);
        }

        uint ifindex = Interop.Sys.IfNameToIndex(name);
        if (ifindex == 0)
        {
            throw new UnknownInterfaceException("if_nametoindex", Marshal.GetLastPInvokeError(), name);
        }

        return checked((int)ifindex);
    }

    /// <summary>The ifindex of the loopback device "lo"; 0 if there is none.</summary>
    public static int Loopback => (int)Interop.Sys.IfNameToIndex("lo");

    /// <summary>The name of <paramref name="ifindex"/>, "any" for 0, the number if it is gone.</summary>
    public static string NameOf(int ifindex) =>
        ifindex == 0 ? Any : TryNameOf(ifindex) ?? ifindex.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// The name of <paramref name="ifindex"/> in this network namespace (if_indextoname); null
    /// when no interface has it (it went away, or ifindex 0 or below). pcapng's if_name takes it.
    /// </summary>
    public static unsafe string? TryNameOf(int ifindex)
    {
        if (ifindex <= 0)
        {
            return null;
        }

        byte* buf = stackalloc byte[Interop.Sys.IF_NAMESIZE];
        byte* name = Interop.Sys.IfIndexToName((uint)ifindex, buf);
        return name == null ? null : Marshal.PtrToStringUTF8((nint)name) ?? "?";
    }
}
