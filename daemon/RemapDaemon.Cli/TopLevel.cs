namespace RemapDaemon.Cli;

/// <summary>
/// The one way remapd and remapctl end on an exception, whatever it is: one line
/// "PROGRAM: error: MESSAGE" on stderr (the stack trace only with -v) and an exit code:
/// the one the exception means (<see cref="ExitCodes.Of"/>: usage, no device, permission...)
/// or 1 (<see cref="ExitCode.RuntimeError"/>). Whatever a command has to finish before it
/// ends (remapd: STOP, drain, flush, the summary) it does before the exception reaches here.
/// </summary>
public static class TopLevel
{
    /// <param name="program">"remapd" or "remapctl".</param>
    /// <param name="command">The program's work; returns the exit code.</param>
    /// <param name="verbose">Whether -v was given (asked only on failure: parsing may not have run).</param>
    /// <param name="stderr">Where the error line goes.</param>
    public static int Run(string program, Func<int> command, Func<bool> verbose, TextWriter stderr)
    {
        try
        {
            return command();
        }
#pragma warning disable CA1031 // The top level: every exception ends here, as one line and an exit code.
        catch (Exception e)
#pragma warning restore CA1031
        {
            stderr.WriteLine($"{program}: error: {Message(e)}");
            if (IsVerbose(verbose))
            {
                stderr.WriteLine(e.ToString());
            }

            stderr.Flush();
            return (int)ExitCodes.Of(e);
        }
    }

    /// <summary>The message, with the inner one where it says more (UnauthorizedAccessException's "Permission denied").</summary>
    public static string Message(Exception e) =>
        e.InnerException is { } inner && !e.Message.Contains(inner.Message, StringComparison.Ordinal)
            ? $"{e.Message} ({inner.Message})"
            : e.Message;

    private static bool IsVerbose(Func<bool> verbose)
    {
        try
        {
            return verbose();
        }
#pragma warning disable CA1031 // Reporting an error must not fail on the question whether to add the stack.
        catch (Exception)
#pragma warning restore CA1031
        {
            return false;
        }
    }
}
