using RemapDaemon.Cli;


namespace RemapDaemon.Remapd.Commands;

/// <summary>A failure found by the program itself (not by skbremap), with the exit code it means.</summary>
internal sealed class CommandException : Exception, IExitCodeException
{
    internal CommandException(ExitCode exitCode, string message)
        : base(message)
    {
        ExitCode = exitCode;
    }

    public ExitCode ExitCode { get; }
}
