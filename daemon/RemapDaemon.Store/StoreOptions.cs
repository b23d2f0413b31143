using RemapDaemon.Output;
using RemapDaemon.Output.Pcap;
using RemapDaemon.Output.PcapNg;
using RemapDaemon.Protocol;

namespace RemapDaemon.Store;

/// <summary>A capture into a store (remapd capture --store DIR ...), checked by <see cref="Validate"/>.</summary>
public sealed record StoreOptions
{
    /// <summary>The store directory (created if missing).</summary>
    public required string Directory { get; init; }

    /// <summary>This capture's name in the store's file names (--store-name; the interface by default).</summary>
    public required string CaptureName { get; init; }

    public CaptureFileFormat Format { get; init; } = CaptureFileFormat.Pcap;

    public uint Snaplen { get; init; }

    public uint LinkType { get; init; } = PcapFormat.LinkTypeEthernet;

    /// <summary>A file is closed before a packet would take it past this many bytes (one packet alone may exceed it).</summary>
    public long RotateBytes { get; init; } = 64_000_000;

    /// <summary>A file per interval of this many seconds, aligned to the clock (60: each starts at :00); 0: by size only.</summary>
    public int RotateSeconds { get; init; }

    /// <summary>Capture files, indexes and part files of the store take at most this many bytes; 0: no limit.</summary>
    public long RetainBytes { get; init; }

    /// <summary>Keep at least this many bytes free on the file system; 0: no limit.</summary>
    public long RetainFreeBytes { get; init; }

    /// <summary>Keep at least this percentage of the file system free; 0: no limit.</summary>
    public double RetainFreePercent { get; init; }

    /// <summary>Delete files that ended longer ago than this; null: no limit.</summary>
    public TimeSpan? RetainAge { get; init; }

    /// <summary>Write an index beside each file.</summary>
    public bool Index { get; init; } = true;

    /// <summary>pcapng if_name for an ifindex.</summary>
    public Func<int, string?>? InterfaceName { get; init; }

    /// <summary>CLOCK_REALTIME in ns (tests replace it).</summary>
    public Func<ulong> ClockNs { get; init; } = () => (ulong)(DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;

    public string Extension => Format == CaptureFileFormat.PcapNg ? ".pcapng" : ".pcap";

    /// <summary>Refuses what cannot work, with a message naming the option.</summary>
    /// <exception cref="ArgumentException">The message says which option and why.</exception>
    public void Validate()
    {
        if (string.IsNullOrEmpty(Directory))
        {
            throw new ArgumentException("--store: a directory is needed");
        }

        if (!StoreFileName.IsValidCaptureName(CaptureName))
        {
            throw new ArgumentException($"--store-name '{CaptureName}': letters, digits and . _ @ : + - only, at most 64, not starting with '.'");
        }

        if (RotateBytes < 4096)
        {
            throw new ArgumentException($"--rotate-size {RotateBytes}: at least 4096 bytes");
        }

        if (RotateSeconds < 0)
        {
            throw new ArgumentException("--rotate-seconds: 0 or more");
        }

        if (RetainBytes < 0 || RetainFreeBytes < 0 || RetainFreePercent is < 0 or >= 100 || RetainAge < TimeSpan.Zero)
        {
            throw new ArgumentException("--retain-bytes, --retain-free and --retain-age take positive values (--retain-free below 100%)");
        }

        if (RetainBytes > 0 && RetainBytes < RotateBytes)
        {
            throw new ArgumentException(
                $"--retain-bytes {RetainBytes} cannot hold one file of --rotate-size {RotateBytes}: give --retain-bytes at least --rotate-size (twice as much keeps a complete file while the next is written)");
        }
    }
}
