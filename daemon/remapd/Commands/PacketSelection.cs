using RemapDaemon.Cli;
using RemapDaemon.Filtering;
using RemapDaemon.Protocol;
using RemapDaemon.Remapd.Cli;
using static RemapDaemon.Protocol.Abi.Skbremap;

namespace RemapDaemon.Remapd.Commands;

/// <summary>
/// What remapd capture selects, built from the options before any backend is opened, so that
/// a bad expression or pattern costs nothing: the filter expression (-F, the words after the
/// options, or --filter-file) compiled by libpcap (for LINKTYPE_ETHERNET and the snaplen, as
/// tcpdump would for the same capture), and the payload tests. A SIGHUP compiles --filter-file
/// again the same way (<see cref="CompileFilter"/>, <see cref="FilterReload"/>).
/// </summary>
internal sealed record PacketSelection(BpfProgram? Filter, PayloadMatcher? Payload)
{
    internal static PacketSelection From(CaptureOptions o)
    {
        string? expression = Expression(o);
        BpfProgram? filter = expression is null ? null : Compile(expression, o);
        return new PacketSelection(filter, Matcher(o));
    }

    /// <summary>
    /// <paramref name="expression"/> compiled as tcpdump compiles a capture's filter: by libpcap,
    /// for Ethernet and the snaplen (what an accepting program returns).
    /// </summary>
    /// <exception cref="BpfCompileException">libpcap's message, the words tcpdump prints.</exception>
    /// <exception cref="DllNotFoundException">libpcap is not installed.</exception>
    internal static BpfProgram CompileFilter(string expression, uint snaplen) =>
        BpfProgram.Compile(expression, (int)LinkTypes.Ethernet, snaplen == 0 ? SKBREMAP_MAX_SNAPLEN : (int)snaplen);

    /// <summary>
    /// The expression from -F, from the words after the options (joined with spaces, as
    /// tcpdump joins its argv) or from --filter-file; null when none is given or it is blank.
    /// </summary>
    private static string? Expression(CaptureOptions o)
    {
        string words = string.Join(' ', o.Expression);
        List<string> given = [];
        if (o.Filter is not null)
        {
            given.Add($"-F/--filter '{o.Filter}'");
        }

        if (words.Length > 0)
        {
            given.Add($"'{words}' after the options");
        }

        if (o.FilterFile is not null)
        {
            given.Add($"--filter-file {o.FilterFile}");
        }

        if (given.Count > 1)
        {
            throw new CommandException(ExitCode.Usage,
                $"{(given.Count == 2 ? "two" : "three")} filter expressions: {string.Join(" and ", given)}; give one");
        }

        string expression = o.Filter ?? words;
        if (o.FilterFile is { } path)
        {
            try
            {
                expression = FilterFile.Read(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CommandException(ExitCode.Usage, $"--filter-file {path}: {e.Message}");
            }
        }

        return string.IsNullOrWhiteSpace(expression) ? null : expression;
    }

    private static BpfProgram Compile(string expression, CaptureOptions o)
    {
        try
        {
            return CompileFilter(expression, o.Snaplen);
        }
        catch (BpfCompileException e)
        {
            // libpcap's own words, as tcpdump prints them.
            string file = o.FilterFile is null ? "" : $"--filter-file {o.FilterFile}: ";
            throw new CommandException(ExitCode.Usage, $"{file}filter expression '{expression}': {e.Message}");
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

    /// <summary>
    /// For the summary: "filter 'tcp port 80' (8 BPF instructions)", "payload: all of 2 tests",
    /// with <paramref name="filter"/> the filter in force at the end, after
    /// <paramref name="replacements"/> replacements by SIGHUP.
    /// </summary>
    internal string Describe(BpfProgram? filter, int replacements)
    {
        var parts = new List<string>();
        if (filter is not null)
        {
            parts.Add($"filter '{filter.Expression}' ({filter.Length} BPF instructions)");
        }

        if (replacements > 0)
        {
            parts.Add($"{(filter is null ? "no filter " : "")}after {replacements} filter replacement{(replacements == 1 ? "" : "s")} by SIGHUP");
        }

        if (Payload is not null)
        {
            parts.Add(Payload.Count == 1 ? "1 payload test"
                : $"payload: {(Payload.Combination == PayloadMatchCombination.Any ? "any" : "all")} of {Payload.Count} tests");
        }

        return string.Join(", ", parts);
    }
}
