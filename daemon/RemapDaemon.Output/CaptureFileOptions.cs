using RemapDaemon.Output.Pcap;

namespace RemapDaemon.Output;

/// <summary>The file format written.</summary>
public enum CaptureFileFormat
{
    /// <summary>Classic pcap, nanosecond magic (<see cref="PcapWriter"/>).</summary>
    Pcap,

    /// <summary>pcapng (<see cref="PcapNgWriter"/>).</summary>
    PcapNg,
}

/// <summary>
/// Where and how captured packets are written, as tcpdump's -w, -C, -G and -W give it;
/// <see cref="CaptureOutput.Open"/> turns it into a writer.
/// </summary>
public sealed record CaptureFileOptions
{
    /// <summary>The path given with -w; <see cref="CaptureOutput.StdoutPath"/> ("-") for stdout.</summary>
    public required string Path { get; init; }

    public CaptureFileFormat Format { get; init; } = CaptureFileFormat.Pcap;

    /// <summary>The files' snaplen; 0 for whole packets (<see cref="PcapFormat.MaximumSnaplen"/>).</summary>
    public uint Snaplen { get; init; }

    public uint LinkType { get; init; } = PcapFormat.LinkTypeEthernet;

    /// <summary>
    /// -C: start a new file before writing a packet once the current one is larger than this
    /// many bytes (tcpdump's -C N is N * <see cref="CaptureOutput.RotateSizeUnit"/>); 0: never.
    /// </summary>
    public long RotateBytes { get; init; }

    /// <summary>
    /// -G: start a new file before writing a packet stamped this many seconds or more after the
    /// start of the current interval; the -w name is then a strftime(3) format (<see cref="RotatingWriter"/>). 0: never.
    /// </summary>
    public int RotateSeconds { get; init; }

    /// <summary>
    /// -W: with -C, at most this many files, their names reused in a ring; with -G alone, stop
    /// after this many files (as tcpdump). 0: no limit. Needs -C or -G.
    /// </summary>
    public int FileCount { get; init; }

    /// <summary>
    /// When the capture started (CLOCK_REALTIME, nanoseconds since the epoch): the start of the
    /// first -G interval, whose time names the first file. 0: when the writer opens.
    /// </summary>
    public ulong StartTimeNs { get; init; }

    /// <summary>pcapng if_name for an ifindex (remapd: RemapDaemon.Device.NetworkInterfaces.TryNameOf); null: no names.</summary>
    public Func<int, string?>? InterfaceName { get; init; }

    /// <summary>Whether any of -C, -G, -W was given.</summary>
    public bool Rotates => RotateBytes != 0 || RotateSeconds != 0 || FileCount != 0;
}
