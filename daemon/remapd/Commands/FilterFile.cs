using System.Text;

namespace RemapDaemon.Remapd.Commands;

/// <summary>
/// --filter-file: a filter expression read as tcpdump's -F reads its file (read_infile): the
/// whole file, each '#' and the rest of its line blanked out. The words are then joined with
/// single spaces — libpcap's scanner takes any run of white space as one separator, so the
/// program is the same — which is also how the expression appears in logs and the summary.
/// Read at the start and again on every SIGHUP.
/// </summary>
internal static class FilterFile
{
    /// <summary>A filter file larger than this is a mistake (the longest tcpdump expressions are a few kB).</summary>
    internal const long MaxBytes = 1 << 20;

    /// <summary>The expression in <paramref name="path"/>; empty for a file of white space and comments (no filter).</summary>
    /// <exception cref="IOException">The file cannot be read, or is larger than <see cref="MaxBytes"/>.</exception>
    /// <exception cref="UnauthorizedAccessException">No permission to read it.</exception>
    internal static string Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        if (stream.Length > MaxBytes)
        {
            throw new IOException($"it is larger than {MaxBytes} bytes, which no filter expression is");
        }

        using var reader = new StreamReader(stream, Encoding.UTF8);
        return Expression(reader.ReadToEnd());
    }

    /// <summary>The expression in a filter file's text: comments dropped, words joined by single spaces.</summary>
    internal static string Expression(string text)
    {
        var kept = new StringBuilder(text.Length);
        bool comment = false;
        foreach (char c in text)
        {
            if (c == '\n')
            {
                comment = false;
            }
            else if (c == '#')
            {
                comment = true;
            }

            kept.Append(comment ? ' ' : c);
        }

        return string.Join(' ', kept.ToString().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
    }
}
