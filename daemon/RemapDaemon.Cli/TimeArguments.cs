using System.Globalization;
using System.Text.RegularExpressions;

namespace RemapDaemon.Cli;

/// <summary>
/// Times and durations as remapd query and remapctl fleet take them: RFC 3339 (no zone = UTC),
/// seconds since the epoch, "DURATION ago", "now"; durations "90", "90s", "30m", "12h", "7d", "1w".
/// </summary>
public static partial class TimeArguments
{
    /// <summary>What a time option accepts, for error messages.</summary>
    public const string TimeForms = "RFC 3339 '2026-12-06T14:02:00Z', epoch seconds, '10m ago', 'now'";

    /// <summary>"90" (seconds), "90s", "30m", "12h", "7d", "1w"; null when not a duration.</summary>
    public static TimeSpan? Duration(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
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

    /// <summary>A point in time as ns since the epoch: RFC 3339 (no zone = UTC), epoch seconds, "DURATION ago", "now"; null when not a time.</summary>
    public static ulong? Time(string text, DateTime nowUtc)
    {
        ArgumentNullException.ThrowIfNull(text);
        string t = text.Trim();
        static ulong Ns(DateTime utc) => (ulong)Math.Max(0, (utc - DateTime.UnixEpoch).Ticks) * 100;
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

    /// <summary>ns since the epoch as RFC 3339 UTC with nanoseconds ("2026-12-06T14:02:00.123456789Z").</summary>
    public static string Format(ulong ns)
    {
        DateTime t = DateTime.UnixEpoch.AddTicks((long)Math.Min(ns / 100, (ulong)(DateTime.MaxValue - DateTime.UnixEpoch).Ticks));
        return string.Create(CultureInfo.InvariantCulture, $"{t:yyyy-MM-ddTHH:mm:ss}.{ns % 1_000_000_000:D9}Z");
    }

    [GeneratedRegex(@"^([0-9]+(?:\.[0-9]+)?)\s*([smhdw]?)$")]
    private static partial Regex DurationPattern();

    [GeneratedRegex(@"^[0-9]+(?:\.[0-9]+)?$")]
    private static partial Regex EpochPattern();
}
