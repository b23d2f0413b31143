using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;

namespace RemapDaemon.Tests.Support;

/// <summary>
/// Runs the built remapd or remapctl as a process, the way a user does: exit code, stdout and
/// stderr are what the tests check. The binary is the one 'dotnet build' put under bin/ of the
/// same configuration as the tests (a ProjectReference with ReferenceOutputAssembly=false makes
/// sure it is built first); $REMAPD / $REMAPCTL point elsewhere (e.g. a NativeAOT publish).
/// </summary>
internal static partial class ProgramRunner
{
    private const int SIGINT = 2;

    public static string Remapd => Locate("remapd", Path.Combine("daemon", "remapd"), "REMAPD");

    public static string Remapctl => Locate("remapctl", Path.Combine("tools", "remapctl"), "REMAPCTL");

    public static ToolResult Run(string program, TimeSpan timeout, params string[] args)
    {
        using RunningProgram running = Start(program, args);
        return running.WaitForExit(timeout);
    }

    public static RunningProgram Start(string program, params string[] args) => Start(program, new Dictionary<string, string>(), args);

    public static RunningProgram Start(string program, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        psi.Environment["LC_ALL"] = "C";
        foreach ((string name, string value) in environment)
        {
            psi.Environment[name] = value;
        }

        return new RunningProgram(Process.Start(psi) ?? throw new InvalidOperationException($"could not start {program}"),
            $"{program} {string.Join(' ', args)}");
    }

    private static string Locate(string name, string projectDir, string environmentVariable)
    {
        string? overridden = Environment.GetEnvironmentVariable(environmentVariable);
        if (!string.IsNullOrEmpty(overridden))
        {
            return overridden;
        }

        string configuration = typeof(ProgramRunner).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        string path = RepoRoot.Combine(projectDir, "bin", configuration, "net10.0", name);
        return File.Exists(path) ? path : throw new FileNotFoundException($"{name} is not built: {path} (dotnet build RemapDaemon.sln -c {configuration})", path);
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    internal static partial int Kill(int pid, int signal);

    /// <summary>A started program; stdout and stderr are collected as they come.</summary>
    internal sealed class RunningProgram : IDisposable
    {
        private readonly Process _process;
        private readonly string _command;
        private readonly StringBuilder _stdout = new();
        private readonly StringBuilder _stderr = new();

        internal RunningProgram(Process process, string command)
        {
            _process = process;
            _command = command;
            _process.OutputDataReceived += (_, e) => Append(_stdout, e.Data);
            _process.ErrorDataReceived += (_, e) => Append(_stderr, e.Data);
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
            _process.StandardInput.Close();
        }

        public int Pid => _process.Id;

        public bool HasExited => _process.HasExited;

        /// <summary>stderr so far (the live line arrives here).</summary>
        public string StderrSoFar
        {
            get
            {
                lock (_stderr)
                {
                    return _stderr.ToString();
                }
            }
        }

        public void Interrupt()
        {
            if (Kill(_process.Id, SIGINT) != 0)
            {
                throw new InvalidOperationException($"kill -INT {_process.Id} failed: errno {Marshal.GetLastPInvokeError()}");
            }
        }

        public ToolResult WaitForExit(TimeSpan timeout)
        {
            if (!_process.WaitForExit(timeout))
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
                throw new TimeoutException($"{_command} did not finish in {timeout}\n--- stderr ---\n{StderrSoFar}");
            }

            _process.WaitForExit(); // drains the async readers
            lock (_stdout)
            lock (_stderr)
            {
                return new ToolResult(_command, _process.ExitCode, _stdout.ToString(), _stderr.ToString());
            }
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            _process.Dispose();
        }

        private static void Append(StringBuilder sb, string? line)
        {
            if (line is not null)
            {
                lock (sb)
                {
                    sb.Append(line).Append('\n');
                }
            }
        }
    }
}
