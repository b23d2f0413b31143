using System.Reflection;

namespace RemapDaemon.Remapd.Cli;

/// <summary>The informational version the build stamped into the program.</summary>
internal static class ProgramVersion
{
    internal static string Text { get; } =
        typeof(ProgramVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? "0.0.0";
}
