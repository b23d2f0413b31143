using System.Buffers.Binary;

namespace RemapDaemon.Output.Pcap;

/// <summary>
/// Reads classic pcap files: microsecond and nanosecond magic, written in either byte order.
/// Strict: anything a correct writer does not produce (unknown magic, major version other
/// than 2, snaplen 0 or absurd, caplen above snaplen or wirelen, a fraction of a second that
/// is not one, a file that ends inside a header or record) is a <see cref="PcapFormatException"/>
/// naming the byte offset. For tests and tools, not the capture path: it allocates per record.
/// </summary>
public sealed class PcapReader : IDisposable
{
    /// <summary>Largest snaplen accepted in a file header; records are allocated by their caplen.</summary>
    public const uint MaxSnaplen = 64 * 1024 * 1024;

    private readonly Stream _input;
    private readonly bool _leaveOpen;
    private readonly byte[] _recordHeader = new byte[PcapFormat.RecordHeaderSize];
    private long _offset;

    /// <exception cref="PcapFormatException">The file header is truncated or not a pcap header.</exception>
    public PcapReader(Stream input, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(input);
        _input = input;
        _leaveOpen = leaveOpen;

        Span<byte> h = stackalloc byte[PcapFormat.FileHeaderSize];
        int got = ReadFully(h);
        if (got < PcapFormat.FileHeaderSize)
        {
            throw Error($"truncated file header: {got} of {PcapFormat.FileHeaderSize} bytes", 0);
        }

        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(h);
        (Nanosecond, BigEndian) = magic switch
        {
            PcapFormat.MagicMicroseconds => (false, false),
            PcapFormat.MagicNanoseconds => (true, false),
            0xd4c3b2a1 => (false, true),
            0x4d3cb2a1 => (true, true),
            _ => throw Error($"bad magic 0x{magic:x8}: not a pcap file", 0),
        };

        VersionMajor = U16(h[4..]);
        VersionMinor = U16(h[6..]);
        if (VersionMajor != PcapFormat.VersionMajor)
        {
            throw Error($"unsupported version {VersionMajor}.{VersionMinor}", 4);
        }

        Snaplen = U32(h[16..]);
        if (Snaplen == 0 || Snaplen > MaxSnaplen)
        {
            throw Error($"insane snaplen {Snaplen}", 16);
        }

        LinkType = U32(h[20..]);
        _offset = PcapFormat.FileHeaderSize;
    }

    /// <summary>Timestamps in the file are nanoseconds (else microseconds).</summary>
    public bool Nanosecond { get; }

    /// <summary>The file was written on a big-endian host.</summary>
    public bool BigEndian { get; }

    public ushort VersionMajor { get; }

    public ushort VersionMinor { get; }

    public uint Snaplen { get; }

    /// <summary>The link-type field as stored (LINKTYPE_* in the low 16 bits).</summary>
    public uint LinkType { get; }

    /// <summary>The next record; false at a clean end of file (between records).</summary>
    /// <exception cref="PcapFormatException">A truncated or insane record.</exception>
    public bool TryReadNext(out PcapRecord record)
    {
        record = null!;
        long at = _offset;
        int got = ReadFully(_recordHeader);
        if (got == 0)
        {
            return false;
        }

        if (got < PcapFormat.RecordHeaderSize)
        {
            throw Error($"truncated record header: {got} of {PcapFormat.RecordHeaderSize} bytes", at);
        }

        uint seconds = U32(_recordHeader);
        uint fraction = U32(_recordHeader.AsSpan(4));
        uint caplen = U32(_recordHeader.AsSpan(8));
        uint wirelen = U32(_recordHeader.AsSpan(12));

        uint fractionLimit = Nanosecond ? 1_000_000_000u : 1_000_000u;
        if (fraction >= fractionLimit)
        {
            throw Error($"timestamp fraction {fraction} is not below {fractionLimit}", at);
        }

        if (caplen > Snaplen)
        {
            throw Error($"insane caplen {caplen}: exceeds snaplen {Snaplen}", at);
        }

        if (caplen > wirelen)
        {
            throw Error($"insane caplen {caplen}: exceeds wire length {wirelen}", at);
        }

        var data = new byte[caplen];
        got = ReadFully(data);
        if (got < caplen)
        {
            throw Error($"truncated record: {got} of {caplen} data bytes", at);
        }

        ulong ns = ((ulong)seconds * 1_000_000_000UL) + (Nanosecond ? fraction : fraction * 1000UL);
        record = new PcapRecord(ns, caplen, wirelen, data);
        return true;
    }

    /// <summary>All remaining records.</summary>
    public IEnumerable<PcapRecord> ReadAll()
    {
        while (TryReadNext(out PcapRecord record))
        {
            yield return record;
        }
    }

    /// <summary>Reads a whole file.</summary>
    public static List<PcapRecord> ReadFile(string path)
    {
        using var reader = new PcapReader(File.OpenRead(path));
        var records = new List<PcapRecord>();
        while (reader.TryReadNext(out PcapRecord record))
        {
            records.Add(record);
        }

        return records;
    }

    public void Dispose()
    {
        if (!_leaveOpen)
        {
            _input.Dispose();
        }
    }

    private int ReadFully(Span<byte> destination)
    {
        int total = 0;
        while (total < destination.Length)
        {
            int n = _input.Read(destination[total..]);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        _offset += total;
        return total;
    }

    private ushort U16(ReadOnlySpan<byte> b) =>
        BigEndian ? BinaryPrimitives.ReadUInt16BigEndian(b) : BinaryPrimitives.ReadUInt16LittleEndian(b);

    private uint U32(ReadOnlySpan<byte> b) =>
        BigEndian ? BinaryPrimitives.ReadUInt32BigEndian(b) : BinaryPrimitives.ReadUInt32LittleEndian(b);

    private static PcapFormatException Error(string what, long offset) =>
        new($"pcap: {what} at byte {offset}") { FileOffset = offset };
}
