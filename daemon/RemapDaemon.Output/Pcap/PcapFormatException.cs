namespace RemapDaemon.Output.Pcap;

/// <summary>A pcap file that cannot be read: bad magic, an insane length, or a truncated header or record.</summary>
public sealed class PcapFormatException : Exception
{
    public PcapFormatException()
    {
    }

    public PcapFormatException(string message)
        : base(message)
    {
    }

    public PcapFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Byte offset in the file of the header or record that failed; -1 if unknown.</summary>
    public long FileOffset { get; init; } = -1;
}
