using CommandLine;

namespace RemapDaemon.Remapd.Cli;

/// <summary>remapd version: this build's version and ABI, and what each backend answers.</summary>
[Verb("version", HelpText = "Print remapd's version, the skbremap ABI it speaks, and what each backend reports.")]
internal sealed class VersionOptions
{
}
