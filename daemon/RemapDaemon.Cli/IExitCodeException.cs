namespace RemapDaemon.Cli;

/// <summary>An exception that says which exit code it means (the others mean <see cref="ExitCode.RuntimeError"/>).</summary>
public interface IExitCodeException
{
    ExitCode ExitCode { get; }
}
