using System.ComponentModel;
using System.Diagnostics;

namespace RemapDaemon.Tests.Support;

/// <summary>Output of one run of a command-line tool.</summary>
internal sealed record ToolResult(string Command, int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"$ {Command}\nexit {ExitCode}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}

/// <summary>
/// Runs the independent oracles (gcc, tcpdump, tshark, capinfos). A missing tool is a test
/// failure with the install hint, never a skip: a skipped oracle proves nothing.
/// </summary>
internal static class ExternalTool
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    public static ToolResult Run(string tool, params string[] args)
    {
        var psi = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        // Tool output is parsed: keep it in a fixed locale.
        psi.Environment["LC_ALL"] = "C";
        var command = $"{tool} {string.Join(' ', args)}";

        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {tool}");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException(
                $"'{tool}' is required by this test and is not installed ({e.Message}); " +
                "install it: apt-get install gcc tcpdump tshark", e);
        }

        using (process)
        {
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(Timeout))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{command} did not finish in {Timeout}");
            }

            return new ToolResult(command, process.ExitCode, stdout.Result, stderr.Result);
        }
    }
}
