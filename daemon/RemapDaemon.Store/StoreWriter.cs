using System.Buffers.Binary;
using Microsoft.Extensions.Logging;
using RemapDaemon.Output;
using RemapDaemon.Output.Pcap;
using RemapDaemon.Output.PcapNg;
using RemapDaemon.Protocol;
using RemapDaemon.Store.Index;
using RemapDaemon.Store.Interop;

namespace RemapDaemon.Store;

/// <summary>
/// Writes a capture into a store directory (<see cref="StoreFileName"/>): each file is written
/// hidden (<c>.NAME.part</c>), and when complete is flushed, fsync'd and renamed (rename(2)) to
/// its name, then its index is written beside it (<see cref="IndexFormat"/>), then the deletion
/// pass runs (<see cref="Retention"/>). A reader of the directory only ever sees whole files.
/// <list type="bullet">
/// <item>Rotation by time is aligned to the clock: with <see cref="StoreOptions.RotateSeconds"/>
/// 60 a file holds the packets stamped within one minute from :00 (the first file of a capture
/// is short), and is named for the start of its minute; a file is also closed by the wall clock
/// (<see cref="Tick"/>) a second after its interval ends, so an idle capture still completes it.</item>
/// <item>Rotation by size: a file is closed before a packet would take it past
/// <see cref="StoreOptions.RotateBytes"/>, and the next is named for that packet's time.</item>
/// <item>A full file system (ENOSPC, EDQUOT) never stops the capture: the file is cut back to
/// its last whole packet, fsync'd, renamed and indexed; packets are then dropped and counted
/// (<see cref="StoreStatistics.DiskFullDrops"/>, with the packets the cut removed) while the
/// deletion pass runs once a second, until there is room again.</item>
/// </list>
/// At start: takes the capture's writer lock (two captures never share a name), recovers what
/// a crashed capture left (<see cref="Recovery"/>) and runs the deletion pass over what the
/// store already holds. Not thread-safe: the capture loop's thread owns it.
/// </summary>
public sealed class StoreWriter : IPacketWriter
{
    private const ulong NanosecondsPerSecond = 1_000_000_000;
    private const long ResumeFreeBytes = 4 << 20;
    private const int MacAddressesSize = 12;
    private const ushort EthP8021Q = 0x8100;

    private readonly StoreOptions _o;
    private readonly ILogger _logger;
    private readonly StoreLock _writerLock;
    private readonly IndexBuilder _index = new();
    private readonly Dictionary<int, ulong> _drops = [];
    private IPacketWriter? _current;
    private GuardedStream? _stream;
    private string _partPath = "";
    private string _finalPath = "";
    private ulong _intervalEndNs;
    private ulong _lastNs;
    private long _packetsInFile;
    private long _closedPackets;
    private long _closedBytes;
    private bool _diskFull;
    private long _nextRetryTicks;
    private long _droppedThisOutage;
    private bool _disposed;

    /// <exception cref="ArgumentException">The options cannot work (<see cref="StoreOptions.Validate"/>).</exception>
    /// <exception cref="IOException">The store cannot be used, or another capture of this name writes to it.</exception>
    public StoreWriter(StoreOptions options, StoreStatistics statistics, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _o = options;
        Statistics = statistics ?? throw new ArgumentNullException(nameof(statistics));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        try
        {
            Directory.CreateDirectory(options.Directory);
            _writerLock = StoreLock.TryWriter(options.Directory, options.CaptureName)
                ?? throw new IOException($"another capture named '{options.CaptureName}' is writing to {options.Directory} (it holds {StoreFileName.WriterLock(options.CaptureName)}): give this one another --store-name");
        }
        catch (UnauthorizedAccessException e)
        {
            throw new IOException($"cannot write to the store {options.Directory}: {e.Message}", e);
        }

        try
        {
            Recovery.Run(options, Statistics, logger);
            Retention.Run(options, Statistics, Reserve(options), logger);
        }
        catch
        {
            _writerLock.Dispose();
            throw;
        }

        Log.Opened(logger, options.Directory, (int)Statistics.FilesInStore, Statistics.BytesInStore, options.CaptureName, options.Extension, options.RotateBytes,
            options.RotateSeconds > 0 ? $" or {options.RotateSeconds} s (aligned to the clock)" : "", DescribeRetention(options));
    }

