using RemapDaemon.Protocol.Abi;


namespace RemapDaemon.Engine;

/// <summary>
/// The drop reasons, one row each: skbremap_stats' counters in the order of the uapi header,
/// then "output too slow", which remapd tells apart itself. Every report of drops (remapd's live
/// line and summary, remapctl status) is made from this table: a new drop counter in the ABI is
/// one more row here.
/// <para>
/// "output too slow" is the part of skbremap's drop_no_window that fell while remapd's output
/// queue was full (<see cref="RemapDaemon.Capture.OutputQueueCounters.OutputTooSlowDrops"/>):
/// every window was waiting for the disk. The "no window" row shows the rest, so the rows still
/// add up to skbremap's total. A reader without remapd's account (remapctl) passes 0 and sees
/// all of them as "no window".
/// </para>
/// </summary>
public static class Drops
{
    /// <summary>Reads one drop counter, given the "no window" drops remapd put down to its output.</summary>
    public delegate ulong Counter(in skbremap_stats s, ulong outputTooSlow);

    /// <param name="Field">The skbremap_stats field, as remapctl prints it ("drop_queue_full"); remapd's own row has a name of the same form.</param>
    /// <param name="Name">As the summary says it ("queue full").</param>
    /// <param name="Short">As the live line says it ("queue").</param>
    /// <param name="Read">The counter.</param>
    /// <param name="InKernelStats">A counter of skbremap_stats (false: remapd's own split of one).</param>
    public sealed record Reason(string Field, string Name, string Short, Counter Read, bool InKernelStats = true)
    {
        /// <summary>The count, with <paramref name="outputTooSlow"/> of the "no window" drops put down to the output.</summary>
        public ulong Count(in skbremap_stats s, ulong outputTooSlow = 0) => Read(in s, outputTooSlow);
    }

    public static readonly IReadOnlyList<Reason> Reasons =
    [
        new("drop_queue_full", "queue full", "queue", (in skbremap_stats s, ulong _) => s.drop_queue_full),
        new("drop_no_window", "no window", "window", (in skbremap_stats s, ulong slow) => s.drop_no_window - Math.Min(slow, s.drop_no_window)),
        new("drop_nomem", "no memory", "nomem", (in skbremap_stats s, ulong _) => s.drop_nomem),
        new("drop_too_big", "too big", "big", (in skbremap_stats s, ulong _) => s.drop_too_big),
        new("drop_mem_limit", "memory limit", "memlimit", (in skbremap_stats s, ulong _) => s.drop_mem_limit),
        new("drop_output_too_slow", "output too slow", "output", (in skbremap_stats s, ulong slow) => Math.Min(slow, s.drop_no_window), InKernelStats: false),
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

    /// <summary>
    /// "queue full 3, no window 0, ..." with <paramref name="name"/> choosing the label; with
    /// <paramref name="outputTooSlow"/> (remapd's account) the "output too slow" row too, else
    /// only skbremap's counters.
    /// </summary>
    public static string Describe(in skbremap_stats s, Func<Reason, string> name, string format = "{0} {1}", ulong? outputTooSlow = null)
    {
        var parts = new List<string>(Reasons.Count);
        foreach (Reason r in Reasons)
        {
            if (r.InKernelStats || outputTooSlow is not null)
            {
                parts.Add(string.Format(System.Globalization.CultureInfo.InvariantCulture, format, name(r), r.Count(in s, outputTooSlow ?? 0)));
            }
        }

        return string.Join(", ", parts);
    }
}
