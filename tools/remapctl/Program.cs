using RemapDaemon.Backends;
using RemapDaemon.Remapctl.Cli;
using RemapDaemon.Remapctl.Commands;
using RemapDaemon.Remapd.Cli;

namespace RemapDaemon.Remapctl;

/// <summary>remapctl: skbremap's debug CLI. Same exit codes and error style as remapd.</summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        CommandLineParsing.Outcome parsed = CommandLineParsing.Parse<StatusOptions, DumpOptions>(
            "remapctl", args, ExitCodeHelp.Lines, Console.Out, Console.Error);
        try
        {
            return parsed.Options switch
            {
                StatusOptions status => StatusCommand.Run(status, Console.Out),
                DumpOptions dump => DumpCommand.Run(dump, Console.Out),
                _ => parsed.ExitCode,
            };
        }
        catch (SkbremapException e)
        {
            Console.Error.WriteLine($"remapctl: error: {e.Message}");
            return (int)e.ExitCode;
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"remapctl: error: {e.Message}");
            return (int)ExitCode.RuntimeError;
        }
    }
}
