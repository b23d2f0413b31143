namespace RemapDaemon.Remapd.Cli;

/// <summary>
/// --match-hex/--match-string/--match-regex, taken out of the arguments before
/// CommandLineParser sees them. They repeat, and the filter expression follows the options as
/// plain words: CommandLineParser 2.9 lets a sequence option swallow every word after it
/// ('--match-string GET tcp port 80' would make "tcp", "port", "80" patterns), and with
/// Max = 1 it refuses the repeat. So each occurrence takes exactly its one value here; the
/// options stay declared in <see cref="CaptureOptions"/> (Max = 1) for --help and for the
/// error a value-less one gets. Nothing after '--' is touched.
/// </summary>
internal sealed class PayloadMatchArguments
{
    private const string Hex = "--match-hex";
    private const string Text = "--match-string";
    private const string Regex = "--match-regex";

    public List<string> HexPatterns { get; } = [];

    public List<string> StringPatterns { get; } = [];

    public List<string> RegexPatterns { get; } = [];

    /// <summary>Returns the arguments without the --match-* options and their values.</summary>
    public static string[] Extract(string[] args, out PayloadMatchArguments matches)
    {
        matches = new PayloadMatchArguments();
        var rest = new List<string>(args.Length);
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            if (a == "--")
            {
                rest.AddRange(args[i..]);
                break;
            }

            int eq = a.IndexOf('=', StringComparison.Ordinal);
            string name = eq > 0 ? a[..eq] : a;
            List<string>? list = name switch
            {
                Hex => matches.HexPatterns,
                Text => matches.StringPatterns,
                Regex => matches.RegexPatterns,
                _ => null,
            };

            if (list is null)
            {
                rest.Add(a);
            }
            else if (eq > 0)
            {
                list.Add(a[(eq + 1)..]);
            }
            else if (i + 1 < args.Length)
            {
                list.Add(args[++i]);
            }
            else
            {
                rest.Add(a); // no value: CommandLineParser says so
            }
        }

        return [.. rest];
    }

    public void ApplyTo(CaptureOptions o)
    {
        o.MatchHex = [.. o.MatchHex, .. HexPatterns];
        o.MatchString = [.. o.MatchString, .. StringPatterns];
        o.MatchRegex = [.. o.MatchRegex, .. RegexPatterns];
    }
}
