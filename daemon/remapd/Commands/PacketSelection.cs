using RemapDaemon.Backends;
using RemapDaemon.Capture.Filtering;
using RemapDaemon.Remapd.Cli;
using static RemapDaemon.Abi.Skbremap;

namespace RemapDaemon.Remapd.Commands;

/// <summary>
/// What remapd capture selects, built from the options before any backend is opened, so that
/// a bad expression or pattern costs nothing: the filter expression compiled by libpcap (for
/// LINKTYPE_ETHERNET and the snaplen, as tcpdump would for the same capture), and the payload
/// tests.
/// </summary>
internal sealed record PacketSelection(BpfProgram? Filter, PayloadMatcher? Payload)
{
    private const int LinkTypeEthernet = 1;

    internal static PacketSelection From(CaptureOptions o)
    {
        string? expression = Expression(o);
        BpfProgram? filter = expression is null ? null : Compile(expression, o.Snaplen == 0 ? SKBREMAP_MAX_SNAPLEN : (int)o.Snaplen);
        return new PacketSelection(filter, Matcher(o));
    }

    /// <summary>
    /// The expression from -F or from the words after the options (joined with spaces, as
    /// tcpdump joins its argv); null when neither is given or it is blank.
    /// </summary>
    private static string? Expression(CaptureOptions o)
    {
        string words = string.Join(' ', o.Expression);
        if (o.Filter is not null && words.Length > 0)
        {
            throw new CommandException(ExitCode.Usage,
                $"two filter expressions: -F/--filter '{o.Filter}' and '{words}' after the options; give one");
        }

        string expression = o.Filter ?? words;
        return string.IsNullOrWhiteSpace(expression) ? null : expression;
    }

    private static BpfProgram Compile(string expression, int snaplen)
    {
        try
        {
            return BpfProgram.Compile(expression, LinkTypeEthernet, snaplen);
        }
        catch (BpfCompileException e)
        {
            // libpcap's own words, as tcpdump prints them.
            throw new CommandException(ExitCode.Usage, $"filter expression '{expression}': {e.Message}");
        }
        catch (DllNotFoundException)
        {
            throw new CommandException(ExitCode.RuntimeError,
                "filter expressions are compiled by libpcap, which is not installed (apt-get install libpcap0.8)");
        }
    }

    private static PayloadMatcher? Matcher(CaptureOptions o)
    {
        var specs = new List<PayloadMatchSpec>();
        try
        {
            specs.AddRange(o.MatchHex.Select(t => PayloadMatchSpec.Parse(PayloadMatchKind.Hex, t)));
            specs.AddRange(o.MatchString.Select(t => PayloadMatchSpec.Parse(PayloadMatchKind.String, t)));
            specs.AddRange(o.MatchRegex.Select(t => PayloadMatchSpec.Parse(PayloadMatchKind.Regex, t)));
            if (specs.Count == 0)
            {
                return o.MatchAny
                    ? throw new CommandException(ExitCode.Usage, "--match-any: give at least one --match-hex, --match-string or --match-regex")
                    : null;
            }

            return PayloadMatcher.Create(specs, o.MatchAny ? PayloadMatchCombination.Any : PayloadMatchCombination.All);
        }
        catch (FormatException e)
        {
            throw new CommandException(ExitCode.Usage, $"--match-*: {e.Message}");
        }
        catch (ArgumentException e)
        {
            throw new CommandException(ExitCode.Usage, $"--match-regex: {e.Message}");
        }
    }

    /// <summary>For the summary: "filter 'tcp port 80'", "payload: all of 2 tests".</summary>
    internal string Describe()
    {
        var parts = new List<string>();
        if (Filter is not null)
        {
            parts.Add($"filter '{Filter.Expression}' ({Filter.Length} BPF instructions)");
        }

        if (Payload is not null)
        {
            parts.Add(Payload.Count == 1 ? "1 payload test"
                : $"payload: {(Payload.Combination == PayloadMatchCombination.Any ? "any" : "all")} of {Payload.Count} tests");
        }

        return string.Join(", ", parts);
    }
}
