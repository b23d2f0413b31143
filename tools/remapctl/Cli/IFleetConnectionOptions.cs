namespace RemapDaemon.Remapctl.Cli;

/// <summary>How every fleet verb reaches the hub (--server, --hub-domain).</summary>
internal interface IFleetConnectionOptions
{
    /// <summary>The environment variable that gives the hub's servers when --server is not given.</summary>
    const string ServerVariable = "REMAPD_FLEET_SERVER";

    /// <summary>The hub's servers when neither --server nor the variable says.</summary>
    const string DefaultServer = "nats://127.0.0.1:4222";

    const string ServerHelp = "The hub's servers, comma-separated (nats://HOST:PORT,...). Default: $REMAPD_FLEET_SERVER, else nats://127.0.0.1:4222.";

    const string HubDomainHelp = "The hub's JetStream domain.";

    string? Server { get; }

    string HubDomain { get; }
}
