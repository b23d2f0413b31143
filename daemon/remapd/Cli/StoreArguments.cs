using System.Globalization;
using System.Text.RegularExpressions;

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

    /// <summary>"90" (seconds), "90s", "30m", "12h", "7d"; null when not a duration.</summary>
    internal static TimeSpan? Duration(string text)
    {
        Match m = DurationPattern().Match(text.Trim());
        if (!m.Success || !double.TryParse(m.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double n))
        {
            return null;
        }

        double seconds = n * (m.Groups[2].Value switch
        {
            "" or "s" => 1,
            "m" => 60,
            "h" => 3600,
            "d" => 86400,
            "w" => 604800,
            _ => double.NaN,
        });
        return double.IsFinite(seconds) && seconds >= 0 && seconds < TimeSpan.MaxValue.TotalSeconds ? TimeSpan.FromSeconds(seconds) : null;
    }

    /// <summary>A point in time as ns since the epoch: RFC 3339 (no zone = UTC), epoch seconds, "DURATION ago", "now".</summary>
    internal static ulong? Time(string text, DateTime nowUtc)
    {
        string t = text.Trim();
        ulong Ns(DateTime utc) => (ulong)Math.Max(0, (utc - DateTime.UnixEpoch).Ticks) * 100;
        if (t == "now")
        {
            return Ns(nowUtc);
        }

        if (t.EndsWith(" ago", StringComparison.Ordinal))
        {
            return Duration(t[..^4]) is TimeSpan ago && ago <= nowUtc - DateTime.UnixEpoch ? Ns(nowUtc - ago) : null;
        }

        if (EpochPattern().IsMatch(t) && decimal.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out decimal seconds) && seconds < 18_000_000_000m)
        {
            return (ulong)(seconds * 1_000_000_000m);
        }

        if (DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out DateTimeOffset when))
        {
            return Ns(when.UtcDateTime);
        }

        return null;
    }

    [GeneratedRegex(@"^([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]*)$")]
    private static partial Regex SizePattern();

    [GeneratedRegex(@"^([0-9]+(?:\.[0-9]+)?)\s*([smhdw]?)$")]
    private static partial Regex DurationPattern();

    [GeneratedRegex(@"^[0-9]+(?:\.[0-9]+)?$")]
    private static partial Regex EpochPattern();
}
