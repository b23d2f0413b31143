using System.Reflection;
using CommandLine;
using RemapDaemon.Cli;
using RemapDaemon.Output;
using RemapDaemon.Remapd.Cli;
using RemapDaemon.Service.Config;

namespace RemapDaemon.Remapd.Commands;

/// <summary>
/// remapd capture --config FILE: the file's lines (<see cref="ConfigFile"/>) become the long
/// options they name, spliced in where --config stood, so every option of
/// <see cref="CaptureOptions"/> — and any added later — is a key with no code of its own: the
/// keys and their kinds come from the options' own [Option] attributes. Every value is checked
/// before the capture starts, each fault naming FILE:LINE: CommandLineParser's conversion per
/// line, then the ranges, the filter (compiled by libpcap) and the output directory (a file
/// created and removed in it) through the same checks the capture makes (<see cref="Check"/>).
/// A SIGHUP runs the same path again (<see cref="ConfigReload"/>).
/// </summary>
internal sealed class ServiceConfig
{
    private const string ConfigOption = "--config";

    private ServiceConfig(ConfigFile file) => File = file;

    /// <summary>The options as configuration keys: long name and how it takes a value.</summary>
    internal static IReadOnlyDictionary<string, OptionKind> Keys { get; } = ReadKeys();

    /// <summary>The options' one-letter names ('c' for count).</summary>
    private static IReadOnlyDictionary<char, string> ShortNames { get; } = ReadShortNames();

    internal ConfigFile File { get; }

    internal string Path => File.Path;

    /// <summary>
    /// The arguments with "--config FILE" (or "--config=FILE") replaced by the file's options;
    /// null <paramref name="config"/> when there is none. Nothing after "--" is looked at.
    /// </summary>
    /// <exception cref="ConfigException">The file is unreadable or a line is wrong.</exception>
    internal static string[] Expand(string[] args, out ServiceConfig? config)
    {
        config = null;
        var expanded = new List<string>(args.Length);
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            if (a == "--")
            {
                expanded.AddRange(args[i..]);
                break;
            }

            string? path = a == ConfigOption && i + 1 < args.Length ? args[++i]
                : a.StartsWith(ConfigOption + "=", StringComparison.Ordinal) ? a[(ConfigOption.Length + 1)..]
                : null;
            if (path is null)
            {
                expanded.Add(a);
                continue;
            }

            if (config is not null)
            {
                throw new CommandException(ExitCode.Usage, "--config: give one configuration file");
            }

            config = Load(path);
            expanded.AddRange(config.File.ToArguments(Keys));
        }

