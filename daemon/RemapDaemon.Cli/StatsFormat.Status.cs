using System.Text.Json;
using RemapDaemon.Device;
using RemapDaemon.Engine;
using RemapDaemon.Protocol.Abi;

namespace RemapDaemon.Cli;

/// <summary>remapctl's reports: skbremap_stats, skbremap_global and skbremap_capture_info as text and as JSON (written field by field: no reflection).</summary>
public static partial class StatsFormat
{
    /// <summary>The accounting invariant of skbremap.h: seen == captured + filtered + drops + in_flight.</summary>
    public static bool Balanced(in skbremap_stats s) => s.seen == s.captured + s.filtered + Drops.Total(s) + s.in_flight;

    public static void Text(TextWriter w, in skbremap_global g) =>
        w.WriteLine($"GLOBAL   captures {g.captures}  pages_held {g.pages_held}  skbs_held {g.skbs_held}  mappings {g.mappings}  skb_bytes_held {g.skb_bytes_held}");

    public static void Text(TextWriter w, in skbremap_capture_info c)
    {
        string iface = NetworkInterfaces.NameOf(c.ifindex);
        w.WriteLine($"CAPTURE  id {c.id}  pid {c.pid}  interface {iface} ({c.ifindex})  {(c.running != 0 ? "running" : "stopped")}");
        w.WriteLine($"  windows   {c.windows} total: {c.windows_free} free, {c.windows_filling} filling, {c.windows_user} user; " +
                    $"{Math.Max(c.info_pages, 1)} info + {c.pages_per_window} data pages per window; snaplen {c.snaplen}");
        Text(w, c.stats, "  ");
    }

    public static void Text(TextWriter w, in skbremap_stats s, string indent)
    {
        w.WriteLine($"{indent}packets   seen {s.seen}  captured {s.captured} ({s.captured_bytes} bytes captured, {s.wire_bytes} on the wire)  filtered {s.filtered}  in_flight {s.in_flight}");
        w.WriteLine($"{indent}drops     {Drops.Total(s)}: {Drops.Describe(s, r => r.Field["drop_".Length..]).Replace(", ", "  ", StringComparison.Ordinal)}");
        w.WriteLine($"{indent}windows   published {s.windows_published}  retired {s.windows_retired}  released {s.windows_released}  user {s.windows_user}");
        w.WriteLine($"{indent}delivery  mode {DeliveryModes.Name(s.mode)}  copy_threshold {s.copy_threshold}  copied {s.copied}  remapped {s.remapped}  " +
                    $"pages_remapped {s.pages_remapped}  bounced {s.bounced}  (calibration: copy {s.calib_copy_ns} ns/page, remap {s.calib_remap_ns} ns/page)");
        w.WriteLine($"{indent}memory    bounced {s.bounced}  pages_mapped {s.pages_mapped}  pages_held {s.pages_held}  skbs_held {s.skbs_held} ({s.skb_bytes_held} bytes, limit {s.mem_limit})  skbs_freed {s.skbs_freed}  bad_release {s.bad_release}");
        w.WriteLine($"{indent}invariant seen == captured + filtered + drops + in_flight: {(Balanced(s) ? "ok" : "VIOLATED")}");
    }

    public static void Json(Utf8JsonWriter j, in skbremap_global g)
    {
        j.WriteStartObject("global");
        j.WriteNumber("captures", g.captures);
        j.WriteNumber("pages_held", g.pages_held);
        j.WriteNumber("skbs_held", g.skbs_held);
        j.WriteNumber("mappings", g.mappings);
        j.WriteNumber("skb_bytes_held", g.skb_bytes_held);
        j.WriteEndObject();
    }

    public static void Json(Utf8JsonWriter j, in skbremap_capture_info c)
    {
        j.WriteStartObject();
        j.WriteNumber("id", c.id);
        j.WriteNumber("pid", c.pid);
        j.WriteNumber("ifindex", c.ifindex);
        j.WriteString("interface", NetworkInterfaces.NameOf(c.ifindex));
        j.WriteBoolean("running", c.running != 0);
        j.WriteStartObject("windows");
        j.WriteNumber("total", c.windows);
        j.WriteNumber("free", c.windows_free);
        j.WriteNumber("filling", c.windows_filling);
        j.WriteNumber("user", c.windows_user);
        j.WriteEndObject();
        j.WriteNumber("pages_per_window", c.pages_per_window);
        j.WriteNumber("info_pages", Math.Max(c.info_pages, 1));
        j.WriteNumber("snaplen", c.snaplen);
        Json(j, "stats", c.stats);
        j.WriteEndObject();
    }

    public static void Json(Utf8JsonWriter j, string name, in skbremap_stats s)
    {
        j.WriteStartObject(name);
        j.WriteNumber("seen", s.seen);
        j.WriteNumber("captured", s.captured);
        j.WriteNumber("captured_bytes", s.captured_bytes);
        j.WriteNumber("wire_bytes", s.wire_bytes);
        j.WriteNumber("filtered", s.filtered);
        foreach (Drops.Reason r in Drops.Reasons)
        {
            j.WriteNumber(r.Field, r.Count(in s));
        }

        j.WriteNumber("in_flight", s.in_flight);
        j.WriteNumber("windows_published", s.windows_published);
        j.WriteNumber("windows_retired", s.windows_retired);
        j.WriteNumber("windows_released", s.windows_released);
        j.WriteNumber("windows_user", s.windows_user);
        j.WriteString("mode", DeliveryModes.Name(s.mode));
        j.WriteNumber("copy_threshold", s.copy_threshold);
        j.WriteNumber("copied", s.copied);
        j.WriteNumber("remapped", s.remapped);
        j.WriteNumber("pages_remapped", s.pages_remapped);
        j.WriteNumber("calib_copy_ns", s.calib_copy_ns);
        j.WriteNumber("calib_remap_ns", s.calib_remap_ns);
        j.WriteNumber("bounced", s.bounced);
        j.WriteNumber("pages_mapped", s.pages_mapped);
        j.WriteNumber("pages_held", s.pages_held);
        j.WriteNumber("skbs_held", s.skbs_held);
        j.WriteNumber("skb_bytes_held", s.skb_bytes_held);
        j.WriteNumber("mem_limit", s.mem_limit);
        j.WriteNumber("skbs_freed", s.skbs_freed);
        j.WriteNumber("bad_release", s.bad_release);
        j.WriteBoolean("balanced", Balanced(s));
        j.WriteEndObject();
    }
}
