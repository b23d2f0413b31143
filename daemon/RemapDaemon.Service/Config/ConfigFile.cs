using System.Globalization;
using System.Text;

namespace RemapDaemon.Service.Config;

/// <summary>
/// A capture's configuration file (remapd.conf(5)): <c>key = value</c> lines whose keys are the
/// long options of <c>remapd capture</c>, so that every option is a key with no code per key
/// (the caller hands over the options it knows, <see cref="OptionKind"/> by name). A line
/// starting with '#' (after white space) is a comment; blank lines are ignored; an optional
/// <c>[capture NAME]</c> header names the capture (its metrics label; default: the file's name
/// without <c>.conf</c>). One capture per file: a service runs one capture per instance
/// (<c>remapd@NAME.service</c>), so that one capture's failure or restart leaves the others alone.
/// <para>
/// Read here: the syntax, unknown keys, repeated keys, switch values. The values themselves are
/// checked by the program that owns the options, which names the line (<see cref="LineOf"/>).
/// </para>
/// </summary>
public sealed class ConfigFile
{
    /// <summary>A configuration file larger than this is a mistake.</summary>
    public const long MaxBytes = 1 << 20;

    private static readonly string[] Refused = ["config", "help", "version"];

    private ConfigFile(string path, string name, IReadOnlyList<ConfigEntry> entries)
    {
        Path = path;
        Name = name;
        Entries = entries;
    }

    public string Path { get; }

    /// <summary>The capture's name: the <c>[capture NAME]</c> header's, else the file name without <c>.conf</c>.</summary>
    public string Name { get; }

    /// <summary>The key lines in file order.</summary>
    public IReadOnlyList<ConfigEntry> Entries { get; }

    /// <summary>Reads and checks <paramref name="path"/> against the options of <paramref name="options"/>.</summary>
    /// <exception cref="ConfigException">The file cannot be read, or a line is wrong (the message names it).</exception>
    public static ConfigFile Load(string path, IReadOnlyDictionary<string, OptionKind> options)
    {
        string text;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (stream.Length > MaxBytes)
            {
                throw new ConfigException(path, 0, $"larger than {MaxBytes} bytes, which no configuration is");
            }

            using var reader = new StreamReader(stream, Encoding.UTF8);
            text = reader.ReadToEnd();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException(path, 0, $"cannot read it: {e.Message}");
        }

        return Parse(path, text, options);
    }

    /// <summary>Parses the text of a file named <paramref name="path"/> (for the messages).</summary>
    public static ConfigFile Parse(string path, string text, IReadOnlyDictionary<string, OptionKind> options)
    {
        string name = System.IO.Path.GetFileName(path);
        if (name.EndsWith(".conf", StringComparison.Ordinal))
        {
            name = name[..^".conf".Length];
        }

        int sectionLine = 0;
        var entries = new List<ConfigEntry>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        string[] lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            int number = i + 1;
            string line = lines[i].TrimEnd('\r').Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            if (line[0] == '[')
            {
                name = Section(path, number, line, ref sectionLine);
                continue;
            }

            int eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0)
            {
                throw new ConfigException(path, number, $"'{line}': not 'key = value' (keys are remapd capture's long options, e.g. 'interface = eth0')");
            }

            string key = line[..eq].Trim();
            string value = line[(eq + 1)..].Trim();
            if (key.StartsWith('-'))
            {
                throw new ConfigException(path, number, $"'{key}': a key is the option's name without dashes ('{key.TrimStart('-')} = ...')");
            }

            if (Refused.Contains(key))
            {
                throw new ConfigException(path, number, $"'{key}' is not a configuration key");
            }

            if (!options.TryGetValue(key, out OptionKind kind))
            {
                throw new ConfigException(path, number, $"unknown key '{key}' (the keys are the long options of 'remapd capture --help')");
            }

            if (value.Length == 0)
            {
                throw new ConfigException(path, number, $"'{key}' needs a value");
            }

            if (kind == OptionKind.Switch && ParseSwitch(value) is null)
            {
                throw new ConfigException(path, number, $"'{key} = {value}': a switch is yes/no, true/false, on/off or 1/0");
            }

            if (kind != OptionKind.Repeatable && seen.TryGetValue(key, out int first))
            {
                throw new ConfigException(path, number, $"'{key}' given twice (first at line {first})");
            }

            seen.TryAdd(key, number);
            entries.Add(new ConfigEntry(key, value, number));
        }

        if (name.Length == 0)
        {
            throw new ConfigException(path, sectionLine, "the capture has no name");
        }

        return new ConfigFile(path, name, entries);
    }

    /// <summary>The command-line arguments the file stands for: <c>--key=value</c> per line, <c>--key</c> per switch that is on.</summary>
    public IReadOnlyList<string> ToArguments(IReadOnlyDictionary<string, OptionKind> options)
    {
        var args = new List<string>(Entries.Count);
        foreach (ConfigEntry e in Entries)
        {
            if (options[e.Key] == OptionKind.Switch)
            {
                if (ParseSwitch(e.Value) == true)
                {
                    args.Add($"--{e.Key}");
                }
            }
            else
            {
                args.Add($"--{e.Key}={e.Value}");
            }
        }

        return args;
    }

    /// <summary>The line of <paramref name="key"/>'s first entry; 0 when the file does not set it.</summary>
    public int LineOf(string key) => Entries.FirstOrDefault(e => e.Key == key)?.Line ?? 0;

    /// <summary>The entry whose option an error message names ("--snaplen", "-s/--snaplen"), if any.</summary>
    public ConfigEntry? EntryNamedIn(string message)
    {
        foreach (ConfigEntry e in Entries)
        {
            string option = "--" + e.Key;
            int at = message.IndexOf(option, StringComparison.Ordinal);
            while (at >= 0)
            {
                int end = at + option.Length;
                if (end == message.Length || !(char.IsLetterOrDigit(message[end]) || message[end] == '-'))
                {
                    return e;
                }

                at = message.IndexOf(option, end, StringComparison.Ordinal);
            }
        }

        return null;
    }

    /// <summary>The values by key (a repeatable key's in file order), to compare two readings of a file.</summary>
    public IReadOnlyDictionary<string, string> Values() =>
        Entries.GroupBy(e => e.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => string.Join("\n", g.Select(e => e.Value)), StringComparer.Ordinal);

    private static string Section(string path, int number, string line, ref int sectionLine)
    {
        if (!line.EndsWith(']'))
        {
            throw new ConfigException(path, number, $"'{line}': a section header is '[capture NAME]'");
        }

        string[] words = line[1..^1].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (words is not ["capture", string name])
        {
            throw new ConfigException(path, number, $"'{line}': the one section is '[capture NAME]'");
        }

        if (sectionLine != 0)
        {
            throw new ConfigException(path, number,
                $"a second [capture] section (the first at line {sectionLine.ToString(CultureInfo.InvariantCulture)}): one capture per file; " +
                "run one service per capture (remapd@NAME.service reads /etc/remapd/NAME.conf)");
        }

        sectionLine = number;
        return name;
    }

    private static bool? ParseSwitch(string value) => value.ToLowerInvariant() switch
    {
        "yes" or "true" or "on" or "1" => true,
        "no" or "false" or "off" or "0" => false,
        _ => null,
    };
}
