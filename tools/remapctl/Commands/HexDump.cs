using System.Text;

namespace RemapDaemon.Remapctl.Commands;

/// <summary>Classic 16-bytes-a-line hexdump with offsets and printable ASCII.</summary>
internal static class HexDump
{
    internal static void Write(TextWriter w, ReadOnlySpan<byte> data)
    {
        var line = new StringBuilder(80);
        for (int offset = 0; offset < data.Length; offset += 16)
        {
            ReadOnlySpan<byte> row = data.Slice(offset, Math.Min(16, data.Length - offset));
            line.Clear().Append(offset.ToString("x4", System.Globalization.CultureInfo.InvariantCulture)).Append("  ");
            for (int i = 0; i < 16; i++)
            {
                line.Append(i < row.Length ? row[i].ToString("x2", System.Globalization.CultureInfo.InvariantCulture) : "  ").Append(i == 7 ? "  " : " ");
            }

            line.Append(" |");
            foreach (byte b in row)
            {
                line.Append(b is >= 0x20 and < 0x7f ? (char)b : '.');
            }

            w.WriteLine(line.Append('|').ToString());
        }
    }
}
