using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using RemapDaemon.Cli;
using RemapDaemon.Device;
using RemapDaemon.Output;
using RemapDaemon.Remapd.Cli;
using RemapDaemon.Store;

namespace RemapDaemon.Remapd.Commands;

/// <summary>The store side of remapd capture: --store and its options as a checked <see cref="StoreOptions"/>, and the writer.</summary>
internal static class StoreCapture
{
    /// <summary>The options, or null without --store; any store option without --store, or -w with it, is a usage error.</summary>
    internal static StoreOptions? From(CaptureOptions o)
    {
        if (o.Store is null)
        {
            string? stray = o.StoreName is not null ? "--store-name" : o.RotateSize is not null ? "--rotate-size" : o.RetainBytes is not null ? "--retain-bytes"
                : o.RetainFree is not null ? "--retain-free" : o.RetainAge is not null ? "--retain-age" : o.NoIndex ? "--no-index" : null;
            if (stray is not null)
            {
                throw Usage($"{stray} is an option of a capture into a store: give --store DIR");
            }

            return null;
        }

        if (o.Write.Length > 0)
        {
            throw Usage("-w and --store: give one of them (--store writes its own file names)");
        }

        if (o.FileSizeMb != 0 || o.FileCount != 0)
        {
            throw Usage("-C and -W are for -w; a store rotates by --rotate-size and keeps files by --retain-bytes, --retain-free, --retain-age");
        }

        CaptureFileFormat format = o.Format switch
        {
            null or "pcap" => CaptureFileFormat.Pcap,
            "pcapng" => CaptureFileFormat.PcapNg,
            _ => throw Usage($"--format {o.Format}: not a format (pcap or pcapng)"),
        };

        long Size(string option, string? value, long fallback) =>
            value is null ? fallback : StoreArguments.Size(value) ?? throw Usage($"{option} {value}: a size in bytes (e.g. 4096, 64M, 1Gi)");

        long retainFreeBytes = 0;
        double retainFreePercent = 0;
        if (o.RetainFree is string free)
        {
            if (free.EndsWith('%'))
            {
                retainFreePercent = double.TryParse(free[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out double pct) && pct is >= 0 and < 100
                    ? pct : throw Usage($"--retain-free {free}: a percentage below 100% (e.g. 10%) or a size");
            }
            else
            {
                retainFreeBytes = Size("--retain-free", free, 0);
            }
        }

        var names = new ConcurrentDictionary<int, string?>();
        var options = new StoreOptions
        {
            Directory = Path.GetFullPath(o.Store),
            CaptureName = o.StoreName ?? o.Interface,
            Format = format,
            Snaplen = o.Snaplen,
            RotateBytes = Size("--rotate-size", o.RotateSize, 64_000_000),
            RotateSeconds = o.RotateSeconds,
            RetainBytes = Size("--retain-bytes", o.RetainBytes, 0),
            RetainFreeBytes = retainFreeBytes,
            RetainFreePercent = retainFreePercent,
            RetainAge = o.RetainAge is null ? null : StoreArguments.Duration(o.RetainAge) ?? throw Usage($"--retain-age {o.RetainAge}: a duration (90s, 30m, 12h, 7d)"),
            Index = !o.NoIndex,
            InterfaceName = ifindex => names.GetOrAdd(ifindex, NetworkInterfaces.TryNameOf),
        };

        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw Usage(e.Message);
        }

        return options;
    }

    /// <summary>Opens the store (recovery and the first deletion pass run here); an unusable store is a clear error.</summary>
    internal static StoreWriter Open(StoreOptions options, StoreStatistics statistics, ILogger logger)
    {
        try
        {
            return new StoreWriter(options, statistics, logger);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CommandException(ExitCode.RuntimeError, $"cannot capture into the store {options.Directory}: {e.Message}");
        }
    }

    /// <summary>The summary's store lines.</summary>
    internal static IEnumerable<string> Summary(StoreOptions o, StoreStatistics s)
    {
        yield return string.Create(CultureInfo.InvariantCulture,
            $"store {o.Directory}: {s.FilesWritten} files written ({s.BytesWritten} bytes); the store now holds {s.FilesInStore} files, {s.BytesInStore} bytes; " +
            $"deleted {s.DeletedForBytes} for --retain-bytes, {s.DeletedForFree} for --retain-free, {s.DeletedForAge} for --retain-age " +
            $"({s.PacketsDeleted} packets, {s.BytesDeleted} bytes), {s.BusySkipped} passed over while a query read them; " +
            $"{s.IndexesWritten} indexes ({s.IndexFlowRecords} flow records, {s.IndexBytes} bytes); {s.FilesRecovered} files recovered");
        if (s.DiskFullDrops > 0 || s.DiskFullEvents > 0)
        {
            yield return string.Create(CultureInfo.InvariantCulture,
                $"lost {s.DiskFullDrops} packets: disk full (the file system was full {s.DiskFullEvents} times; each time the file was closed at its last whole packet and writing resumed when there was room)");
        }
    }

    private static CommandException Usage(string message) => new(ExitCode.Usage, message);
}
