using System.Text.RegularExpressions;

namespace RemapDaemon.Fleet;

/// <summary>
/// The fleet's names (docs/fleet.md): subjects, streams, buckets and message ids. A host name is
/// a NATS subject token and a JetStream domain: letters, digits, '_' and '-', at most 64.
/// </summary>
public static partial class FleetNames
{
    /// <summary>The hub's JetStream domain unless --fleet-hub-domain says otherwise.</summary>
    public const string DefaultHubDomain = "hub";

    /// <summary>The stream on each host's leaf (in the host's own domain) that holds what the host publishes.</summary>
    public const string HostStream = "REMAPD";

    /// <summary>The hub's KV bucket of desired configurations: keys <see cref="AllHostsKey"/> and <see cref="HostKey"/>.</summary>
    public const string ConfigBucket = "remapd-config";

    /// <summary>The hub's KV bucket of each host's latest status (key: the host name).</summary>
    public const string AliveBucket = "remapd-alive";

    /// <summary>The configuration every host applies (a host's own key overrides it key by key).</summary>
    public const string AllHostsKey = "all";

    /// <summary>The hub stream prefix: FLEET_HOST sources the host's REMAPD stream.</summary>
    public const string HubStreamPrefix = "FLEET_";

    /// <summary>The largest chunk an extract hands out in one reply.</summary>
    public const int MaxChunk = 256 * 1024;

    public static bool IsValidHost(string? host) => host is not null && HostPattern().IsMatch(host);

    public static string HostKey(string host) => "host." + host;

    public static string HubStream(string host) => HubStreamPrefix + host;

    /// <summary>Every subject the host's stream holds.</summary>
    public static string DataSubjects(string host) => $"remapd.data.{host}.>";

    public static string StatsSubject(string host) => $"remapd.data.{host}.stats";

    public static string IndexSubject(string host) => $"remapd.data.{host}.index";

    public static string EventSubject(string host) => $"remapd.data.{host}.event";

    /// <summary>A host's service: status, start, stop, extract, chunk.</summary>
    public static string ServiceSubject(string host, string verb) => $"remapd.svc.{host}.{verb}";

    /// <summary>The message id of a file's index record: one per file, whatever restarts.</summary>
    public static string IndexMessageId(string host, string file) => $"{host}/index/{file}";

    /// <summary>The message id of a file's deletion: one per file, whatever restarts.</summary>
    public static string DeletedMessageId(string host, string file) => $"{host}/deleted/{file}";

    /// <summary>The message id of a run's statistics or event number <paramref name="seq"/>.</summary>
    public static string RunMessageId(string host, string kind, string run, ulong seq) => $"{host}/{kind}/{run}/{seq}";

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex HostPattern();
}
