using RemapDaemon.Fleet.Messages;

namespace RemapDaemon.Fleet.Sensor;

/// <summary>What the sensor asks of the capture it serves (remapd capture implements it).</summary>
public interface ICaptureControl
{
    /// <summary>The capture's counters now (any thread).</summary>
    CaptureSnapshot Snapshot();

    /// <summary>
    /// Puts a desired configuration in force the way SIGHUP does: <paramref name="allText"/> and
    /// <paramref name="hostText"/> are the remapd.conf text of the <c>all</c> and the host's key
    /// (null: no such key), the host's overriding key by key. Atomic: a bad value refuses the
    /// whole of it and the running configuration stays. Any thread; returns once decided.
    /// </summary>
    ConfigDecision Apply(string? allText, string? hostText);

    /// <summary>Stops (true) or resumes (false) writing packets: the service's stop and start.</summary>
    void Pause(bool paused);
}

/// <summary>The capture's counters as the fleet reports them.</summary>
public sealed record CaptureSnapshot(bool Paused, string Filter, ulong Packets, ulong Bytes, ulong Seen, ulong Filtered, DropCounts Drops, long StoreFiles, long StoreBytes, long DeletedFiles, long DiskFullEvents);

/// <summary>What came of a desired configuration: applied (with keys waiting for a restart), or refused and why.</summary>
public sealed record ConfigDecision(bool Applied, string? Error, IReadOnlyList<string> RestartKeys);
