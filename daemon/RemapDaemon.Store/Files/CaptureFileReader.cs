using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace RemapDaemon.Store;

/// <summary>One packet record found in a capture file.</summary>
/// <param name="Offset">Where its record (pcap) or block (pcapng) starts.</param>
/// <param name="Next">Where the next record or block starts.</param>
public readonly record struct FileRecord(long Offset, long Next, ulong TimestampNs, uint CapturedLength, uint WireLength, long DataOffset);

/// <summary>
/// Reads packet records of a pcap (either magic, either byte order) or pcapng file by position,
/// with pread(2) into one buffer: sequentially (recovery, indexing, a scan) or at the positions an
/// index gives (a query). Every length is checked against the file's size before it is used: a
/// record that does not fit is the end (<see cref="TryRead"/> false), so a file cut short by a
/// crash reads as its complete records. Counts the bytes it reads (<see cref="BytesRead"/>).
/// Not thread-safe.
/// </summary>
public sealed class CaptureFileReader : IDisposable
{
    private const int Chunk = 256 * 1024;
    private const uint MaxCaplen = 256 * 1024 * 1024;

    private readonly SafeFileHandle _file;
    private readonly bool _ownsHandle;
    private readonly List<(uint LinkType, ulong UnitsPerSecond)> _interfaces = [];
    private byte[] _buffer = new byte[Chunk];
    private long _bufferAt = -1;
    private int _bufferLength;
    private bool _bigEndian;
    private bool _nanosecond;
    private long _interfacesScannedTo;
    private int _readAhead = Chunk;

    private CaptureFileReader(SafeFileHandle file, bool ownsHandle, long length)
    {
        _file = file;
        _ownsHandle = ownsHandle;
        Length = length;
    }

    /// <summary>The file's size when opened (records beyond are not read).</summary>
    public long Length { get; }

    public bool IsPcapNg { get; private set; }

    public uint LinkType { get; private set; }

    public uint Snaplen { get; private set; }

    /// <summary>Where the first record or block after the file header starts.</summary>
    public long FirstRecord { get; private set; }

    public long BytesRead { get; private set; }

    /// <summary>
    /// Bytes one pread fetches at least (4 KiB .. 256 KiB): large for a sequential scan, small
    /// when the next wanted record is far away (an index's sparse positions).
    /// </summary>
    public int ReadAhead
    {
        get => _readAhead;
        set => _readAhead = Math.Clamp(value, 4096, Chunk);
    }

    /// <summary>Opens <paramref name="file"/> (kept open by the caller unless <paramref name="ownsHandle"/>) and reads its header.</summary>
    /// <exception cref="InvalidDataException">Not a pcap or pcapng file, or its header is cut short.</exception>
    public static CaptureFileReader Open(SafeFileHandle file, bool ownsHandle = false)
    {
        ArgumentNullException.ThrowIfNull(file);
        var reader = new CaptureFileReader(file, ownsHandle, RandomAccess.GetLength(file));
        try
        {
            reader.ReadHeader();
        }
        catch
        {
            reader.Dispose();
            throw;
        }

        return reader;
    }

