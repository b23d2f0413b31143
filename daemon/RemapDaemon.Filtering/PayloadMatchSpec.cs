using System.Globalization;
using System.Text;

namespace RemapDaemon.Filtering;

/// <summary>How a <see cref="PayloadMatchSpec"/> pattern is written.</summary>
public enum PayloadMatchKind
{
    /// <summary>Bytes in hex: "de ad be ef", "deadbeef", "0xde,0xad" (spaces, commas, colons and 0x prefixes ignored).</summary>
    Hex,

    /// <summary>A string, matched as its UTF-8 bytes, case-sensitive.</summary>
    String,

    /// <summary>A .NET regular expression over the payload read as Latin-1 (one char per byte).</summary>
    Regex,
}

/// <summary>
/// One payload test from the command line: a pattern, and either a fixed offset in the payload
/// ("PATTERN@OFFSET", decimal) or anywhere. The offset is the text after the last '@' when that
/// text is all digits; to look for a literal "...@12" anywhere, write it with --match-hex.
/// </summary>
public sealed record PayloadMatchSpec
{
    public PayloadMatchSpec(PayloadMatchKind kind, string pattern, int? offset = null)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        if (offset < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), offset, "a payload offset cannot be negative");
        }

        Kind = kind;
        Pattern = pattern;
        Offset = offset;
    }

    public PayloadMatchKind Kind { get; }

    /// <summary>The pattern without its @offset.</summary>
    public string Pattern { get; }

    /// <summary>Bytes from the start of the payload where the match must start; null for anywhere.</summary>
    public int? Offset { get; }

    /// <summary>Parses "PATTERN" or "PATTERN@OFFSET" as the --match-hex/--match-string/--match-regex options give it.</summary>
    /// <exception cref="FormatException">An empty pattern, bad hex, or an offset that does not fit an int.</exception>
    public static PayloadMatchSpec Parse(PayloadMatchKind kind, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string pattern = text;
        int? offset = null;
        int at = text.LastIndexOf('@');
        if (at >= 0 && at < text.Length - 1 && text.AsSpan(at + 1).IndexOfAnyExceptInRange('0', '9') < 0)
        {
            if (!int.TryParse(text.AsSpan(at + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int value))
            {
                throw new FormatException($"payload offset '{text[(at + 1)..]}' is too large");
            }

            pattern = text[..at];
            offset = value;
        }

        if (pattern.Length == 0)
        {
            throw new FormatException($"empty {kind.ToString().ToLowerInvariant()} pattern in '{text}'");
        }

        var spec = new PayloadMatchSpec(kind, pattern, offset);
        if (kind == PayloadMatchKind.Hex)
        {
            _ = spec.Bytes(); // validates now, with the option's text in the message
        }

        return spec;
    }

    /// <summary>The bytes to find, for <see cref="PayloadMatchKind.Hex"/> and <see cref="PayloadMatchKind.String"/>.</summary>
    /// <exception cref="FormatException">Bad hex.</exception>
    public byte[] Bytes()
    {
        switch (Kind)
        {
            case PayloadMatchKind.String:
                return Encoding.UTF8.GetBytes(Pattern);
            case PayloadMatchKind.Hex:
                var digits = new StringBuilder();
                foreach (string token in Pattern.Split([' ', ',', ':', '\t'], StringSplitOptions.RemoveEmptyEntries))
                {
                    digits.Append(token.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? token.AsSpan(2) : token);
                }

                if (digits.Length == 0 || digits.Length % 2 != 0)
                {
                    throw new FormatException($"hex pattern '{Pattern}' needs an even, non-zero number of hex digits");
                }

                try
                {
                    return Convert.FromHexString(digits.ToString());
                }
                catch (FormatException e)
                {
                    throw new FormatException($"hex pattern '{Pattern}' has a character that is not a hex digit", e);
                }

            default:
                throw new InvalidOperationException("a regex pattern has no fixed bytes");
        }
    }

    public override string ToString() => Offset is int o ? $"{Kind}:{Pattern}@{o}" : $"{Kind}:{Pattern}";
}
