using System.Runtime.InteropServices;
using RemapDaemon.Engine;
using RemapDaemon.Protocol.Abi;

namespace RemapDaemon.Cli;

/// <summary>remapd -j N: the members' progress and counters added up into the group's.</summary>
public static class MemberTotals
{
    /// <summary>
    /// Every counter of skbremap_stats summed (each member counts its own packets: seen, drops,
    /// windows, pages, skbs, memory, rollover); the mode and the calibration, the same setting in
    /// every member, are member 0's.
    /// </summary>
    public static skbremap_stats Sum(IReadOnlyList<skbremap_stats> members)
    {
        skbremap_stats total = default;
        Span<ulong> sum = MemoryMarshal.Cast<skbremap_stats, ulong>(MemoryMarshal.CreateSpan(ref total, 1));
        foreach (skbremap_stats m in members)
        {
            skbremap_stats copy = m;
            ReadOnlySpan<ulong> one = MemoryMarshal.Cast<skbremap_stats, ulong>(MemoryMarshal.CreateReadOnlySpan(ref copy, 1));
            for (int i = 0; i < sum.Length; i++)
            {
                sum[i] += one[i];
            }
        }

        if (members.Count > 0)
        {
            total.mode = members[0].mode;
            total.copy_threshold = members[0].copy_threshold;
            total.calib_copy_ns = members[0].calib_copy_ns;
            total.calib_remap_ns = members[0].calib_remap_ns;
        }

        return total;
    }

    public static CaptureProgress Sum(IReadOnlyList<CaptureProgress> members)
    {
        var total = default(CaptureProgress);
        foreach (CaptureProgress p in members)
        {
            total = new CaptureProgress(
                p.Elapsed > total.Elapsed ? p.Elapsed : total.Elapsed,
                total.Packets + p.Packets,
                total.Bytes + p.Bytes,
                total.PacketsAfterLimit + p.PacketsAfterLimit,
                total.LoopbackOutgoingSkipped + p.LoopbackOutgoingSkipped,
                total.UserSpaceFiltered + p.UserSpaceFiltered,
                total.PayloadMismatched + p.PayloadMismatched,
                total.Unwritten + p.Unwritten,
                total.Windows + p.Windows,
                total.BadWindows + p.BadWindows,
                total.SeqGaps + p.SeqGaps,
                total.RegionWindows + p.RegionWindows,
                default);
        }

        return total with { Stats = Sum(members.Select(p => p.Stats).ToList()) };
    }
}
