using System.Text;

namespace RemapDaemon.Fleet.Hub;

/// <summary>
/// Edits remapd.conf text (<c>key = value</c> lines, <c>#</c> comments), the value of a
/// <c>remapd-config</c> key, key by key: a key set again replaces its line in place, a new key
/// is appended, comments and other keys stay as they are. Whether a value is valid is the
/// sensor's to say (it refuses a bad configuration and says so in its status).
/// </summary>
public static class ConfigText
{
    /// <summary>Splits <c>KEY=VALUE</c> (spaces around both trimmed).</summary>
    /// <exception cref="FleetUsageException">No '=', or an empty key, or a key with a space, '#' or '='.</exception>
    public static (string Key, string Value) ParseAssignment(string assignment)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        int eq = assignment.IndexOf('=', StringComparison.Ordinal);
        string key = eq < 0 ? "" : assignment[..eq].Trim();
        if (eq < 0 || !IsKey(key))
        {
            throw new FleetUsageException($"'{assignment}': not KEY=VALUE");
        }

        string value = assignment[(eq + 1)..].Trim();
        if (value.Contains('\n', StringComparison.Ordinal))
        {
            throw new FleetUsageException($"'{assignment}': a value is one line");
        }

        return (key, value);
    }

    /// <exception cref="FleetUsageException">Not a key (empty, or with a space, '#' or '=').</exception>
    public static string ParseKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return IsKey(key.Trim()) ? key.Trim() : throw new FleetUsageException($"'{key}': not a key");
    }

    /// <summary>The keys and values of <paramref name="text"/> in order (a repeated key: its last value).</summary>
    public static IReadOnlyList<(string Key, string Value)> Entries(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var entries = new List<(string, string)>();
        foreach (string line in Lines(text))
        {
            if (KeyOf(line) is string key)
            {
                string value = line[(line.IndexOf('=', StringComparison.Ordinal) + 1)..].Trim();
                entries.RemoveAll(e => e.Item1 == key);
                entries.Add((key, value));
            }
        }

        return entries;
    }

    /// <summary><paramref name="text"/> with each key's line replaced (every line of it, the first in place) or appended.</summary>
    public static string Set(string text, IEnumerable<(string Key, string Value)> assignments)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(assignments);
        List<string> lines = [.. Lines(text)];
        foreach ((string key, string value) in assignments)
        {
            string replacement = $"{key} = {value}";
            int at = lines.FindIndex(l => KeyOf(l) == key);
            if (at < 0)
            {
                lines.Add(replacement);
                continue;
            }

            lines[at] = replacement;
            for (int i = lines.Count - 1; i > at; i--)
            {
                if (KeyOf(lines[i]) == key)
                {
                    lines.RemoveAt(i);
                }
            }
        }

        return Join(lines);
    }

    /// <summary><paramref name="text"/> without the lines of <paramref name="keys"/>.</summary>
    public static string Remove(string text, IEnumerable<string> keys)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(keys);
        var gone = new HashSet<string>(keys, StringComparer.Ordinal);
        return Join([.. Lines(text).Where(l => KeyOf(l) is not string key || !gone.Contains(key))]);
    }

    private static bool IsKey(string key) =>
        key.Length > 0 && !key.Any(c => char.IsWhiteSpace(c) || c is '#' or '=');

    /// <summary>The key of a <c>key = value</c> line; null for a comment, a blank line or anything else.</summary>
    private static string? KeyOf(string line)
    {
        string t = line.Trim();
        int eq = t.IndexOf('=', StringComparison.Ordinal);
        if (t.Length == 0 || t[0] == '#' || eq <= 0)
        {
            return null;
        }

        string key = t[..eq].Trim();
        return IsKey(key) ? key : null;
    }

    private static IEnumerable<string> Lines(string text) =>
        text.Length == 0 ? [] : text.TrimEnd('\n').Split('\n').Select(l => l.TrimEnd('\r'));

    private static string Join(List<string> lines)
    {
        var b = new StringBuilder();
        foreach (string l in lines)
        {
            b.Append(l).Append('\n');
        }

        return b.ToString();
    }
}