        // CommandLineParser refuses an option given twice: the later one wins instead, so that
        // the command line can override the file ('remapd capture --config F -c 10').
        return config is null ? [.. expanded] : LastOccurrences(expanded);
    }

    /// <summary>
    /// The arguments with every earlier occurrence of a non-repeatable option removed (with its
    /// value). Options are recognised as --name, --name=value and -x; nothing after "--" is touched.
    /// </summary>
    internal static string[] LastOccurrences(IReadOnlyList<string> args)
    {
        var spans = new List<(int Start, int Count, string? Name)>();
        int i = 0;
        for (; i < args.Count && args[i] != "--"; i++)
        {
            string a = args[i];
            string? name = a.StartsWith("--", StringComparison.Ordinal) ? a[2..].Split('=', 2)[0]
                : a.Length == 2 && a[0] == '-' && ShortNames.TryGetValue(a[1], out string? longName) ? longName
                : null;
            if (name is null || !Keys.TryGetValue(name, out OptionKind kind))
            {
                spans.Add((i, 1, null));
                continue;
            }

            bool valueFollows = kind != OptionKind.Switch && !a.Contains('=', StringComparison.Ordinal) && i + 1 < args.Count;
            spans.Add((i, valueFollows ? 2 : 1, kind == OptionKind.Repeatable ? null : name));
            if (valueFollows)
            {
                i++;
            }
        }

        var last = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int s = 0; s < spans.Count; s++)
        {
            if (spans[s].Name is { } n)
            {
                last[n] = s;
            }
        }

        var kept = new List<string>(args.Count);
        for (int s = 0; s < spans.Count; s++)
        {
            if (spans[s].Name is not { } n || last[n] == s)
            {
                kept.AddRange(args.Skip(spans[s].Start).Take(spans[s].Count));
            }
        }

        kept.AddRange(args.Skip(i));
        return [.. kept];
    }

    /// <summary>Reads <paramref name="path"/> and converts every value as the command line would, naming the line of a bad one.</summary>
    internal static ServiceConfig Load(string path) => Checked(ConfigFile.Load(path, Keys));

    /// <summary>
    /// Configuration text that is no file (a fleet's desired configuration, named by
    /// <paramref name="name"/> in messages), checked as <see cref="Load"/> checks a file.
    /// </summary>
    /// <exception cref="ConfigException">A line is wrong (the message names it).</exception>
    internal static ServiceConfig FromText(string name, string text) => Checked(ConfigFile.Parse(name, text, Keys));

    private static ServiceConfig Checked(ConfigFile file)
    {
        string path = file.Path;
        foreach (ConfigEntry e in file.Entries)
        {
            if (Keys[e.Key] != OptionKind.Value)
            {
                continue; // switches are checked by ConfigFile; payload patterns when compiled
            }

            // The one value alone, with what makes a capture parse (-w); CommandLineParser says what is wrong.
            string[] probe = e.Key == "write" ? ["capture", $"--write={e.Value}"] : ["capture", "--write=-", $"--{e.Key}={e.Value}"];
            var errors = new StringWriter();
            if (CommandLineParsing.Parse<CaptureOptions, VersionOptions>("remapd", probe, [], TextWriter.Null, errors).Options is null)
            {
                string first = errors.ToString().Split('\n')[0].Trim();
                first = first.StartsWith("remapd: ", StringComparison.Ordinal) ? first["remapd: ".Length..] : first;
                throw new ConfigException(path, e.Line, $"'{e.Key} = {e.Value}': {first}");
            }
        }

        return new ServiceConfig(file);
    }

    /// <summary>
    /// The checks the capture makes before it opens anything (ranges, filter, payload tests,
    /// output files), and the output directory tried; a fault names the line it comes from.
    /// </summary>
    /// <exception cref="ConfigException">A value is refused.</exception>
    internal PacketSelection Check(CaptureOptions o)
    {
        try
        {
            CaptureCommand.CheckRanges(o);
            PacketSelection selection = PacketSelection.From(o);
            CaptureFileOptions files = CaptureFiles.From(o);
            CheckDirectory(files.Path);
            if (o.MetricsListen is { } listen)
            {
                Service.Metrics.MetricsEndpoint.Parse(listen);
            }

            return selection;
        }
        catch (CommandException e) when (e.ExitCode == ExitCode.Usage)
        {
            throw Refuse(e.Message);
        }
        catch (ArgumentException e)
        {
            throw Refuse(e.Message);
        }
        catch (FormatException e)
        {
            throw Refuse($"--metrics-listen {e.Message}");
        }
    }

    /// <summary>The capture's name: --name, the [capture NAME] or file name.</summary>
    internal string Name(CaptureOptions o) => o.Name ?? File.Name;

    private ConfigException Refuse(string message)
    {
        ConfigEntry? entry = File.EntryNamedIn(message);
        if (entry is null && message.Contains("filter expression", StringComparison.Ordinal))
        {
            entry = File.Entries.FirstOrDefault(e => e.Key is "filter" or "filter-file");
        }

        return new ConfigException(Path, entry?.Line ?? 0, message);
    }

    private void CheckDirectory(string output)
    {
        if (output == CaptureOutput.StdoutPath)
        {
            return;
        }

        string? directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(output));
        if (directory is null || directory.Contains('%', StringComparison.Ordinal))
        {
            return; // a strftime conversion in the directory: known only when the file is opened
        }

        int line = File.LineOf("write");
        if (!Directory.Exists(directory))
        {
            throw new ConfigException(Path, line, $"write = {output}: the directory {directory} does not exist");
        }

        string probe = System.IO.Path.Combine(directory, $".remapd-check-{Environment.ProcessId}");
        try
        {
            using var f = new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException(Path, line, $"write = {output}: cannot create files in {directory}: {e.Message}");
        }
    }

    private static Dictionary<char, string> ReadShortNames()
    {
        var names = new Dictionary<char, string>();
        foreach (PropertyInfo p in typeof(CaptureOptions).GetProperties())
        {
            if (p.GetCustomAttribute<OptionAttribute>() is { ShortName: [char c], LongName: { Length: > 0 } name })
            {
                names[c] = name;
            }
        }

        return names;
    }

    private static Dictionary<string, OptionKind> ReadKeys()
    {
        var keys = new Dictionary<string, OptionKind>(StringComparer.Ordinal);
        foreach (PropertyInfo p in typeof(CaptureOptions).GetProperties())
        {
            if (p.GetCustomAttribute<OptionAttribute>() is { LongName: { Length: > 0 } name } && name != "config")
            {
                keys[name] = p.PropertyType == typeof(bool) ? OptionKind.Switch
                    : p.PropertyType == typeof(IEnumerable<string>) ? OptionKind.Repeatable
                    : OptionKind.Value;
            }
        }

        return keys;
    }
}