    public static CaptureFileReader Open(string path) =>
        Open(File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete), ownsHandle: true);

    /// <summary>
    /// The packet record at <paramref name="offset"/> (pcapng: the first packet block at or after
    /// it, other blocks passed over); false at the end of the file or at a record that does not fit in it.
    /// </summary>
    public bool TryRead(long offset, out FileRecord record, out ReadOnlySpan<byte> data)
    {
        record = default;
        data = default;
        return IsPcapNg ? TryReadBlock(offset, out record, out data) : TryReadPcap(offset, out record, out data);
    }

    /// <summary>Every record from the first, in file order; stops at the first that does not fit.</summary>
    public IEnumerable<FileRecord> Records()
    {
        long at = FirstRecord;
        while (TryRead(at, out FileRecord r, out _))
        {
            yield return r;
            at = r.Next;
        }
    }

    /// <summary>The data of a record <see cref="Records"/> returned.</summary>
    public ReadOnlySpan<byte> DataOf(in FileRecord r) => Fetch(r.DataOffset, (int)r.CapturedLength);

    public void Dispose()
    {
        if (_ownsHandle)
        {
            _file.Dispose();
        }
    }

    private void ReadHeader()
    {
        ReadOnlySpan<byte> h = Fetch(0, 24);
        if (h.Length < 24)
        {
            // An SHB is 28 bytes at least, a pcap header 24.
            throw new InvalidDataException($"{Length} bytes: shorter than a capture file header");
        }

        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(h);
        if (magic == 0x0a0d0d0a)
        {
            IsPcapNg = true;
            ReadOnlySpan<byte> shb = Fetch(0, 28);
            if (shb.Length < 28)
            {
                throw new InvalidDataException("pcapng section header cut short");
            }

            uint bom = BinaryPrimitives.ReadUInt32LittleEndian(shb[8..]);
            _bigEndian = bom switch
            {
                0x1a2b3c4d => false,
                0x4d3c2b1a => true,
                _ => throw new InvalidDataException("pcapng: bad byte-order magic"),
            };
            uint length = U32(shb[4..]);
            if (length < 28 || length % 4 != 0 || length > Length)
            {
                throw new InvalidDataException("pcapng: section header length does not fit");
            }

            FirstRecord = length;
            _interfacesScannedTo = length;
            Snaplen = 0;
            return;
        }

        (_nanosecond, _bigEndian) = magic switch
        {
            0xa1b2c3d4 => (false, false),
            0xa1b23c4d => (true, false),
            0xd4c3b2a1 => (false, true),
            0x4d3cb2a1 => (true, true),
            _ => throw new InvalidDataException($"bad magic 0x{magic:x8}: not a pcap or pcapng file"),
        };
        Snaplen = U32(h[16..]);
        LinkType = U32(h[20..]) & 0xffff;
        FirstRecord = 24;
    }

    private bool TryReadPcap(long offset, out FileRecord record, out ReadOnlySpan<byte> data)
    {
        record = default;
        data = default;
        ReadOnlySpan<byte> h = Fetch(offset, 16);
        if (h.Length < 16)
        {
            return false;
        }

        uint seconds = U32(h);
        uint fraction = U32(h[4..]);
        uint caplen = U32(h[8..]);
        uint wirelen = U32(h[12..]);
        if (caplen > MaxCaplen || (Snaplen != 0 && caplen > Math.Max(Snaplen, 262144u)) || caplen > wirelen
            || fraction >= (_nanosecond ? 1_000_000_000u : 1_000_000u) || offset + 16 + caplen > Length)
        {
            return false;
        }

        data = Fetch(offset + 16, (int)caplen);
        if (data.Length < caplen)
        {
            return false;
        }

        ulong ns = ((ulong)seconds * 1_000_000_000UL) + (_nanosecond ? fraction : fraction * 1000UL);
        record = new FileRecord(offset, offset + 16 + caplen, ns, caplen, wirelen, offset + 16);
        return true;
    }

    private bool TryReadBlock(long offset, out FileRecord record, out ReadOnlySpan<byte> data)
    {
        record = default;
        data = default;
        while (true)
        {
            ReadOnlySpan<byte> b = Fetch(offset, 8);
            if (b.Length < 8)
            {
                return false;
            }

            uint type = U32(b);
            uint length = U32(b[4..]);
            if (length < 12 || length % 4 != 0 || offset + length > Length)
            {
                return false;
            }

            if (type == 1)
            {
                RegisterInterface(offset, length);
            }
            else if (type == 6 && length >= 32)
            {
                ReadOnlySpan<byte> e = Fetch(offset, 28);
                if (e.Length < 28)
                {
                    return false;
                }

                uint id = U32(e[8..]);
                if (id >= _interfaces.Count)
                {
                    ScanInterfacesTo(offset);
                }

                if (id >= _interfaces.Count)
                {
                    return false;
                }

                ulong units = ((ulong)U32(e[12..]) << 32) | U32(e[16..]);
                uint caplen = U32(e[20..]);
                uint wirelen = U32(e[24..]);
                if (caplen > length - 32 || caplen > wirelen)
                {
                    return false;
                }

                ulong perSecond = _interfaces[(int)id].UnitsPerSecond;
                ulong ns = perSecond == 1_000_000_000 ? units : (ulong)((UInt128)units * 1_000_000_000 / perSecond);
                LinkType = _interfaces[(int)id].LinkType;
                data = Fetch(offset + 28, (int)caplen);
                if (data.Length < caplen)
                {
                    return false;
                }

                record = new FileRecord(offset, offset + length, ns, caplen, wirelen, offset + 28);
                return true;
            }

            offset += length;
        }
    }

    /// <summary>An IDB at <paramref name="offset"/>: its link type and if_tsresol, in the order of interface ids.</summary>
    private void RegisterInterface(long offset, uint length)
    {
        if (offset < _interfacesScannedTo)
        {
            return;
        }

        _interfacesScannedTo = offset + length;
        ReadOnlySpan<byte> idb = Fetch(offset, (int)Math.Min(length, 1024u));
        uint linkType = U16(idb[8..]);
        ulong perSecond = 1_000_000;
        int at = 16;
        while (at + 4 <= idb.Length - 4)
        {
            ushort code = U16(idb[at..]);
            ushort len = U16(idb[(at + 2)..]);
            if (code == 0 || at + 4 + len > idb.Length)
            {
                break;
            }

            if (code == 9 && len >= 1)
            {
                byte r = idb[at + 4];
                perSecond = (r & 0x80) != 0 ? 1UL << Math.Min(r & 0x7f, 63) : (ulong)Math.Pow(10, Math.Min(r & 0x7f, 19));
                perSecond = Math.Max(perSecond, 1);
            }

            at += 4 + ((len + 3) & ~3);
        }

        _interfaces.Add((linkType, perSecond));
        Snaplen = Math.Max(Snaplen, U32(idb[12..]));
    }

    /// <summary>Reads block headers from where the interfaces are known up to <paramref name="offset"/>, registering every IDB.</summary>
    private void ScanInterfacesTo(long offset)
    {
        long at = _interfacesScannedTo;
        while (at < offset)
        {
            ReadOnlySpan<byte> b = Fetch(at, 8);
            if (b.Length < 8)
            {
                return;
            }

            uint length = U32(b[4..]);
            if (length < 12 || length % 4 != 0 || at + length > Length)
            {
                return;
            }

            if (U32(b) == 1)
            {
                RegisterInterface(at, length);
            }

            at += length;
        }
    }

    /// <summary>Up to <paramref name="count"/> bytes at <paramref name="offset"/> (fewer at the end of the file), from the buffer or one pread.</summary>
    private ReadOnlySpan<byte> Fetch(long offset, int count)
    {
        if (offset < 0 || offset >= Length)
        {
            return default;
        }

        count = (int)Math.Min(count, Length - offset);
        if (_bufferAt >= 0 && offset >= _bufferAt && offset + count <= _bufferAt + _bufferLength)
        {
            return _buffer.AsSpan((int)(offset - _bufferAt), count);
        }

        if (_buffer.Length < count)
        {
            _buffer = new byte[count];
        }

        int want = (int)Math.Min(Math.Max(count, _readAhead), Math.Min(_buffer.Length, Length - offset));
        int got = 0;
        while (got < want)
        {
            int n = RandomAccess.Read(_file, _buffer.AsSpan(got, want - got), offset + got);
            if (n == 0)
            {
                break;
            }

            got += n;
        }

        BytesRead += got;
        _bufferAt = offset;
        _bufferLength = got;
        return _buffer.AsSpan(0, Math.Min(count, got));
    }

    private uint U32(ReadOnlySpan<byte> b) => _bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(b) : BinaryPrimitives.ReadUInt32LittleEndian(b);

    private ushort U16(ReadOnlySpan<byte> b) => _bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(b) : BinaryPrimitives.ReadUInt16LittleEndian(b);
}
