namespace RemapDaemon.Fleet.Hub;

/// <summary>The hub does not answer: no server at the URLs, or no JetStream in the hub's domain.</summary>
public sealed class FleetUnavailableException : Exception
{
    public FleetUnavailableException()
    {
    }

    public FleetUnavailableException(string message)
        : base(message)
    {
    }

    public FleetUnavailableException(string message, Exception inner)
        : base(message, inner)
    {
    }
}

/// <summary>
/// What the caller asked for cannot be: a bad filter expression (libpcap's message), an
/// invalid or unknown host name, a time range that ends before it starts. remapctl exits 2.
/// </summary>
public sealed class FleetUsageException : Exception
{
    public FleetUsageException()
    {
    }

    public FleetUsageException(string message)
        : base(message)
    {
    }

    public FleetUsageException(string message, Exception inner)
        : base(message, inner)
    {
    }
}

/// <summary>A host did not answer, refused a request (its error), or sent something that is not an answer.</summary>
public sealed class FleetHostException : Exception
{
    public FleetHostException()
    {
        Host = "";
    }

    public FleetHostException(string message)
        : base(message)
    {
        Host = "";
    }

    public FleetHostException(string message, Exception inner)
        : base(message, inner)
    {
        Host = "";
    }

    public FleetHostException(string host, string message, Exception? inner = null)
        : base(message, inner)
    {
        Host = host;
    }

    /// <summary>The host that failed.</summary>
    public string Host { get; }
}
