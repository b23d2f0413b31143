using System.Reflection;

namespace RemapDaemon.Cli;

/// <summary>The informational version the build stamped into the program.</summary>
public static class ProgramVersion
{
    public static string Text { get; } =
        typeof(ProgramVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? "0.0.0";
}
