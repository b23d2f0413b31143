using RemapDaemon.Cli;

namespace RemapDaemon.Service.Config;

/// <summary>A configuration file refused: the message starts with FILE:LINE (or FILE alone); exit 2, as a bad option is.</summary>
public sealed class ConfigException : Exception, IExitCodeException
{
    public ConfigException(string path, int line, string message)
        : base(line > 0 ? $"{path}:{line}: {message}" : $"{path}: {message}")
    {
        Path = path;
        Line = line;
    }

    public ConfigException()
    {
        Path = "";
    }

    public ConfigException(string message)
        : base(message)
    {
        Path = "";
    }

    public ConfigException(string message, Exception inner)
        : base(message, inner)
    {
        Path = "";
    }

    /// <summary>The file refused.</summary>
    public string Path { get; }

    /// <summary>The line at fault; 0 when the fault is the file's as a whole.</summary>
    public int Line { get; }

    public ExitCode ExitCode => ExitCode.Usage;
}
