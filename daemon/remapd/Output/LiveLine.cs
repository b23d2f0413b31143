namespace RemapDaemon.Remapd.Output;

/// <summary>
/// The live statistics line on stderr: rewritten in place (\r) when stderr is a terminal, one
/// line per interval otherwise (logs and CI keep every line).
/// </summary>
internal sealed class LiveLine
{
    private readonly TextWriter _stderr;
    private readonly bool _terminal;
    private readonly object _gate = new();
    private int _lastLength;

    internal LiveLine(TextWriter stderr, bool terminal)
    {
        _stderr = stderr;
        _terminal = terminal;
    }

    internal void Show(string line)
    {
        lock (_gate)
        {
            if (_terminal)
            {
                string padded = line.Length < _lastLength ? line.PadRight(_lastLength) : line;
                _stderr.Write("\r" + padded);
                _lastLength = line.Length;
            }
            else
            {
                _stderr.WriteLine(line);
            }

            _stderr.Flush();
        }
    }

    /// <summary>Ends the in-place line so the next output starts on a fresh line.</summary>
    internal void End()
    {
        lock (_gate)
        {
            if (_terminal && _lastLength > 0)
            {
                _stderr.WriteLine();
                _lastLength = 0;
            }
        }
    }
}
