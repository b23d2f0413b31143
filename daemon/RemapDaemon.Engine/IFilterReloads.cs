using RemapDaemon.Filtering;


namespace RemapDaemon.Engine;

/// <summary>
/// Where a running capture gets a replacement filter from (remapd: SIGHUP re-reads
/// --filter-file). The capture loop asks once per turn, on its own thread, only while it runs:
/// a request made before the loop starts is taken on its first turn, one made while it stops
/// is never taken.
/// </summary>
public interface IFilterReloads
{
    /// <summary>
    /// True with the program to install in place of the running one (null: no filter) when a
    /// reload is pending and produced one; false otherwise (nothing pending, or the reload
    /// failed and said why itself). Called on the capture loop's thread.
    /// </summary>
    bool TryTake(out BpfProgram? program);
}
