using System.Globalization;

namespace RemapDaemon.Capture;

/// <summary>
/// Writes a series of capture files, as tcpdump -C/-G/-W does. Before a packet is written,
/// the current file is closed and the next opened when
/// <list type="bullet">
/// <item>-C: the current file is already larger than <see cref="CaptureFileOptions.RotateBytes"/>
/// (tcpdump's test, so a file exceeds the limit by at most its last record); or</item>
/// <item>-G: the packet's timestamp is <see cref="CaptureFileOptions.RotateSeconds"/> or more
/// after the first packet of the current file (packet time, not wall-clock time, so a
/// replayed capture rotates as it was captured).</item>
/// </list>
/// A packet is never split and never lost: it goes whole into the file that is current after
/// the check. Every file is complete in itself (its own pcap header, or pcapng SHB, IDBs and
/// statistics blocks).
/// <para>
/// Names (<see cref="FileName"/>), after tcpdump's MakeFilename: without -W, the first file is
/// the -w name and the next ones get 1, 2, 3... appended; with -W N, every file gets its number
/// modulo N appended, zero-padded to the digits of N-1 (-W 10: name0..name9; -W 100:
/// name00..name99), and the (N+1)th file overwrites the first. Unlike tcpdump, a -G name is not
/// passed through strftime and -G with -W keeps rotating in the ring instead of exiting.
/// </para>
/// Not thread-safe: one writer per capture loop. Allocates nothing per packet, only at a rotation.
/// </summary>
public sealed class RotatingWriter : IPacketWriter
{
    private const ulong NanosecondsPerSecond = 1_000_000_000;

    private readonly CaptureFileOptions _options;
    private readonly Dictionary<int, ulong> _drops = [];
    private readonly int _suffixDigits;
    private IPacketWriter? _current;
    private long _closedPackets;
    private long _closedBytes;
    private bool _fileHasPacket;
    private ulong _fileStartNs;

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
        _suffixDigits = SuffixDigits(options.FileCount);
        _current = OpenFile(0);
    }

    public long PacketsWritten => _closedPackets + (_current?.PacketsWritten ?? 0);

    public long BytesWritten => _closedBytes + (_current?.BytesWritten ?? 0);

    /// <summary>Files opened so far, the current one included.</summary>
    public long FilesOpened { get; private set; }

    /// <summary>The file being written.</summary>
    public string CurrentPath { get; private set; } = string.Empty;

    /// <summary>Called with a file's path after it is closed by a rotation (not at dispose), e.g. to compress it.</summary>
    public Action<string>? FileClosed { get; init; }

    /// <summary>
    /// The name of the file with sequence number <paramref name="sequence"/> (0 for the first),
    /// as tcpdump's MakeFilename forms it for -W <paramref name="fileCount"/> (0: no -W).
    /// </summary>
    public static string FileName(string basePath, long sequence, int fileCount)
    {
        ArgumentNullException.ThrowIfNull(basePath);
        ArgumentOutOfRangeException.ThrowIfNegative(sequence);
        ArgumentOutOfRangeException.ThrowIfNegative(fileCount);
        long number = fileCount > 0 ? sequence % fileCount : sequence;
        int digits = SuffixDigits(fileCount);
        if (number == 0 && digits == 0)
        {
            return basePath;
        }

        return basePath + number.ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0');
    }

    public void Write(in CapturedPacket packet)
    {
        IPacketWriter current = _current ?? throw new ObjectDisposedException(nameof(RotatingWriter));
        if (_fileHasPacket && MustRotate(current, packet.TimestampNs))
        {
            current = Rotate();
        }

        if (!_fileHasPacket)
        {
            _fileHasPacket = true;
            _fileStartNs = packet.TimestampNs;
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

    private bool MustRotate(IPacketWriter current, ulong timestampNs)
    {
        if (_options.RotateBytes > 0 && current.BytesWritten > _options.RotateBytes)
        {
            return true;
        }

        return _options.RotateSeconds > 0
            && timestampNs >= _fileStartNs
            && timestampNs - _fileStartNs >= (ulong)_options.RotateSeconds * NanosecondsPerSecond;
    }

    private IPacketWriter Rotate()
    {
        IPacketWriter old = _current!;
        string oldPath = CurrentPath;
        _current = null;
        _closedPackets += old.PacketsWritten;
        old.Dispose();
        _closedBytes += old.BytesWritten; // after dispose: pcapng adds its statistics blocks then
        FileClosed?.Invoke(oldPath);

        _current = OpenFile(FilesOpened);
        return _current;
    }

    private IPacketWriter OpenFile(long sequence)
    {
        string path = FileName(_options.Path, sequence, _options.FileCount);
        IPacketWriter writer = CaptureOutput.OpenWriter(_options, File.Create(path));
        foreach ((int ifindex, ulong drops) in _drops)
        {
            writer.SetInterfaceDrops(ifindex, drops);
        }

        CurrentPath = path;
        FilesOpened++;
        _fileHasPacket = false;
        return writer;
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
