using RemapDaemon.Filtering;


namespace RemapDaemon.Engine;

/// <summary>
/// What one capture asks skbremap for. A size left 0 takes the module's SKBREMAP_DEF_*;
/// the module checks every value (it must: they are hostile input to it).
/// </summary>
public sealed record CaptureSettings
{
    /// <summary>The interface to bind (<see cref="NetworkInterfaces.Resolve"/>); 0 = all.</summary>
    public int Ifindex { get; init; }

    public uint Windows { get; init; }

    public uint PagesPerWindow { get; init; }

    /// <summary>
    /// Info pages per window; 0 = <see cref="RemapDaemon.Protocol.WindowGeometry.DefaultInfoPages"/>
    /// where the backend has SKBREMAP_FEAT_INFO_PAGES, else 1.
    /// </summary>
    public uint InfoPages { get; init; }

    /// <summary>0 = whole packet.</summary>
    public uint Snaplen { get; init; }

    public uint RetireUsec { get; init; }

    public uint QueueLimit { get; init; }

    /// <summary>SKBREMAP_MODE_* (<see cref="DeliveryModes"/>); 0 = the backend's default (adaptive where it has it).</summary>
    public uint Mode { get; init; }

    /// <summary>Adaptive mode: bytes from which a packet is remapped rather than copied; 0 = calibrate at START.</summary>
    public uint CopyThreshold { get; init; }

    /// <summary>Emulator packet source spec; null = the backend's default (afpacket).</summary>
    public string? Source { get; init; }

    /// <summary>
    /// The filter program (compiled for LINKTYPE_ETHERNET and the snaplen), installed with
    /// SKBREMAP_IOC_SET_FILTER before START when the backend has SKBREMAP_FEAT_FILTER, else run
    /// by the capture loop (<see cref="CaptureSession.UserSpaceFilter"/>); null = every packet.
    /// </summary>
    public BpfProgram? Filter { get; init; }
}