    public StoreStatistics Statistics { get; }

    public long PacketsWritten => _closedPackets + (_current?.PacketsWritten ?? 0);

    public long BytesWritten => _closedBytes + (_current?.BytesWritten ?? 0);

    /// <summary>The file being written (its hidden name), or "" between files.</summary>
    public string CurrentPath => _partPath;

    public void Write(in CapturedPacket packet)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ulong ts = packet.TimestampNs;
        if (_diskFull && !TryResume())
        {
            DropForDiskFull(1);
            return;
        }

        if (_current is not null)
        {
            if (_o.RotateSeconds > 0 && ts >= _intervalEndNs)
            {
                Close(retention: true);
                if (_diskFull)
                {
                    DropForDiskFull(1);
                    return;
                }

                Open(ts - (ts % IntervalNs), ts);
            }
            else if (_packetsInFile > 0 && _current.BytesWritten + packet.Length + 64 > _o.RotateBytes)
            {
                Close(retention: true);
                if (_diskFull)
                {
                    DropForDiskFull(1);
                    return;
                }
            }
        }

        if (_current is null)
        {
            Open(ts, ts);
            if (_current is null)
            {
                DropForDiskFull(1);
                return;
            }
        }

        long offset = _current.BytesWritten;
        try
        {
            _current.Write(packet);
        }
        catch (IOException e) when (FileSystem.IsDiskFull(e))
        {
            OnDiskFull();
            DropForDiskFull(1);
            return;
        }

