using System.Globalization;
using RemapDaemon.Protocol;

namespace RemapDaemon.Output;

/// <summary>
/// Writes a series of capture files, as tcpdump -C/-G/-W does. Before a packet is written,
/// the current file is closed and the next opened when
/// <list type="bullet">
/// <item>-G: the packet is stamped <see cref="CaptureFileOptions.RotateSeconds"/> or more after
/// the start of the current interval (packet time, not wall-clock time, so a replayed capture
/// rotates as it was captured); the packet starts the next interval. Checked first, as tcpdump
/// does, so a -G rotation also restarts the -C size count; or</item>
/// <item>-C: the current file is already larger than <see cref="CaptureFileOptions.RotateBytes"/>
/// (tcpdump's test, so a file exceeds the limit by at most its last record). The interval goes on.</item>
/// </list>
/// A packet is never split and never lost: it goes whole into the file that is current after
/// the check. Every file is complete in itself (its own pcap header, or pcapng SHB, IDBs and
/// statistics blocks).
/// <para>
/// <b>Intervals.</b> The first interval starts when the capture starts
/// (<see cref="CaptureFileOptions.StartTimeNs"/>), as tcpdump's does; if the first packet is
/// older than that (a replay) or already -G seconds later, the interval starts at that packet
/// instead and the still empty first file is renamed for it, rather than left empty. Every
/// later interval starts at the packet that opened it.
/// </para>
/// <para>
/// <b>Names</b>: a base name followed by a count, after tcpdump's MakeFilename. The base is the
/// -w name; with -G it is passed through strftime(3) for the local time of the interval's start
/// (<see cref="StrftimeFileName"/>), so 'cap-%H%M%S.pcap' gives one name per interval. The count
/// is the number of files opened before under the same base: none for the first (the base
/// alone), then 1, 2, 3... appended (<see cref="FileName"/>). A name this capture has already
/// written is never opened again, where tcpdump would overwrite it (-G with a name without time
/// conversions, a coarser time than the interval, the local hour repeated when daylight saving
/// time ends): the count goes on instead. Only -W with -C reuses names, on purpose: the count is taken modulo N and
/// zero-padded to the digits of N-1 (tcpdump's ring: name0..name9 for -W 10), one ring per base
/// (for a name without time conversions, one ring over the whole capture).
/// </para>
/// <para>
/// <b>-G with -W and no -C</b> stops after N files, as tcpdump exits: <see cref="Accepts"/>
/// turns false for the packet that would open file N+1, and the capture loop stops.
/// </para>
/// Not thread-safe: one writer per capture loop. Allocates nothing per packet, only at a rotation.
/// </summary>
public sealed class RotatingWriter : IPacketWriter
{
    private const ulong NanosecondsPerSecond = 1_000_000_000;

    private readonly CaptureFileOptions _options;
    private readonly Dictionary<int, ulong> _drops = [];

    // -G and a -w name with strftime conversions: each interval has a base of its own.
    private readonly bool _timeNames;

    // Files opened so far under each base: the next file's count.
    private readonly Dictionary<string, long> _filesUnder = [];

    // Every name this capture has written outside a -W ring: never opened again.
    private readonly HashSet<string> _written = [];
    private IPacketWriter? _current;
    private string _base;
    private long _closedPackets;
    private long _closedBytes;
    private bool _anyPacket;
    private ulong _intervalStartNs;

    /// <summary>Opens the first file.</summary>
    /// <exception cref="ArgumentException">The options do not rotate, or are invalid (see <see cref="CaptureOutput.Validate"/>).</exception>
    public RotatingWriter(CaptureFileOptions options)
    {
        CaptureOutput.Validate(options);
        if (!options.Rotates)
        {
            throw new ArgumentException("a rotating writer needs -C or -G", nameof(options));
        }

        _options = options;
        _intervalStartNs = options.StartTimeNs != 0 ? options.StartTimeNs : RealtimeClock.NowNs();
        _timeNames = options.RotateSeconds > 0 && StrftimeFileName.HasConversions(options.Path);

        // tcpdump runs every -G name through strftime: without conversions that only turns %% into %.
        _base = options.RotateSeconds > 0 && options.Path.Contains('%', StringComparison.Ordinal)
            ? StrftimeFileName.Format(options.Path, _intervalStartNs)
            : options.Path;
        _current = OpenFile();
    }

    public long PacketsWritten => _closedPackets + (_current?.PacketsWritten ?? 0);

    public long BytesWritten => _closedBytes + (_current?.BytesWritten ?? 0);

    /// <summary>Files opened so far, the current one included.</summary>
    public long FilesOpened { get; private set; }

    /// <summary>The file being written.</summary>
    public string CurrentPath { get; private set; } = string.Empty;

    /// <summary>Called with a file's path after it is closed by a rotation (not at dispose), e.g. to compress it.</summary>
    public Action<string>? FileClosed { get; init; }

    // -G -W N without -C: N files, then stop (tcpdump exits).
    private bool StopsAfterFileCount => _options.RotateSeconds > 0 && _options.RotateBytes == 0 && _options.FileCount > 0;

    // -C -W N: names are reused in a ring (per base).
    private bool Ring => _options.RotateBytes > 0 && _options.FileCount > 0;

    /// <summary>
    /// The name of the file with count <paramref name="count"/> under <paramref name="basePath"/>
    /// (0 for the first), as tcpdump's MakeFilename forms it for -W <paramref name="fileCount"/>
    /// (0: no -W).
    /// </summary>
    public static string FileName(string basePath, long count, int fileCount)
    {
        ArgumentNullException.ThrowIfNull(basePath);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegative(fileCount);
        long number = fileCount > 0 ? count % fileCount : count;
        int digits = SuffixDigits(fileCount);
        if (number == 0 && digits == 0)
        {
            return basePath;
        }

        return basePath + number.ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0');
    }

