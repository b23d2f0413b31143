namespace RemapDaemon.Service.Config;

/// <summary>One <c>key = value</c> line of a configuration file, with where it stands.</summary>
/// <param name="Key">The long option name, without dashes ("snaplen").</param>
/// <param name="Value">The text after '=', white space trimmed at both ends.</param>
/// <param name="Line">1-based line number in the file.</param>
public sealed record ConfigEntry(string Key, string Value, int Line);