        _packetsInFile++;
        _lastNs = ts;
        if (_o.Index)
        {
            _index.Add(Key(packet), ts, offset, packet.WireLength + (HasTag(packet) ? 4u : 0u));
        }
    }

    /// <summary>
    /// The wall-clock side, called from the capture thread now and then (the capture loop's
    /// progress tick): completes a live capture's file a second after its interval ended when
    /// no packet came to do it, and retries a full disk.
    /// </summary>
    public void Tick()
    {
        if (_disposed)
        {
            return;
        }

        if (_diskFull)
        {
            _ = TryResume();
            return;
        }

        ulong now = _o.ClockNs();
        if (_current is not null && _o.RotateSeconds > 0 && now >= _intervalEndNs + NanosecondsPerSecond
            && _lastNs + IntervalNs + (2 * NanosecondsPerSecond) >= now)
        {
            Close(retention: true);
        }
    }

    public void Flush()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        try
        {
            _current?.Flush();
        }
        catch (IOException e) when (FileSystem.IsDiskFull(e))
        {
            OnDiskFull();
        }
    }

    public void SetInterfaceDrops(int ifindex, ulong drops)
    {
        _drops[ifindex] = drops;
        _current?.SetInterfaceDrops(ifindex, drops);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        try
        {
            if (_current is not null)
            {
                Close(retention: true);
            }
        }
        finally
        {
            _disposed = true;
            _writerLock.Dispose();
        }
    }

    /// <summary>
    /// Room a deletion pass keeps for the file about to be written: a whole file, and an eighth
    /// more for its index (an index takes 2-3% of its file for typical traffic: docs/performance.md).
    /// </summary>
    private static long Reserve(StoreOptions o) => o.RotateBytes + (o.RotateBytes / 8);

    private ulong IntervalNs => (ulong)_o.RotateSeconds * NanosecondsPerSecond;

    /// <summary>Opens the next file, named for <paramref name="nameNs"/>; on a full disk, enters the disk-full state instead.</summary>
    private void Open(ulong nameNs, ulong packetNs)
    {
        string name = StoreFileName.DataName(nameNs, _o.CaptureName, _o.Extension);
        for (int n = 1; File.Exists(Path.Combine(_o.Directory, name)) || File.Exists(Path.Combine(_o.Directory, StoreFileName.Hidden(name))); n++)
        {
            name = StoreFileName.DataName(nameNs, _o.CaptureName, _o.Extension, n);
        }

        _finalPath = Path.Combine(_o.Directory, name);
        _partPath = Path.Combine(_o.Directory, StoreFileName.Hidden(name));
        _intervalEndNs = _o.RotateSeconds > 0 ? packetNs - (packetNs % IntervalNs) + IntervalNs : ulong.MaxValue;
        _packetsInFile = 0;
        _index.Clear();
        try
        {
            var file = new FileStream(_partPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete, bufferSize: 0);
            _stream = new GuardedStream(file);
            _current = _o.Format == CaptureFileFormat.PcapNg
                ? new PcapNgWriter(_stream, _o.Snaplen, _o.LinkType, _o.InterfaceName, leaveOpen: true)
                : new PcapWriter(_stream, _o.Snaplen, _o.LinkType, leaveOpen: true);
            foreach ((int ifindex, ulong drops) in _drops)
            {
                _current.SetInterfaceDrops(ifindex, drops);
            }

            _current.Flush();
        }
        catch (IOException e) when (FileSystem.IsDiskFull(e))
        {
            OnDiskFull();
        }
    }

    /// <summary>Completes the current file: flush, fsync, rename, index; then the deletion pass.</summary>
    private void Close(bool retention)
    {
        IPacketWriter w = _current!;
        GuardedStream s = _stream!;
        try
        {
            w.Dispose();
        }
        catch (IOException e) when (FileSystem.IsDiskFull(e))
        {
            OnDiskFull();
            return;
        }

        _current = null;
        _stream = null;
        long size;
        try
        {
            s.File.Flush(flushToDisk: true);
            size = s.File.Length;
        }
        catch (IOException e) when (FileSystem.IsDiskFull(e))
        {
            _current = w;
            _stream = s;
            OnDiskFull();
            return;
        }

        s.File.Dispose();
        FileSystem.Rename(_partPath, _finalPath);
        FileSystem.SyncDirectory(_o.Directory);
        _closedPackets += w.PacketsWritten;
        _closedBytes += size;
        Statistics.FileWritten(size);
        string closed = _finalPath;
        _partPath = "";
        if (_o.Index)
        {
            try
            {
                long indexSize = IndexFile.Write(closed, (ulong)size, _o.LinkType, _o.Format == CaptureFileFormat.PcapNg ? IndexFormat.FormatPcapNg : IndexFormat.FormatPcap,
                    _index.FirstNs, _index.LastNs, _index.Packets, _index.Snapshot());
                Statistics.IndexWritten(_index.Flows, indexSize);
            }
            catch (IOException e) when (FileSystem.IsDiskFull(e))
            {
                Log.IndexFailed(_logger, Path.GetFileName(closed), e.Message);
            }
        }

        _index.Clear();
        if (retention)
        {
            Retention.Run(_o, Statistics, Reserve(_o), _logger);
        }
    }

    /// <summary>
    /// The file system is full: cut the current file (if any) back to its last whole record and
    /// complete it; every packet handed to it past the cut is a disk-full drop; then drop until
    /// <see cref="TryResume"/> finds room.
    /// </summary>
    private void OnDiskFull()
    {
        Statistics.DiskFull();
        _diskFull = true;
        _nextRetryTicks = 0;
        _droppedThisOutage = 0;
        IPacketWriter? w = _current;
        GuardedStream? s = _stream;
        _current = null;
        _stream = null;
        long kept = 0;
        if (w is not null && s is not null)
        {
            long handed = w.PacketsWritten;
            try
            {
                w.Dispose(); // the guarded stream takes no more bytes: nothing is written
            }
            catch (IOException)
            {
            }

            long keep = 0;
            try
            {
                using (CaptureFileReader reader = CaptureFileReader.Open(s.File.SafeFileHandle))
                {
                    keep = reader.FirstRecord;
                    foreach (FileRecord r in reader.Records())
                    {
                        keep = r.Next;
                        kept++;
                    }
                }
            }
            catch (InvalidDataException)
            {
                kept = 0;
            }

            s.File.SetLength(kept > 0 ? keep : 0);
            try
            {
                s.File.Flush(flushToDisk: true);
            }
            catch (IOException)
            {
            }

            s.File.Dispose();
            DropForDiskFull(handed - kept);
            _closedPackets += kept;
            if (kept > 0)
            {
                FileSystem.Rename(_partPath, _finalPath);
                FileSystem.SyncDirectory(_o.Directory);
                _closedBytes += keep;
                Statistics.FileWritten(keep);
                if (_o.Index)
                {
                    try
                    {
                        Recovery.WriteIndex(_finalPath, Statistics);
                    }
                    catch (IOException e) when (FileSystem.IsDiskFull(e))
                    {
                        Log.IndexFailed(_logger, Path.GetFileName(_finalPath), e.Message);
                    }
                }
            }
            else
            {
                File.Delete(_partPath);
            }
        }
        else if (_partPath.Length > 0)
        {
            File.Delete(_partPath);
        }

        Log.DiskFull(_logger, Path.GetFileName(_finalPath), kept);
        _partPath = "";
        _index.Clear();
    }

    /// <summary>At most once a second: the deletion pass, then writing resumes if the file system has room.</summary>
    private bool TryResume()
    {
        long now = Environment.TickCount64;
        if (now < _nextRetryTicks)
        {
            return false;
        }

        _nextRetryTicks = now + 1000;
        try
        {
            Retention.Run(_o, Statistics, Reserve(_o), _logger);
        }
        catch (IOException)
        {
        }

        ulong available = FileSystem.Space(_o.Directory).Available;
        if (available < (ulong)Math.Max(ResumeFreeBytes, Math.Min(_o.RotateBytes, 64L << 20)))
        {
            return false;
        }

        Log.DiskFullOver(_logger, available, _droppedThisOutage);
        _diskFull = false;
        return true;
    }

    private void DropForDiskFull(long packets)
    {
        if (packets > 0)
        {
            Statistics.DiskFullDropped(packets);
            _droppedThisOutage += packets;
        }
    }

    private bool HasTag(in CapturedPacket p) => p.HasVlan && _o.LinkType == PcapFormat.LinkTypeEthernet && p.Length >= MacAddressesSize;

    /// <summary>The packet's flow key, from its bytes as the file holds them (a VLAN tag from skb metadata put back after the MACs).</summary>
    private FlowKey Key(in CapturedPacket p)
    {
        Span<byte> header = stackalloc byte[FlowKey.MaxHeaderBytes];
        int n = Math.Min(p.Length, FlowKey.MaxHeaderBytes);
        if (!HasTag(p))
        {
            p.CopyTo(0, header[..n]);
            return FlowKey.Parse(header[..n]);
        }

        p.CopyTo(0, header[..MacAddressesSize]);
        BinaryPrimitives.WriteUInt16BigEndian(header[12..], p.VlanProto != 0 ? p.VlanProto : EthP8021Q);
        BinaryPrimitives.WriteUInt16BigEndian(header[14..], p.VlanTci);
        int rest = Math.Min(p.Length - MacAddressesSize, FlowKey.MaxHeaderBytes - 16);
        p.CopyTo(MacAddressesSize, header.Slice(16, rest));
        return FlowKey.Parse(header[..(16 + rest)]);
    }

    private static string DescribeRetention(StoreOptions o)
    {
        var parts = new List<string>();
        if (o.RetainBytes > 0)
        {
            parts.Add($"at most {o.RetainBytes} bytes");
        }

        if (o.RetainFreeBytes > 0)
        {
            parts.Add($"at least {o.RetainFreeBytes} bytes free");
        }

        if (o.RetainFreePercent > 0)
        {
            parts.Add($"at least {o.RetainFreePercent}% free");
        }

        if (o.RetainAge is TimeSpan age)
        {
            parts.Add($"files younger than {age}");
        }

        return parts.Count == 0 ? "none (keeps everything)" : string.Join(", ", parts);
    }
}
