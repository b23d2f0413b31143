using System.Buffers.Binary;

namespace RemapDaemon.Fleet.Hub;

/// <summary>
/// Reads a classic pcap file front to back from a <see cref="Stream"/> that cannot seek (an
/// extract fetched chunk by chunk): either byte order, microsecond or nanosecond magic, as
/// libpcap's sf-pcap.c reads them. Every length is checked before it is used. A stream that
/// ends between records is the end; one that ends inside a header or a packet is an error.
/// Not thread-safe; the packet it returns is valid until the next <see cref="TryRead"/>.
/// </summary>
public sealed class PcapStreamReader
{
    private const uint MagicMicroseconds = 0xa1b2c3d4;
    private const uint MagicNanoseconds = 0xa1b23c4d;
    private const int FileHeaderSize = 24;
    private const int RecordHeaderSize = 16;

    /// <summary>Larger than any snaplen a writer uses (libpcap refuses records above 256 KiB for most link types; 16 MiB is a hard stop).</summary>
    private const uint MaxRecord = 16 * 1024 * 1024;

    private readonly Stream _input;
    private readonly string _name;
    private readonly bool _bigEndian;
    private readonly bool _nanoseconds;
    private byte[] _data = new byte[2048];

    /// <summary>Reads the file header.</summary>
    /// <param name="name">What the stream is, for error messages ("host h1's extract").</param>
    /// <exception cref="InvalidDataException">Not a pcap file, or cut short in its header.</exception>
    public PcapStreamReader(Stream input, string name)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(name);
        _input = input;
        _name = name;
        Span<byte> h = stackalloc byte[FileHeaderSize];
        if (Fill(h) != FileHeaderSize)
        {
            throw new InvalidDataException($"{name}: not a pcap file (shorter than its header)");
        }

        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(h);
        (_bigEndian, _nanoseconds) = magic switch
        {
            MagicMicroseconds => (false, false),
            MagicNanoseconds => (false, true),
            _ when BinaryPrimitives.ReverseEndianness(magic) == MagicMicroseconds => (true, false),
            _ when BinaryPrimitives.ReverseEndianness(magic) == MagicNanoseconds => (true, true),
            _ => throw new InvalidDataException($"{name}: not a pcap file (magic 0x{magic:x8})"),
        };
        Snaplen = U32(h[16..]);
        LinkType = U32(h[20..]) & 0x0fff_ffff; // the upper bits are FCS flags (LT_FCS_*)
    }

    public uint LinkType { get; }

    public uint Snaplen { get; }

    /// <summary>The current packet's time, ns since the epoch.</summary>
    public ulong TimestampNs { get; private set; }

    public uint WireLength { get; private set; }

    /// <summary>The current packet's captured bytes.</summary>
    public ReadOnlyMemory<byte> Data { get; private set; }

    public long PacketsRead { get; private set; }

    /// <summary>Moves to the next packet; false at the end of the stream.</summary>
    /// <exception cref="InvalidDataException">A record cut short, or longer than any pcap record can be.</exception>
    public bool TryRead()
    {
        Span<byte> r = stackalloc byte[RecordHeaderSize];
        int got = Fill(r);
        if (got == 0)
        {
            return false;
        }

        if (got != RecordHeaderSize)
        {
            throw new InvalidDataException($"{_name}: cut short in the header of packet {PacketsRead + 1}");
        }

        uint seconds = U32(r);
        uint fraction = U32(r[4..]);
        uint caplen = U32(r[8..]);
        uint wirelen = U32(r[12..]);
        if (caplen > MaxRecord)
        {
            throw new InvalidDataException($"{_name}: packet {PacketsRead + 1} claims {caplen} bytes");
        }

        if (_data.Length < caplen)
        {
            _data = new byte[Math.Max(caplen, (uint)_data.Length * 2)];
        }

        if (Fill(_data.AsSpan(0, (int)caplen)) != caplen)
        {
            throw new InvalidDataException($"{_name}: cut short in packet {PacketsRead + 1}");
        }

        TimestampNs = ((ulong)seconds * 1_000_000_000) + (_nanoseconds ? fraction : (ulong)fraction * 1000);
        WireLength = Math.Max(wirelen, caplen);
        Data = _data.AsMemory(0, (int)caplen);
        PacketsRead++;
        return true;
    }

    private uint U32(ReadOnlySpan<byte> b) => _bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(b) : BinaryPrimitives.ReadUInt32LittleEndian(b);

    /// <summary>Reads until <paramref name="buffer"/> is full or the stream ends; the bytes read.</summary>
    private int Fill(Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = _input.Read(buffer[total..]);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }
}
