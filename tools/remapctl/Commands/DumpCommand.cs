using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using RemapDaemon.Cli;
using RemapDaemon.Device;
using RemapDaemon.Device.Errors;
using RemapDaemon.Engine;
using RemapDaemon.Protocol;
using RemapDaemon.Protocol.Abi;
using RemapDaemon.Remapctl.Cli;
using static RemapDaemon.Protocol.Abi.Skbremap;

namespace RemapDaemon.Remapctl.Commands;

/// <summary>
/// remapctl dump: a capture of its own (the module's windows belong to the process that
/// mapped them, so another process's windows cannot be read), run briefly without consuming,
/// stopped (which publishes the part-full window), then every READY window printed in sequence
/// order with its info page decoded by the daemon's own parser, one packet hexdumped, and every
/// window released.
/// </summary>
internal static class DumpCommand
{
    internal static int Run(DumpOptions o, TextWriter stdout)
    {
        if (!(o.Duration > 0 && double.IsFinite(o.Duration)))
        {
            throw new BackendUsageException("--duration", 0, "-d/--duration: seconds, more than 0");
        }

        BackendKind kind = BackendNames.Parse(o.Backend);
        CaptureSettings settings = CaptureSettingsBuilder.From(o);

        using CaptureSession session = CaptureSession.Open(BackendFactory.Open(kind), settings, NullLogger.Instance);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < o.Duration && !session.Backend.SourceDone)
        {
            session.Backend.Poll(50);
        }

        session.Stop();
        Region region = session.Region;
        skbremap_layout layout = region.Layout;
        var geometry = WindowGeometry.FromLayout(in layout);

