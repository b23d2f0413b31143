using RemapDaemon.Protocol.Abi;
using static RemapDaemon.Protocol.Abi.Skbremap;

namespace RemapDaemon.Engine;

/// <summary>
/// A fanout group a capture joins (SKBREMAP_IOC_FANOUT) before it starts: the group's id in
/// the capture's network namespace, its mode (SKBREMAP_FANOUT_HASH, CPU or LB) and flags
/// (SKBREMAP_FANOUT_F_ROLLOVER).
/// </summary>
public sealed record FanoutGroup(uint Id, ushort Mode, ushort Flags)
{
    /// <summary>The mode names remapd's --fanout-mode takes, in the order of the ABI's values.</summary>
    public static IReadOnlyList<string> ModeNames { get; } = ["hash", "cpu", "lb"];

    public static bool TryParseMode(string name, out ushort mode)
    {
        mode = name switch
        {
            "hash" => SKBREMAP_FANOUT_HASH,
            "cpu" => SKBREMAP_FANOUT_CPU,
            "lb" => SKBREMAP_FANOUT_LB,
            _ => 0,
        };
        return mode != 0;
    }

    public static string ModeName(uint mode) => mode switch
    {
        SKBREMAP_FANOUT_HASH => "hash",
        SKBREMAP_FANOUT_CPU => "cpu",
        SKBREMAP_FANOUT_LB => "lb",
        _ => $"mode {mode}",
    };

    public bool Rollover => (Flags & SKBREMAP_FANOUT_F_ROLLOVER) != 0;

    /// <summary>The SKBREMAP_IOC_FANOUT argument.</summary>
    public skbremap_fanout Argument => new() { id = Id, mode = Mode, flags = Flags };

    /// <summary>"group 1234 (hash, rollover)".</summary>
    public override string ToString() => $"group {Id} ({ModeName(Mode)}{(Rollover ? ", rollover" : "")})";
}
