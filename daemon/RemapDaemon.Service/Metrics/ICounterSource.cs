namespace RemapDaemon.Service.Metrics;

/// <summary>
/// Anything that keeps counters remapd exports (the capture: <see cref="CaptureCounters"/>;
/// a store, an index, ...): registered once with <see cref="MetricsEndpoint.Register"/>, asked
/// for its current values at every scrape. A source reads its own numbers in whatever thread-safe
/// way it keeps them and reports each one; it creates no metric objects of its own.
/// </summary>
public interface ICounterSource
{
    /// <summary>Report every value now (called on the scrape's thread).</summary>
    void Report(MetricsReport report);
}
