using System.Globalization;
using System.Text.RegularExpressions;

namespace RemapDaemon.Store;

/// <summary>
/// The names of a store's files. A complete capture file is
/// <c>START-CAPTURE.pcap</c> (or .pcapng), START its start time in UTC to the nanosecond
/// (<c>20261206T054300.000000000Z</c>: fixed width, so names sort by time), CAPTURE the
/// capture's name (--store-name: the interface by default), and <c>~N</c> before the extension
/// only if that name was taken. Beside it, <c>NAME.idx</c> is its index. While written, each is
/// hidden: <c>.NAME.part</c>, <c>.NAME.idx.part</c>. Each capture holds <c>.CAPTURE.writer.lock</c>
/// for its life; <c>.store.lock</c> serialises deletion passes and recovery across captures.
/// Anything else in the directory is foreign and left alone.
/// </summary>
public static partial class StoreFileName
{
    public const string IndexSuffix = ".idx";
    public const string PartSuffix = ".part";
    public const string StoreLock = ".store.lock";
    private const string TimeFormat = "yyyyMMdd'T'HHmmss";

    /// <summary>A capture name: letters, digits and . _ @ : + - (interface names, fanout members), at most 64, not starting with '.'.</summary>
    public static bool IsValidCaptureName(string name) =>
        !string.IsNullOrEmpty(name) && name.Length <= 64 && name[0] != '.' && CaptureNamePattern().IsMatch(name);

    /// <summary>The complete file's name for a file starting at <paramref name="startNs"/> (collision <paramref name="collision"/> &gt; 0 adds ~N).</summary>
    public static string DataName(ulong startNs, string capture, string extension, int collision = 0)
    {
        DateTime t = DateTime.UnixEpoch.AddTicks((long)(startNs / 100));
        string time = t.ToString(TimeFormat, CultureInfo.InvariantCulture) + "." + (startNs % 1_000_000_000).ToString("D9", CultureInfo.InvariantCulture) + "Z";
        string suffix = collision > 0 ? "~" + collision.ToString(CultureInfo.InvariantCulture) : "";
        return $"{time}-{capture}{suffix}{extension}";
    }

    public static string WriterLock(string capture) => $".{capture}.writer.lock";

    public static string Hidden(string name) => "." + name + PartSuffix;

    /// <summary>Parses a complete data file's name (no directory); false for anything else (index, part, foreign).</summary>
    public static bool TryParseData(string name, out ulong startNs, out string capture)
    {
        startNs = 0;
        capture = "";
        Match m = DataPattern().Match(name);
        if (!m.Success)
        {
            return false;
        }

        if (!DateTime.TryParseExact(m.Groups[1].Value, TimeFormat, CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out DateTime t))
        {
            return false;
        }

        ulong seconds = (ulong)((t - DateTime.UnixEpoch).Ticks / TimeSpan.TicksPerSecond);
        startNs = seconds * 1_000_000_000UL + ulong.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
        capture = m.Groups[3].Value;
        return true;
    }

    /// <summary>For a hidden part name (<c>.NAME.part</c>, not an index part): the complete name.</summary>
    public static bool TryParsePart(string name, out string dataName)
    {
        dataName = "";
        if (!name.StartsWith('.') || !name.EndsWith(PartSuffix, StringComparison.Ordinal))
        {
            return false;
        }

        string inner = name[1..^PartSuffix.Length];
        if (!TryParseData(inner, out _, out _))
        {
            return false;
        }

        dataName = inner;
        return true;
    }

    [GeneratedRegex(@"^[A-Za-z0-9._@:+-]+$")]
    private static partial Regex CaptureNamePattern();

    [GeneratedRegex(@"^(\d{8}T\d{6})\.(\d{9})Z-([A-Za-z0-9._@:+-]+?)(?:~\d+)?\.(pcap|pcapng)$")]
    private static partial Regex DataPattern();
}