        // The windows READY now, oldest first; status loads are acquires.
        List<(int Window, ulong Seq)> ready = [];
        for (ulong from = 0; region.TryFindOldestReady(from, out int window, out ulong seq); from = seq + 1)
        {
            ready.Add((window, seq));
        }
        try
        {
            return o.Json
                ? WriteJson(o, session, geometry, ready)
                : WriteText(o, stdout, session, geometry, ready);
        }
        finally
        {
            foreach ((int window, _) in ready)
            {
                region.Release(window);
            }
        }
    }

    private static int WriteText(DumpOptions o, TextWriter w, CaptureSession session, in WindowGeometry geometry, List<(int Window, ulong Seq)> ready)
    {
        Region region = session.Region;
        skbremap_layout l = region.Layout;
        skbremap_stats stats = session.Stats();
        w.WriteLine($"backend  {session.Backend.Name}: ABI {session.Version.abi_version}; interface {NetworkInterfaces.NameOf(session.Ifindex)}; " +
                    $"source {o.Source ?? (session.Backend.Kind == BackendKind.Kernel ? "network stack" : "afpacket")}");
        int infoPages = WindowGeometry.InfoPagesOf(l);
        w.WriteLine($"region   {l.windows} windows of {infoPages} info page{(infoPages == 1 ? "" : "s")} + {l.pages_per_window} data pages of {l.page_size} bytes; " +
                    $"{l.info_entries_max} entries per window; snaplen {l.snaplen}");
        w.WriteLine($"windows  {ready.Count} READY (dumped below), {l.windows - ready.Count} held by skbremap");
        StatsFormat.Text(w, stats, "");

        int packetIndex = 0;
        bool dumped = false;
        foreach ((int window, ulong seq) in ready)
        {
            InfoPageError error = InfoPageReader.TryOpen(region.WindowMemory(window), in geometry, (uint)window, Scatter, out InfoPageReader reader);
            if (error != InfoPageError.None)
            {
                w.WriteLine($"window {window}  seq {seq}  BAD INFO PAGE: {InfoPageErrorText.Describe(error)}");
                continue;
            }

            w.WriteLine();
            w.WriteLine($"window {window}  seq {seq} (info page says {reader.Sequence})  count {reader.Count}  pages_used {reader.PagesUsed}  " +
                        $"drops {reader.Drops}  flags {InfoFlags(reader.Flags)}");
            w.WriteLine("      #  page  offset  caplen  wirelen  timestamp (UTC)                 ifindex  proto   type  path    vlan        flags");
            ReadOnlySpan<byte> data = region.DataPages(window);
            uint entry = 0;
            while (reader.TryReadNext(out CapturedPacket p, out error))
            {
                if (o.MaxEntries == 0 || entry < o.MaxEntries)
                {
                    (long page, long offset) = Position(data, First(p), l.page_size);
                    w.WriteLine($"  {entry,5}  {page,4}  {offset,6}  {p.Length,6}  {p.WireLength,7}  {Timestamp(p.TimestampNs),-30}  " +
                                $"{p.IfIndex,7}  0x{p.Protocol:x4}  {PacketType(p.PacketType),-4}  {PathName(p.Path),-6}  " +
                                $"{(p.HasVlan ? $"{p.VlanProto:x4}/{p.VlanTci & 0xfff}" : "-"),-10}  {PacketFlags(p.Flags)}");
                }
                else if (entry == o.MaxEntries)
                {
                    w.WriteLine($"  ... {reader.Count - entry} more (--max-entries 0 shows all)");
                }

                if (o.Packet >= 0 && packetIndex == o.Packet)
                {
                    w.WriteLine($"  packet {packetIndex} = window {window} entry {entry}: {p.Length} of {p.WireLength} bytes");
                    HexDump.Write(w, Bytes(p));
                    dumped = true;
                }

                entry++;
                packetIndex++;
            }

            if (error != InfoPageError.None)
            {
                w.WriteLine($"  entry {entry}: BAD ENTRY: {InfoPageErrorText.Describe(error)} (rest of the window skipped)");
            }
        }

        if (ready.Count == 0)
        {
            w.WriteLine($"no window was published in {o.Duration:0.###} s (no traffic on {NetworkInterfaces.NameOf(session.Ifindex)}?)");
        }
        else if (o.Packet >= 0 && !dumped)
        {
            w.WriteLine($"no packet {o.Packet}: the dumped windows hold {packetIndex} packets");
        }

        return (int)ExitCode.Ok;
    }

    private static int WriteJson(DumpOptions o, CaptureSession session, in WindowGeometry geometry, List<(int Window, ulong Seq)> ready)
    {
        Region region = session.Region;
        skbremap_layout l = region.Layout;
        using var j = new Utf8JsonWriter(Console.OpenStandardOutput(), new JsonWriterOptions { Indented = true });
        j.WriteStartObject();
        j.WriteString("backend", session.Backend.Name);
        j.WriteNumber("abi_version", session.Version.abi_version);
        j.WriteNumber("ifindex", session.Ifindex);
        j.WriteStartObject("layout");
        j.WriteNumber("windows", l.windows);
        j.WriteNumber("pages_per_window", l.pages_per_window);
        j.WriteNumber("info_pages", WindowGeometry.InfoPagesOf(l));
        j.WriteNumber("page_size", l.page_size);
        j.WriteNumber("snaplen", l.snaplen);
        j.WriteNumber("info_entries_max", l.info_entries_max);
        j.WriteEndObject();
        StatsFormat.Json(j, "stats", session.Stats());
        j.WriteStartArray("windows");
        int packetIndex = 0;
        foreach ((int window, ulong seq) in ready)
        {
            j.WriteStartObject();
            j.WriteNumber("window", window);
            j.WriteNumber("seq", seq);
            InfoPageError error = InfoPageReader.TryOpen(region.WindowMemory(window), in geometry, (uint)window, Scatter, out InfoPageReader reader);
            if (error != InfoPageError.None)
            {
                j.WriteString("error", InfoPageErrorText.Describe(error));
                j.WriteEndObject();
                continue;
            }

            j.WriteNumber("info_seq", reader.Sequence);
            j.WriteNumber("count", reader.Count);
            j.WriteNumber("pages_used", reader.PagesUsed);
            j.WriteNumber("drops", reader.Drops);
            j.WriteNumber("flags", reader.Flags);
            j.WriteStartArray("entries");
            ReadOnlySpan<byte> data = region.DataPages(window);
            uint entry = 0;
            while (reader.TryReadNext(out CapturedPacket p, out error))
            {
                if (o.MaxEntries == 0 || entry < o.MaxEntries)
                {
                    (long page, long offset) = Position(data, First(p), l.page_size);
                    j.WriteStartObject();
                    j.WriteNumber("page", page);
                    j.WriteNumber("offset", offset);
                    j.WriteNumber("caplen", p.Length);
                    j.WriteNumber("wirelen", p.WireLength);
                    j.WriteNumber("tstamp_ns", p.TimestampNs);
                    j.WriteNumber("ifindex", p.IfIndex);
                    j.WriteNumber("protocol", p.Protocol);
                    j.WriteNumber("pkttype", p.PacketType);
                    j.WriteNumber("path", p.Path);
                    j.WriteNumber("vlan_tci", p.VlanTci);
                    j.WriteNumber("vlan_proto", p.VlanProto);
                    j.WriteNumber("flags", p.Flags);
                    if (o.Packet >= 0 && packetIndex == o.Packet)
                    {
                        j.WriteBase64String("data", Bytes(p));
                    }

                    j.WriteEndObject();
                }

                entry++;
                packetIndex++;
            }

            j.WriteEndArray();
            if (error != InfoPageError.None)
            {
                j.WriteString("error", $"entry {entry}: {InfoPageErrorText.Describe(error)}");
            }

            j.WriteEndObject();
        }

        j.WriteEndArray();
        j.WriteEndObject();
        j.Flush();
        Console.Out.WriteLine();
        return (int)ExitCode.Ok;
    }

    /// <summary>Where a packet's data starts, as (data page, offset in page): recovered from the span the parser returned.</summary>
    /// <summary>Segment chain for SCATTER packets (remapctl reads one window at a time).</summary>
    private static readonly ScatterChain Scatter = new();

    /// <summary>Where the packet's first byte is: its first segment for a SCATTER packet.</summary>
    private static ReadOnlySpan<byte> First(in CapturedPacket p) => p.IsScattered ? p.Sequence.FirstSpan : p.Data;

    /// <summary>The packet's bytes; a SCATTER packet's joined (a debug tool may copy).</summary>
    private static ReadOnlySpan<byte> Bytes(in CapturedPacket p) => p.IsScattered ? p.Sequence.ToArray() : p.Data;

    private static (long Page, long Offset) Position(ReadOnlySpan<byte> dataPages, ReadOnlySpan<byte> packet, uint pageSize)
    {
        long byteOffset = (long)Unsafe.ByteOffset(ref MemoryMarshal.GetReference(dataPages), ref MemoryMarshal.GetReference(packet));
        return (byteOffset / pageSize, byteOffset % pageSize);
    }

    private static string Timestamp(ulong ns) =>
        DateTime.UnixEpoch.AddTicks((long)(ns / 100)).ToString("yyyy-MM-dd HH:mm:ss.fffffff", System.Globalization.CultureInfo.InvariantCulture)
        + (ns % 100).ToString("00", System.Globalization.CultureInfo.InvariantCulture);

    private static string InfoFlags(uint flags) =>
        flags == 0 ? "-" : string.Join('|', new[]
        {
            (flags & SKBREMAP_INFO_RETIRED) != 0 ? "RETIRED" : null,
            (flags & SKBREMAP_INFO_FLUSH) != 0 ? "FLUSH" : null,
            (flags & ~(SKBREMAP_INFO_RETIRED | SKBREMAP_INFO_FLUSH)) != 0 ? $"0x{flags:x}" : null,
        }.Where(s => s is not null));

    private static string PacketFlags(uint flags) =>
        flags == 0 ? "-" : string.Join('|', new[]
        {
            (flags & SKBREMAP_PKT_VLAN) != 0 ? "VLAN" : null,
            (flags & SKBREMAP_PKT_TRUNCATED) != 0 ? "TRUNCATED" : null,
            (flags & SKBREMAP_PKT_SCATTER) != 0 ? "SCATTER" : null,
            (flags & ~(SKBREMAP_PKT_VLAN | SKBREMAP_PKT_TRUNCATED | SKBREMAP_PKT_SCATTER)) != 0 ? $"0x{flags:x}" : null,
        }.Where(s => s is not null));

    // linux/if_packet.h PACKET_* values.
    private static string PacketType(byte type) => type switch
    {
        0 => "HOST",
        1 => "BCST",
        2 => "MCST",
        3 => "OTHR",
        4 => "OUT",
        _ => type.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static string PathName(byte path) => path switch
    {
        SKBREMAP_PATH_BOUNCE => "BOUNCE",
        SKBREMAP_PATH_REMAP => "REMAP",
        SKBREMAP_PATH_RING => "RING",
        _ => path.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