    /// <summary>
    /// False for the packet that would open file N+1 of -G with -W N (and no -C): the series is
    /// complete, as tcpdump's is when it exits with "Maximum file limit reached". True otherwise.
    /// </summary>
    public bool Accepts(in CapturedPacket packet) =>
        !(StopsAfterFileCount && _anyPacket && IntervalOver(packet.TimestampNs) && FilesOpened >= _options.FileCount);

    public void Write(in CapturedPacket packet)
    {
        IPacketWriter current = _current ?? throw new ObjectDisposedException(nameof(RotatingWriter));
        ulong timestampNs = packet.TimestampNs;
        if (!_anyPacket)
        {
            // The first file is still empty: start its interval at this packet if the packet
            // does not fall into the one that began with the capture.
            _anyPacket = true;
            if (_options.RotateSeconds > 0 && (timestampNs < _intervalStartNs || IntervalOver(timestampNs)))
            {
                RestartFirstInterval(timestampNs);
            }
        }
        else if (_options.RotateSeconds > 0 && IntervalOver(timestampNs))
        {
            if (!Accepts(packet))
            {
                throw new InvalidOperationException($"-G with -W {_options.FileCount}: every file is written; check Accepts before Write");
            }

            current = Rotate(timestampNs);
        }
        else if (_options.RotateBytes > 0 && current.BytesWritten > _options.RotateBytes)
        {
            current = Rotate(null);
        }

        current.Write(packet);
    }

    /// <summary>Remembered, and given to every file opened from now on (pcapng writes it in each file's statistics).</summary>
    public void SetInterfaceDrops(int ifindex, ulong drops)
    {
        IPacketWriter current = _current ?? throw new ObjectDisposedException(nameof(RotatingWriter));
        _drops[ifindex] = drops;
        current.SetInterfaceDrops(ifindex, drops);
    }

    public void Flush()
    {
        (_current ?? throw new ObjectDisposedException(nameof(RotatingWriter))).Flush();
    }

    public void Dispose()
    {
        IPacketWriter? current = _current;
        _current = null;
        if (current is not null)
        {
            _closedPackets += current.PacketsWritten;
            current.Dispose();
            _closedBytes += current.BytesWritten;
        }
    }

    /// <summary>-G: <paramref name="timestampNs"/> is RotateSeconds or more after the interval's start (never when the clock went back).</summary>
    private bool IntervalOver(ulong timestampNs) =>
        timestampNs >= _intervalStartNs
        && timestampNs - _intervalStartNs >= (ulong)_options.RotateSeconds * NanosecondsPerSecond;

    /// <summary>Closes the current file and opens the next; <paramref name="newIntervalNs"/> starts a -G interval there.</summary>
    private IPacketWriter Rotate(ulong? newIntervalNs)
    {
        IPacketWriter old = _current!;
        string oldPath = CurrentPath;
        _current = null;
        _closedPackets += old.PacketsWritten;
        old.Dispose();
        _closedBytes += old.BytesWritten; // after dispose: pcapng adds its statistics blocks then
        FileClosed?.Invoke(oldPath);

        if (newIntervalNs is ulong start)
        {
            _intervalStartNs = start;
            if (_timeNames)
            {
                _base = StrftimeFileName.Format(_options.Path, start);
            }
        }

        _current = OpenFile();
        return _current;
    }

    /// <summary>
    /// The first interval starts at the first packet instead of the capture's start; with time
    /// names the first file (still empty, still open) is renamed to the name of that time.
    /// </summary>
    private void RestartFirstInterval(ulong timestampNs)
    {
        _intervalStartNs = timestampNs;
        if (!_timeNames)
        {
            return;
        }

        string newBase = StrftimeFileName.Format(_options.Path, timestampNs);
        if (newBase == _base)
        {
            return;
        }

        // The first file was the only one under its base: give it the first name under the new one.
        string oldPath = CurrentPath;
        _filesUnder.Remove(_base);
        _written.Remove(oldPath);
        _base = newBase;
        string newPath = NextName();
        if (newPath != oldPath)
        {
            // Linux renames an open file; the writer goes on writing to it under the new name.
            File.Move(oldPath, newPath, overwrite: true);
            CurrentPath = newPath;
        }
    }

    private IPacketWriter OpenFile()
    {
        string path = NextName();
        IPacketWriter writer = CaptureOutput.OpenWriter(_options, File.Create(path));
        foreach ((int ifindex, ulong drops) in _drops)
        {
            writer.SetInterfaceDrops(ifindex, drops);
        }

        CurrentPath = path;
        FilesOpened++;
        return writer;
    }

    /// <summary>The next name under the current base, recorded as taken.</summary>
    private string NextName()
    {
        long count = _filesUnder.GetValueOrDefault(_base);
        string name;
        if (Ring)
        {
            name = FileName(_base, count++, _options.FileCount);
        }
        else
        {
            // Another base plus its count can spell this one's name ("x5" + "1" is "x51"): skip it.
            do
            {
                name = FileName(_base, count++, 0);
            }
            while (!_written.Add(name));
        }

        _filesUnder[_base] = count;
        return name;
    }

    /// <summary>tcpdump's getWflagChars: the digits of N-1 (0 for N = 1 or no -W).</summary>
    private static int SuffixDigits(int fileCount)
    {
        int digits = 0;
        for (int x = fileCount - 1; x > 0; x /= 10)
        {
            digits++;
        }

        return digits;
    }
}
