namespace RemapDaemon.Fleet.Sensor;

/// <summary>What remapd capture --fleet gives the sensor.</summary>
public sealed record FleetSensorOptions
{
    /// <summary>The local leaf server (nats://127.0.0.1:4222).</summary>
    public required string Url { get; init; }

    /// <summary>This host's name in the fleet (<see cref="FleetNames.IsValidHost"/>): its subjects, its leaf's JetStream domain.</summary>
    public required string Host { get; init; }

    /// <summary>The hub's JetStream domain.</summary>
    public string HubDomain { get; init; } = FleetNames.DefaultHubDomain;

    /// <summary>How often statistics and the heartbeat go out, and the store is looked at.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Replicas of the hub's stream for this host and of the hub's buckets (the hub's cluster size).</summary>
    public int Replicas { get; init; } = 3;

    /// <summary>The store this capture writes (null: a capture without one: no index records, no extract).</summary>
    public string? StoreDirectory { get; init; }

    /// <summary>This capture's name in the store (its files, and NAME.K for remapd -j N).</summary>
    public string? CaptureName { get; init; }

    public required string Interface { get; init; }

    /// <summary>Where the last applied desired configuration is kept (<see cref="DesiredConfig"/>); null: nowhere.</summary>
    public string? DesiredConfigPath { get; init; }

    /// <summary>The desired configuration remapd started with (from <see cref="DesiredConfigPath"/>), and what came of it.</summary>
    public (DesiredConfig Config, ConfigDecision Decision)? Started { get; init; }

    /// <summary>Most statistics and events kept while the local leaf cannot take them (the oldest statistics go first).</summary>
    public int MaxPending { get; init; } = 10_000;
}
