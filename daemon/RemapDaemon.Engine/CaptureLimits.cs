namespace RemapDaemon.Engine;

/// <summary>When a capture stops on its own, and how often it reports.</summary>
public sealed record CaptureLimits
{
    /// <summary>Packets to write, then stop; 0 = no limit.</summary>
    public ulong MaxPackets { get; init; }

    /// <summary>Stop after this long; null = no limit.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>
    /// The ifindex of the loopback device whose PACKET_OUTGOING copies are skipped, as libpcap
    /// skips them (every packet sent on lo is seen once going out and once coming in); null keeps
    /// every packet. Set only for a live capture from the network stack: a replayed file or a
    /// synthetic source has no second copy of an outgoing packet, and its packets may carry any
    /// ifindex (0 for a cooked capture's).
    /// </summary>
    public int? SkipOutgoingOnIfindex { get; init; }

    /// <summary>How often <see cref="CaptureLoop.Progress"/> is raised; null = never.</summary>
    public TimeSpan? ProgressInterval { get; init; }
}
