using System.Globalization;
using System.Text.RegularExpressions;
using RemapDaemon.Cli;

namespace RemapDaemon.Remapd.Cli;

/// <summary>The store's option values: sizes (64M, 1Gi), durations (30m, 7d), times (RFC 3339, epoch seconds, "10m ago").</summary>
internal static partial class StoreArguments
{
    /// <summary>"4096", "64M" (10^6), "1Gi" (2^30); null when not a size.</summary>
    internal static long? Size(string text)
    {
        Match m = SizePattern().Match(text.Trim());
        if (!m.Success || !double.TryParse(m.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double n))
        {
            return null;
        }

        double unit = m.Groups[2].Value.ToUpperInvariant() switch
        {
            "" or "B" => 1,
            "K" or "KB" => 1e3,
            "M" or "MB" => 1e6,
            "G" or "GB" => 1e9,
            "T" or "TB" => 1e12,
            "KI" or "KIB" => 1024,
            "MI" or "MIB" => 1024.0 * 1024,
            "GI" or "GIB" => 1024.0 * 1024 * 1024,
            "TI" or "TIB" => 1024.0 * 1024 * 1024 * 1024,
            _ => double.NaN,
        };
        double bytes = n * unit;
        return double.IsFinite(bytes) && bytes >= 0 && bytes < long.MaxValue ? (long)Math.Ceiling(bytes) : null;
    }

    /// <summary>"90" (seconds), "90s", "30m", "12h", "7d"; null when not a duration (<see cref="TimeArguments.Duration"/>, as remapctl fleet reads them).</summary>
    internal static TimeSpan? Duration(string text) => TimeArguments.Duration(text);

    /// <summary>A point in time as ns since the epoch: RFC 3339 (no zone = UTC), epoch seconds, "DURATION ago", "now" (<see cref="TimeArguments.Time"/>).</summary>
    internal static ulong? Time(string text, DateTime nowUtc) => TimeArguments.Time(text, nowUtc);

    [GeneratedRegex(@"^([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]*)$")]
    private static partial Regex SizePattern();
}
