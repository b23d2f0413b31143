using RemapDaemon.Cli;
using RemapDaemon.Remapd.Cli;
using RemapDaemon.Remapd.Commands;
using RemapDaemon.Remapd.Signals;

namespace RemapDaemon.Remapd;

/// <summary>
/// remapd: zero-copy capture from skbremap (the module or its emulation) into pcap.
/// Every failure ends with one "remapd: error: ..." line and an exit code of <see cref="ExitCode"/>
/// (<see cref="TopLevel"/>); a capture first stops, drains, flushes and prints its summary.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        // Before the runtime sets up its signal handling (first Console use, PosixSignalRegistration).
        StopSignals.Unignore();
        TextWriter stdout = Console.Out;
        TextWriter stderr = Console.Error;
        object? options = null;
        return TopLevel.Run("remapd", () => Run(args, stdout, stderr, out options), () => options is CaptureOptions { Verbose: true }, stderr);
    }

    private static int Run(string[] args, TextWriter stdout, TextWriter stderr, out object? options)
    {
        (CommandLineParsing.Outcome parsed, ServiceConfig? config) = Parse(args, stdout, stderr);
        options = parsed.Options;
        return parsed.Options switch
        {
            CaptureOptions c => CaptureCommand.Run(c, stderr, config is null ? null : new CaptureCommand.Reparse(config, () => Reparse(args))),
            VersionOptions => VersionCommand.Run(stdout),
            _ => parsed.ExitCode,
        };
    }

    /// <summary>The arguments into a verb's options, --config FILE expanded (<see cref="ServiceConfig"/>).</summary>
    private static (CommandLineParsing.Outcome Parsed, ServiceConfig? Config) Parse(string[] args, TextWriter stdout, TextWriter stderr)
    {
        // CommandLineParser's own --version is off ('version' is our verb); keep the spelling working.
        if (args is ["--version"])
        {
            args = ["version"];
        }

        // Only capture has them; 'version --match-hex 1' stays an unknown option.
        ServiceConfig? config = null;
        PayloadMatchArguments matches = new();
        if (args is not ["version", ..])
        {
            args = ServiceConfig.Expand(args, out config);
            args = PayloadMatchArguments.Extract(args, out matches);
        }

        CommandLineParsing.Outcome parsed = CommandLineParsing.Parse<CaptureOptions, VersionOptions>(
            "remapd", args, [.. ExitCodeHelp.Lines, .. SignalHelp.Lines], stdout, stderr);
        if (parsed.Options is CaptureOptions capture)
        {
            matches.ApplyTo(capture);
        }

        return (parsed, config);
    }

    /// <summary>The same command line read again, its --config file with it (a reload); the parser's complaint as the exception.</summary>
    private static (CaptureOptions Options, ServiceConfig Config) Reparse(string[] args)
    {
        var errors = new StringWriter();
        (CommandLineParsing.Outcome parsed, ServiceConfig? config) = Parse(args, TextWriter.Null, errors);
        if (parsed.Options is not CaptureOptions options || config is null)
        {
            string first = errors.ToString().Split('\n')[0].Trim();
            throw new CommandException(ExitCode.Usage, first.Length > 0 ? first : "the command line no longer parses");
        }

        return (options, config);
    }
}
