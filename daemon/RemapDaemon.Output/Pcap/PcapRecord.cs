namespace RemapDaemon.Output.Pcap;

/// <summary>One packet record of a pcap file, as <see cref="PcapReader"/> returns it (timestamps in nanoseconds either way).</summary>
public sealed class PcapRecord
{
    public PcapRecord(ulong timestampNs, uint capturedLength, uint wireLength, byte[] data)
    {
        TimestampNs = timestampNs;
        CapturedLength = capturedLength;
        WireLength = wireLength;
        Data = data;
    }

    /// <summary>Seconds * 1e9 + fraction, the fraction scaled to nanoseconds for a microsecond file.</summary>
    public ulong TimestampNs { get; }

    /// <summary>incl_len: the bytes present, <c>Data.Length</c>.</summary>
    public uint CapturedLength { get; }

    /// <summary>orig_len: the length on the wire.</summary>
    public uint WireLength { get; }

    public byte[] Data { get; }
}
