using RemapDaemon.Device;
using RemapDaemon.Engine;

namespace RemapDaemon.Cli;

/// <summary>The one way both programs turn their options into <see cref="CaptureSettings"/>.</summary>
public static class CaptureSettingsBuilder
{
    /// <summary>
    /// The interface (resolved here, before any backend is opened: an unknown interface is the
    /// same mistake whatever the backend) and the region's shape; a program sets the rest with
    /// <c>with { ... }</c>.
    /// </summary>
    /// <exception cref="RemapDaemon.Device.Errors.UnknownInterfaceException">No interface has that name.</exception>
    public static CaptureSettings From(ICaptureShapeOptions o) => new()
    {
        Ifindex = NetworkInterfaces.Resolve(o.Interface),
        Windows = o.Windows,
        PagesPerWindow = o.PagesPerWindow,
        InfoPages = o.InfoPages,
        Snaplen = o.Snaplen,
        Source = o.Source,
    };
}
