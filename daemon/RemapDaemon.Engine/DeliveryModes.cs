using static RemapDaemon.Protocol.Abi.Skbremap;

namespace RemapDaemon.Engine;

/// <summary>
/// The delivery modes of skbremap_config.mode by name, as remapd's --mode and remapctl status
/// spell them: bounce, remap, ring, adaptive (the default, mode 0).
/// </summary>
public static class DeliveryModes
{
    /// <summary>The names --mode accepts, in SKBREMAP_MODE_* order.</summary>
    public static readonly string[] Names = ["bounce", "remap", "ring", "adaptive"];

    /// <summary>SKBREMAP_MODE_* for a name (case-insensitive); false for anything else.</summary>
    public static bool TryParse(string? name, out uint mode)
    {
        mode = SKBREMAP_MODE_DEFAULT;
        int i = Array.FindIndex(Names, n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));
        if (i < 0)
        {
            return false;
        }

        mode = (uint)(i + SKBREMAP_MODE_BOUNCE);
        return true;
    }

    /// <summary>The name of an effective mode (stats.mode); 0 is a host that predates modes: bounce.</summary>
    public static string Name(ulong mode) => mode switch
    {
        0 => "bounce (host without modes)",
        >= SKBREMAP_MODE_BOUNCE and <= SKBREMAP_MODE_ADAPTIVE => Names[(int)mode - SKBREMAP_MODE_BOUNCE],
        _ => $"unknown ({mode})",
    };

    /// <summary>The feature bit a mode needs (0 for the default, which every host resolves).</summary>
    public static uint Feature(uint mode) => mode switch
    {
        SKBREMAP_MODE_BOUNCE => SKBREMAP_FEAT_BOUNCE,
        SKBREMAP_MODE_REMAP => SKBREMAP_FEAT_REMAP,
        SKBREMAP_MODE_RING => SKBREMAP_FEAT_RING,
        SKBREMAP_MODE_ADAPTIVE => SKBREMAP_FEAT_ADAPTIVE,
        _ => 0,
    };
}
