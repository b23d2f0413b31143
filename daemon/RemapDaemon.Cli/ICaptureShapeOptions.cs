namespace RemapDaemon.Cli;

/// <summary>
/// The options remapd's capture and remapctl's dump both take for what one capture asks
/// skbremap for: the interface and the region's shape (<see cref="CaptureSettingsBuilder"/>).
/// </summary>
public interface ICaptureShapeOptions
{
    /// <summary>-i: an interface name; "any" (or empty) for all.</summary>
    string Interface { get; }

    /// <summary>The emulator's packet source spec; null = the backend's default.</summary>
    string? Source { get; }

    uint Snaplen { get; }

    uint Windows { get; }

    uint PagesPerWindow { get; }

    uint InfoPages { get; }
}
