using RemapDaemon.Cli;

namespace RemapDaemon.Remapctl.Commands;

/// <summary>A failure found by remapctl itself, with the exit code it means.</summary>
internal sealed class CommandException : Exception, IExitCodeException
{
    internal CommandException(ExitCode exitCode, string message, Exception? inner = null)
        : base(message, inner)
    {
        ExitCode = exitCode;
    }

    public ExitCode ExitCode { get; }
}
