namespace RemapDaemon.Remapctl.Commands;

/// <summary>Rows as left-aligned columns two spaces apart; the last column is not padded.</summary>
internal static class TextTable
{
    internal static void Write(TextWriter output, IReadOnlyList<string[]> rows)
    {
        int columns = rows.Max(r => r.Length);
        int[] width = new int[columns];
        foreach (string[] r in rows)
        {
            for (int c = 0; c < r.Length; c++)
            {
                width[c] = Math.Max(width[c], r[c].Length);
            }
        }

        foreach (string[] r in rows)
        {
            var line = new System.Text.StringBuilder();
            for (int c = 0; c < r.Length; c++)
            {
                line.Append(c == r.Length - 1 ? r[c] : r[c].PadRight(width[c] + 2));
            }

            output.WriteLine(line.ToString().TrimEnd());
        }
    }
}
