using System.Globalization;
using System.Net;
using Prometheus;

namespace RemapDaemon.Service.Metrics;

/// <summary>
/// The Prometheus endpoint (<c>--metrics-listen ADDR:PORT</c>): prometheus-net's text exposition
/// served by its HttpListener <see cref="MetricServer"/> at <c>http://ADDR:PORT/metrics</c>, from a
/// registry of remapd's own (no process or runtime collectors: only what the sources report).
/// Every scrape first asks each registered <see cref="ICounterSource"/> for its values, so a
/// metric is as fresh as its source and costs nothing between scrapes.
/// </summary>
public sealed class MetricsEndpoint : IDisposable
{
    private readonly CollectorRegistry _registry = Prometheus.Metrics.NewCustomRegistry();
    private readonly IMetricFactory _factory;
    private readonly List<(ICounterSource Source, MetricsReport Report)> _sources = [];
    private readonly Lock _gate = new();
    private readonly MetricServer _server;

    private MetricsEndpoint(string host, int port)
    {
        Prometheus.Metrics.SuppressDefaultMetrics();
        _factory = Prometheus.Metrics.WithCustomRegistry(_registry);
        _registry.AddBeforeCollectCallback(Collect);
        _server = new MetricServer(host, port, "metrics/", _registry);
    }

    /// <summary>Where it listens ("127.0.0.1:9750").</summary>
    public required string Address { get; init; }

    /// <summary>Listens on <paramref name="listen"/> ("ADDR:PORT", "[::1]:PORT", ":PORT" for every address).</summary>
    /// <exception cref="FormatException">Not ADDR:PORT.</exception>
    /// <exception cref="HttpListenerException">The address cannot be bound (in use, not ours).</exception>
    public static MetricsEndpoint Start(string listen)
    {
        (string host, int port) = Parse(listen);
        var endpoint = new MetricsEndpoint(host, port) { Address = listen };
        try
        {
            endpoint._server.Start();
        }
        catch
        {
            endpoint.Dispose();
            throw;
        }

        return endpoint;
    }

    /// <summary>"ADDR:PORT" into HttpListener's host and port; ":PORT" and "*:PORT" listen on every address.</summary>
    /// <exception cref="FormatException">Not ADDR:PORT with a port of 1..65535.</exception>
    public static (string Host, int Port) Parse(string listen)
    {
        int colon = listen.LastIndexOf(':');
        if (colon < 0 || !int.TryParse(listen.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
        {
            throw new FormatException($"'{listen}': not ADDR:PORT (e.g. 127.0.0.1:9750, [::1]:9750, or :9750 for every address)");
        }

        string host = listen[..colon];
        if (host is "" or "*")
        {
            return ("+", port);
        }

        if (host.StartsWith('[') != host.EndsWith(']') || (!host.StartsWith('[') && host.Contains(':', StringComparison.Ordinal)))
        {
            throw new FormatException($"'{listen}': write an IPv6 address in brackets ([::1]:9750)");
        }

        string bare = host.Trim('[', ']');
        if (!IPAddress.TryParse(bare, out _) && Uri.CheckHostName(bare) == UriHostNameType.Unknown)
        {
            throw new FormatException($"'{listen}': '{host}' is not an address or host name");
        }

        return (host, port);
    }

    /// <summary>Adds a source whose every value carries <paramref name="labels"/> (capture, interface).</summary>
    public void Register(ICounterSource source, params IReadOnlyList<KeyValuePair<string, string>> labels)
    {
        lock (_gate)
        {
            _sources.Add((source, new MetricsReport(_factory, labels)));
        }
    }

    public void Dispose() => _server.Dispose();

    private void Collect()
    {
        lock (_gate)
        {
            foreach ((ICounterSource source, MetricsReport report) in _sources)
            {
                source.Report(report);
            }
        }
    }
}
