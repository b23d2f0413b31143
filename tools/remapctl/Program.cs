using RemapDaemon.Cli;
using RemapDaemon.Remapctl.Cli;
using RemapDaemon.Remapctl.Commands;

namespace RemapDaemon.Remapctl;

/// <summary>remapctl: skbremap's debug CLI. Same exit codes and error path as remapd (<see cref="TopLevel"/>; it has no -v, so no stack trace).</summary>
internal static class Program
{
    private static int Main(string[] args) => TopLevel.Run("remapctl", () => Run(args), () => false, Console.Error);

    private static int Run(string[] args)
    {
        // The fleet has verbs of its own: 'remapctl fleet VERB ...' (FleetOptions is its entry in --help).
        if (args is ["fleet", ..])
        {
            return FleetCommand.Run(args[1..], Console.Out, Console.Error);
        }

        CommandLineParsing.Outcome parsed = CommandLineParsing.Parse<StatusOptions, DumpOptions, FleetOptions>(
            "remapctl", args, ExitCodeHelp.Lines, Console.Out, Console.Error);
        return parsed.Options switch
        {
            StatusOptions status => StatusCommand.Run(status, Console.Out),
            DumpOptions dump => DumpCommand.Run(dump, Console.Out),
            _ => parsed.ExitCode,
        };
    }
}
