using RemapDaemon.Backends;
using RemapDaemon.Remapd.Cli;
using RemapDaemon.Remapd.Commands;

namespace RemapDaemon.Remapd;

/// <summary>
/// remapd: zero-copy capture from skbremap (the module or its emulation) into pcap.
/// Every failure a user can act on ends with one "remapd: error: ..." line and the exit code
/// of <see cref="ExitCode"/>.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        // Before the runtime sets up its signal handling (first Console use, PosixSignalRegistration).
        StopSignals.Unignore();
        TextWriter stdout = Console.Out;
        TextWriter stderr = Console.Error;

        // CommandLineParser's own --version is off ('version' is our verb); keep the spelling working.
        if (args is ["--version"])
        {
            args = ["version"];
        }

        // Only capture has them; 'version --match-hex 1' stays an unknown option.
        PayloadMatchArguments matches = new();
        if (args is not ["version", ..])
        {
            args = PayloadMatchArguments.Extract(args, out matches);
        }

        CommandLineParsing.Outcome parsed = CommandLineParsing.Parse<CaptureOptions, VersionOptions>(
            "remapd", args, [.. ExitCodeHelp.Lines, .. SignalHelp.Lines], stdout, stderr);
        if (parsed.Options is CaptureOptions options)
        {
            matches.ApplyTo(options);
        }
        try
        {
            return parsed.Options switch
            {
                CaptureOptions capture => CaptureCommand.Run(capture, stderr),
                VersionOptions => VersionCommand.Run(stdout),
                _ => parsed.ExitCode,
            };
        }
        catch (SkbremapException e)
        {
            stderr.WriteLine($"remapd: error: {e.Message}");
            return (int)e.ExitCode;
        }
        catch (CommandException e)
        {
            stderr.WriteLine($"remapd: error: {e.Message}");
            return (int)e.ExitCode;
        }
        catch (IOException e)
        {
            // Writing the pcap failed (disk full, stdout closed): the capture is closed by the
            // using blocks on the way here, which returns every page and skb to skbremap.
            stderr.WriteLine($"remapd: error: {e.Message}");
            return (int)ExitCode.RuntimeError;
        }
    }
}
