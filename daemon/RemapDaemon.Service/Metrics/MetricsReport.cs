using Prometheus;

namespace RemapDaemon.Service.Metrics;

/// <summary>
/// What a <see cref="ICounterSource"/> reports into at a scrape: counters (values that only
/// grow: <c>_total</c> names) and gauges, each with the source's labels (capture, interface)
/// first and its own after. Names follow Prometheus's conventions: <c>remapd_</c>, the unit,
/// <c>_total</c> for counters (https://prometheus.io/docs/practices/naming/).
/// </summary>
public sealed class MetricsReport
{
    private readonly IMetricFactory _factory;
    private readonly string[] _labelNames;
    private readonly string[] _labelValues;

    internal MetricsReport(IMetricFactory factory, IReadOnlyList<KeyValuePair<string, string>> labels)
    {
        _factory = factory;
        _labelNames = [.. labels.Select(l => l.Key)];
        _labelValues = [.. labels.Select(l => l.Value)];
    }

    /// <summary>A counter's value (it only grows; a smaller one is ignored, as after a restart of its source).</summary>
    public void Counter(string name, string help, double value, params ReadOnlySpan<KeyValuePair<string, string>> labels)
    {
        (string[] names, string[] values) = Labels(labels);
        _factory.CreateCounter(name, help, names).WithLabels(values).IncTo(value);
    }

    /// <summary>A gauge's value (goes up and down).</summary>
    public void Gauge(string name, string help, double value, params ReadOnlySpan<KeyValuePair<string, string>> labels)
    {
        (string[] names, string[] values) = Labels(labels);
        _factory.CreateGauge(name, help, names).WithLabels(values).Set(value);
    }

    private (string[] Names, string[] Values) Labels(ReadOnlySpan<KeyValuePair<string, string>> own)
    {
        if (own.IsEmpty)
        {
            return (_labelNames, _labelValues);
        }

        string[] names = new string[_labelNames.Length + own.Length];
        string[] values = new string[names.Length];
        _labelNames.CopyTo(names, 0);
        _labelValues.CopyTo(values, 0);
        for (int i = 0; i < own.Length; i++)
        {
            names[_labelNames.Length + i] = own[i].Key;
            values[_labelNames.Length + i] = own[i].Value;
        }

        return (names, values);
    }
}
