using System.Diagnostics.CodeAnalysis;
using CommandLine;
using CommandLine.Text;

namespace RemapDaemon.Cli;

/// <summary>
/// CommandLineParser with the behaviour both programs promise: --help (or 'help VERB') prints
/// the truth on stdout and exits 0; any parse error prints what is wrong on stderr and exits 2
/// (<see cref="ExitCode.Usage"/>). Shared by remapd and remapctl (linked into remapctl).
/// <para>
/// NativeAOT and trimming: CommandLineParser finds options and verbs by reflection over the
/// option types. The [DynamicallyAccessedMembers] on the type parameters keeps every member
/// of the option classes (properties, their attributes, the constructor) in the binary; the
/// library itself is rooted whole in the csproj (TrimmerRootAssembly), because it is not
/// annotated for trimming.
/// </para>
/// </summary>
public static class CommandLineParsing
{
    private const DynamicallyAccessedMemberTypes OptionMembers = DynamicallyAccessedMemberTypes.All;

    /// <summary>The parsed verb's options, or the exit code when there is nothing to run.</summary>
    public readonly record struct Outcome(object? Options, int ExitCode);

    public static Outcome Parse<[DynamicallyAccessedMembers(OptionMembers)] T1, [DynamicallyAccessedMembers(OptionMembers)] T2>(
        string program, string[] args, IReadOnlyList<string> footer, TextWriter stdout, TextWriter stderr) =>
        Parse(program, footer, stdout, stderr, p => p.ParseArguments<T1, T2>(args));

    public static Outcome Parse<[DynamicallyAccessedMembers(OptionMembers)] T1, [DynamicallyAccessedMembers(OptionMembers)] T2, [DynamicallyAccessedMembers(OptionMembers)] T3>(
        string program, string[] args, IReadOnlyList<string> footer, TextWriter stdout, TextWriter stderr) =>
        Parse(program, footer, stdout, stderr, p => p.ParseArguments<T1, T2, T3>(args));

    public static Outcome Parse<[DynamicallyAccessedMembers(OptionMembers)] T1, [DynamicallyAccessedMembers(OptionMembers)] T2, [DynamicallyAccessedMembers(OptionMembers)] T3,
        [DynamicallyAccessedMembers(OptionMembers)] T4, [DynamicallyAccessedMembers(OptionMembers)] T5, [DynamicallyAccessedMembers(OptionMembers)] T6>(
        string program, string[] args, IReadOnlyList<string> footer, TextWriter stdout, TextWriter stderr) =>
        Parse(program, footer, stdout, stderr, p => p.ParseArguments<T1, T2, T3, T4, T5, T6>(args));

    private static Outcome Parse(string program, IReadOnlyList<string> footer, TextWriter stdout, TextWriter stderr, Func<Parser, ParserResult<object>> parse)
    {
        using var parser = new Parser(settings =>
        {
            settings.HelpWriter = null;     // We print help and errors ourselves, to choose stream and exit code.
            settings.AutoVersion = false;   // 'version' is a verb of ours, not the library's.
            settings.AutoHelp = true;
            settings.CaseSensitive = true;
            settings.EnableDashDash = true;
            settings.AllowMultiInstance = true;  // --match-* repeat; a repeated scalar option keeps its last value.
            settings.MaximumDisplayWidth = 100;
        });

        ParserResult<object> result = parse(parser);
        if (result is Parsed<object> parsed)
        {
            return new Outcome(parsed.Value, 0);
        }

        IEnumerable<Error> errors = ((NotParsed<object>)result).Errors;
        if (errors.IsHelp())
        {
            stdout.WriteLine(Help(program, result, footer));
            return new Outcome(null, (int)ExitCode.Ok);
        }

        SentenceBuilder sentences = SentenceBuilder.Create();
        foreach (Error error in errors)
        {
            stderr.WriteLine($"{program}: {ErrorText(sentences, error)}");
        }

        string verb = result.TypeInfo.Current is { } current && current != typeof(NullInstance)
            ? Verb(current) : "";
        stderr.WriteLine($"{program}: run '{program} {verb}{(verb.Length > 0 ? " " : "")}--help' for the options");
        return new Outcome(null, (int)ExitCode.Usage);
    }

    private static string Verb(Type t) =>
        t.GetCustomAttributes(typeof(VerbAttribute), inherit: false) is [VerbAttribute v, ..] ? v.Name : "";

    private static string ErrorText(SentenceBuilder sentences, Error error) => error switch
    {
        BadVerbSelectedError bad => $"unknown command '{bad.Token}'",
        UnknownOptionError unknown => $"unknown option '{unknown.Token}'",
        BadFormatConversionError bad => $"option '{Name(bad.NameInfo)}': bad value",
        MissingRequiredOptionError missing => $"option '{Name(missing.NameInfo)}' is required",
        MissingValueOptionError missing => $"option '{Name(missing.NameInfo)}' needs a value",
        _ => sentences.FormatError(error),
    };

    private static string Name(NameInfo name) =>
        name.ShortName.Length > 0 && name.LongName.Length > 0 ? $"-{name.ShortName}/--{name.LongName}"
        : name.LongName.Length > 0 ? $"--{name.LongName}" : $"-{name.ShortName}";

    private static string Help(string program, ParserResult<object> result, IReadOnlyList<string> footer)
    {
        HelpText help = HelpText.AutoBuild(result, h =>
        {
            h.Heading = $"{program} {ProgramVersion.Text} (skbremap ABI {RemapDaemon.Protocol.Abi.Skbremap.SKBREMAP_ABI_VERSION})";
            h.Copyright = "";
            h.AdditionalNewLineAfterOption = false;
            h.AutoVersion = false;   // "version" is our verb; CommandLineParser's own is off.
            h.AddPostOptionsLines(footer);
            return h;
        }, e => e, verbsIndex: result.TypeInfo.Current == typeof(NullInstance), maxDisplayWidth: 100);
        return help.ToString();
    }
}
