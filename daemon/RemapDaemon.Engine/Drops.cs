using RemapDaemon.Protocol.Abi;


namespace RemapDaemon.Engine;

/// <summary>
/// The drop reasons of skbremap_stats, one row each, in the order of the uapi header. Every
/// report of drops (remapd's live line and summary, remapctl status) is made from this table:
/// a new drop counter in the ABI is one more row here.
/// </summary>
public static class Drops
{
    /// <summary>Reads one drop counter.</summary>
    public delegate ulong Counter(in skbremap_stats s);

    /// <param name="Field">The skbremap_stats field, as remapctl prints it ("drop_queue_full").</param>
    /// <param name="Name">As the summary says it ("queue full").</param>
    /// <param name="Short">As the live line says it ("queue").</param>
    /// <param name="Count">The counter.</param>
    public sealed record Reason(string Field, string Name, string Short, Counter Count);

    public static readonly IReadOnlyList<Reason> Reasons =
    [
        new("drop_queue_full", "queue full", "queue", (in skbremap_stats s) => s.drop_queue_full),
        new("drop_no_window", "no window", "window", (in skbremap_stats s) => s.drop_no_window),
        new("drop_nomem", "no memory", "nomem", (in skbremap_stats s) => s.drop_nomem),
        new("drop_too_big", "too big", "big", (in skbremap_stats s) => s.drop_too_big),
        new("drop_mem_limit", "memory limit", "memlimit", (in skbremap_stats s) => s.drop_mem_limit),
    ];

    public static ulong Total(in skbremap_stats s)
    {
        ulong total = 0;
        foreach (Reason r in Reasons)
        {
            total += r.Count(in s);
        }

        return total;
    }

    /// <summary>"queue full 3, no window 0, ..." with <paramref name="name"/> choosing the label.</summary>
    public static string Describe(in skbremap_stats s, Func<Reason, string> name, string format = "{0} {1}")
    {
        var parts = new List<string>(Reasons.Count);
        foreach (Reason r in Reasons)
        {
            parts.Add(string.Format(System.Globalization.CultureInfo.InvariantCulture, format, name(r), r.Count(in s)));
        }

        return string.Join(", ", parts);
    }
}
