using RemapDaemon.Output.Pcap;
using RemapDaemon.Output.PcapNg;

namespace RemapDaemon.Output;

/// <summary>Opens the writer that <see cref="CaptureFileOptions"/> describe.</summary>
public static class CaptureOutput
{
    /// <summary>The -w argument meaning stdout.</summary>
    public const string StdoutPath = "-";

    /// <summary>tcpdump's -C unit: 1,000,000 bytes (not MiB).</summary>
    public const long RotateSizeUnit = 1_000_000;

    /// <summary>
    /// A <see cref="RotatingWriter"/> when -C, -G or -W is given, else one file, or stdout for
    /// "-" (so that <c>remapd -w - | tcpdump -r -</c> works).
    /// </summary>
    /// <param name="stdout">Opens stdout; <see cref="Console.OpenStandardOutput()"/> by default.</param>
    /// <exception cref="ArgumentException">Rotation asked for stdout, -W without -C or -G, or a negative value; the message says which.</exception>
    public static IPacketWriter Open(CaptureFileOptions options, Func<Stream>? stdout = null)
    {
        Validate(options);
        if (options.Path == StdoutPath)
        {
            return OpenWriter(options, (stdout ?? Console.OpenStandardOutput)());
        }

        return options.Rotates ? new RotatingWriter(options) : OpenWriter(options, File.Create(options.Path));
    }

    /// <summary>Checks the combination of options as tcpdump would, with a message naming them.</summary>
    /// <exception cref="ArgumentException">See <see cref="Open"/>.</exception>
    public static void Validate(CaptureFileOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrEmpty(options.Path))
        {
            throw new ArgumentException("an output file is needed (-w FILE, or -w - for stdout)", nameof(options));
        }

        if (options.RotateBytes < 0 || options.RotateSeconds < 0 || options.FileCount < 0)
        {
            throw new ArgumentException("-C, -G and -W take positive numbers", nameof(options));
        }

        if (options.Path == StdoutPath && options.Rotates)
        {
            throw new ArgumentException("output to stdout (-w -) cannot be rotated: -C, -G and -W need a file name", nameof(options));
        }

        if (options.FileCount != 0 && options.RotateBytes == 0 && options.RotateSeconds == 0)
        {
            throw new ArgumentException("-W (file count) needs -C (size) or -G (seconds) to rotate", nameof(options));
        }

        if (options.RotateSeconds > 0 && options.Path.Contains('%', StringComparison.Ordinal))
        {
            // Throws the ArgumentException that names the problem (empty or too long a name).
            _ = StrftimeFileName.Format(options.Path, options.StartTimeNs != 0 ? options.StartTimeNs : 1);
        }

        if (options.Snaplen > PcapFormat.MaximumSnaplen)
        {
            throw new ArgumentException($"snaplen {options.Snaplen} is above {PcapFormat.MaximumSnaplen}", nameof(options));
        }
    }

    /// <summary>A single-file writer of the format on <paramref name="stream"/>, which it owns.</summary>
    internal static IPacketWriter OpenWriter(CaptureFileOptions options, Stream stream) => options.Format switch
    {
        CaptureFileFormat.Pcap => new PcapWriter(stream, options.Snaplen, options.LinkType),
        CaptureFileFormat.PcapNg => new PcapNgWriter(stream, options.Snaplen, options.LinkType, options.InterfaceName),
        _ => throw new ArgumentOutOfRangeException(nameof(options), options.Format, "unknown capture file format"),
    };
}
