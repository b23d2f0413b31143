using System.Text;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.KeyValueStore;
using RemapDaemon.Fleet.Messages;
using RemapDaemon.Output;

namespace RemapDaemon.Fleet.Hub;

/// <summary>
/// The hub side of the fleet (docs/fleet.md), what <c>remapctl fleet</c> runs: the hosts'
/// status from the remapd-alive bucket, find from the hub's FLEET_* streams alone, extract from
/// the hosts that find names merged into one capture file, the desired configuration in the
/// remapd-config bucket, and a host's start/stop service. Only the NATS calls live here; what
/// they feed is decided by <see cref="FindSelection"/>, <see cref="ChunkedReadStream"/>,
/// <see cref="PcapStreamReader"/>, <see cref="PcapMerge"/> and <see cref="ConfigText"/>.
/// Payloads are raw bytes, JSON only through <see cref="FleetJson"/> (NativeAOT).
/// </summary>
public sealed class FleetClient : IAsyncDisposable
{
    /// <summary>The reply header that says why a chunk failed.</summary>
    public const string ChunkErrorHeader = "Remapd-Error";

    /// <summary>Messages asked for per fetch while reading a hub stream.</summary>
    private const int FetchBatch = 1000;

    private readonly NatsConnection _nats;
    private readonly NatsJSContext _js;
    private readonly NatsKVContext _kv;
    private readonly FleetClientOptions _options;

    private FleetClient(NatsConnection nats, FleetClientOptions options)
    {
        _nats = nats;
        _options = options;
        _js = new NatsJSContext(nats, new NatsJSOpts(nats.Opts, domain: options.HubDomain));
        _kv = new NatsKVContext(_js);
    }

    /// <summary>Connects to the hub and checks that JetStream answers in its domain.</summary>
    /// <exception cref="FleetUnavailableException">No hub server answers within the connect timeout, or none has JetStream in the domain.</exception>
    public static async Task<FleetClient> ConnectAsync(FleetClientOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var nats = new NatsConnection(new NatsOpts
        {
            Url = options.Servers,
            Name = "remapctl",
            ConnectTimeout = options.ConnectTimeout,
            RequestTimeout = options.ConnectTimeout,
            CommandTimeout = options.ConnectTimeout,
            RetryOnInitialConnect = false,
            MaxReconnectRetry = 3,
        });
        try
        {
            await nats.ConnectAsync().AsTask().WaitAsync(options.ConnectTimeout * 2, cancellationToken).ConfigureAwait(false);
            var client = new FleetClient(nats, options);
            await client._js.GetAccountInfoAsync(cancellationToken).ConfigureAwait(false);
            return client;
        }
        catch (Exception e) when (e is NatsException or TimeoutException)
        {
            await nats.DisposeAsync().ConfigureAwait(false);
            string what = e is NatsNoRespondersException or NatsJSException
                ? $"has no JetStream in domain '{options.HubDomain}'" : "does not answer";
            throw new FleetUnavailableException($"the hub at {options.Servers} {what}: {e.Message}", e);
        }
    }

    public ValueTask DisposeAsync() => _nats.DisposeAsync();

    /// <summary>Every host of remapd-alive, by name; none when the bucket does not exist yet.</summary>
    public async Task<IReadOnlyList<HostStatus>> StatusAsync(CancellationToken cancellationToken = default)
    {
        INatsKVStore? store = await StoreAsync(FleetNames.AliveBucket, create: false, cancellationToken).ConfigureAwait(false);
        if (store is null)
        {
            return [];
        }

        var keys = new List<string>();
        await foreach (string key in store.GetKeysAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            keys.Add(key);
        }

        ulong now = NowNs();
        var rows = new List<HostStatus>();
        foreach (string key in keys.Order(StringComparer.Ordinal))
        {
            NatsResult<NatsKVEntry<byte[]>> entry = await store.TryGetEntryAsync<byte[]>(key, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (entry.Success && entry.Value.Value is { Length: > 0 } value)
            {
                rows.Add(HostStatus.Of(key, value, now));
            }
        }

        return rows;
    }

    /// <summary>The files of the fleet that may hold packets in [<paramref name="fromNs"/>, <paramref name="toNs"/>) matching <paramref name="expression"/>, from the hub's streams alone.</summary>
    /// <exception cref="FleetUsageException">The expression does not compile (libpcap's message).</exception>
    public async Task<FindResult> FindAsync(ulong fromNs, ulong toNs, string expression, CancellationToken cancellationToken = default)
    {
        var filter = new FleetFilter(expression);
        var selection = new FindSelection();
        var streams = new List<string>();
        await foreach (string name in _js.ListStreamNamesAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (name.StartsWith(FleetNames.HubStreamPrefix, StringComparison.Ordinal) && FleetNames.IsValidHost(name[FleetNames.HubStreamPrefix.Length..]))
            {
                streams.Add(name);
            }
        }

        foreach (string stream in streams.Order(StringComparer.Ordinal))
        {
            INatsJSStream info;
            try
            {
                info = await _js.GetStreamAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (NatsJSApiException e) when (e.Error.Code == 404)
            {
                continue; // deleted since the listing
            }

            selection.AddHost(stream[FleetNames.HubStreamPrefix.Length..]);
            if (info.Info.State.Messages == 0)
            {
                continue;
            }

            // One literal subject per consumer: nats-server 2.9 refuses a wildcard in the create subject.
            string host = stream[FleetNames.HubStreamPrefix.Length..];
            await ReadStreamAsync(stream, FleetNames.IndexSubject(host), selection, cancellationToken).ConfigureAwait(false);
            await ReadStreamAsync(stream, FleetNames.EventSubject(host), selection, cancellationToken).ConfigureAwait(false);
        }

        return selection.Select(fromNs, toNs, filter);
    }

    /// <summary>
    /// Asks every host that <see cref="FindAsync"/> names (or those of <paramref name="hosts"/>
    /// among them) for its packets of the range matching the expression, and writes them merged
    /// by timestamp to <paramref name="output"/>. No file found: a valid capture file with no packet.
    /// </summary>
    /// <exception cref="FleetUsageException">A bad expression, or a host in <paramref name="hosts"/> the hub knows nothing of.</exception>
    /// <exception cref="FleetHostException">A host did not answer in time, or refused.</exception>
    public async Task<ExtractResult> ExtractAsync(ulong fromNs, ulong toNs, string expression, Stream output, CaptureFileFormat format,
        IReadOnlyCollection<string>? hosts = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (hosts is not null)
        {
            foreach (string h in hosts)
            {
                CheckHostName(h);
            }
        }

        FindResult found = await FindAsync(fromNs, toNs, expression, cancellationToken).ConfigureAwait(false);
        List<string> asked = [.. found.HostsWithFiles];
        if (hosts is not null)
        {
            foreach (string h in hosts)
            {
                if (!found.Hosts.Contains(h, StringComparer.Ordinal))
                {
                    throw new FleetUsageException($"unknown host '{h}': the hub has no stream {FleetNames.HubStream(h)}");
                }
            }

            asked.RemoveAll(h => !hosts.Contains(h, StringComparer.Ordinal));
        }

        byte[] request = FleetCodec.Encode(new ExtractRequest { FromNs = fromNs, ToNs = toNs, Filter = expression, Format = "pcap" }, FleetJson.Default.ExtractRequest);
        ServiceReply[] replies = await Task.WhenAll(asked.Select(h => ExtractOnAsync(h, request, cancellationToken))).ConfigureAwait(false);
        var streams = new List<ChunkedReadStream>();
        try
        {
            var readers = new List<PcapStreamReader>();
            for (int i = 0; i < asked.Count; i++)
            {
                string host = asked[i];
                string id = replies[i].Id!;
                var stream = new ChunkedReadStream((offset, length, ct) => ChunkAsync(host, id, offset, length, ct), replies[i].Bytes, $"host {host}'s extract {id}");
                streams.Add(stream);
                readers.Add(await Task.Run(() => new PcapStreamReader(stream, $"host {host}'s extract {id}"), cancellationToken).ConfigureAwait(false));
            }

            (long[] perHost, long written) = await Task.Run(() => PcapMerge.Run(readers, output, format), cancellationToken).ConfigureAwait(false);
            var parts = new List<HostExtract>();
            for (int i = 0; i < asked.Count; i++)
            {
                parts.Add(new HostExtract(asked[i], replies[i].Id!, replies[i].Bytes, replies[i].Packets, perHost[i]));
            }

            return new ExtractResult(parts, written, found);
        }
        finally
        {
            foreach (ChunkedReadStream s in streams)
            {
                await s.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Puts the desired configuration of <paramref name="host"/> (null: every host, key <c>all</c>); the new revision. Creates the bucket (history 5) when missing.</summary>
    /// <exception cref="FleetUsageException">Not a valid host name.</exception>
    public async Task<ulong> ConfigSetAsync(string? host, string text, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        string key = ConfigKey(host);
        INatsKVStore store = (await StoreAsync(FleetNames.ConfigBucket, create: true, cancellationToken).ConfigureAwait(false))!;
        return await store.PutAsync(key, Encoding.UTF8.GetBytes(text), cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The desired configuration of <paramref name="host"/> (null: key <c>all</c>); null when there is none.</summary>
    /// <exception cref="FleetUsageException">Not a valid host name.</exception>
    public async Task<ConfigEntry?> ConfigGetAsync(string? host, CancellationToken cancellationToken = default)
    {
        string key = ConfigKey(host);
        INatsKVStore? store = await StoreAsync(FleetNames.ConfigBucket, create: false, cancellationToken).ConfigureAwait(false);
        if (store is null)
        {
            return null;
        }

        NatsResult<NatsKVEntry<byte[]>> entry = await store.TryGetEntryAsync<byte[]>(key, cancellationToken: cancellationToken).ConfigureAwait(false);
        return entry.Success ? new ConfigEntry(key, Encoding.UTF8.GetString(entry.Value.Value ?? []), entry.Value.Revision) : null;
    }

    /// <summary>Deletes the desired configuration of <paramref name="host"/> (null: key <c>all</c>); false when there was none.</summary>
    /// <exception cref="FleetUsageException">Not a valid host name.</exception>
    public async Task<bool> ConfigDeleteAsync(string? host, CancellationToken cancellationToken = default)
    {
        if (await ConfigGetAsync(host, cancellationToken).ConfigureAwait(false) is not { } entry)
        {
            return false;
        }

        INatsKVStore store = (await StoreAsync(FleetNames.ConfigBucket, create: false, cancellationToken).ConfigureAwait(false))!;
        await store.DeleteAsync(entry.Key, cancellationToken: cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>A host's service <paramref name="verb"/> (status, start, stop): its reply.</summary>
    /// <exception cref="FleetUsageException">Not a valid host name.</exception>
    /// <exception cref="FleetHostException">The host does not answer, or refuses (its error).</exception>
    public async Task<ServiceReply> RequestAsync(string host, string verb, CancellationToken cancellationToken = default)
    {
        CheckHostName(host);
        ArgumentNullException.ThrowIfNull(verb);
        NatsMsg<byte[]> msg = await AskAsync(host, verb, [], cancellationToken).ConfigureAwait(false);
        return Reply(host, verb, msg);
    }

    /// <exception cref="FleetUsageException">Not a valid host name.</exception>
    public static void CheckHostName(string? host)
    {
        if (!FleetNames.IsValidHost(host))
        {
            throw new FleetUsageException($"'{host}': not a host name (letters, digits, '_' and '-', at most 64)");
        }
    }

    private static string ConfigKey(string? host)
    {
        if (host is null)
        {
            return FleetNames.AllHostsKey;
        }

        CheckHostName(host);
        return FleetNames.HostKey(host);
    }

    private static ulong NowNs() => (ulong)(DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;

    private async Task<ServiceReply> ExtractOnAsync(string host, byte[] request, CancellationToken cancellationToken)
    {
        ServiceReply reply = Reply(host, "extract", await AskAsync(host, "extract", request, cancellationToken).ConfigureAwait(false));
        return reply.Id is { Length: > 0 } && reply.Bytes >= 0
            ? reply : throw new FleetHostException(host, $"host {host}: extract: the reply has no extract id");
    }

    private async Task<ReadOnlyMemory<byte>> ChunkAsync(string host, string id, long offset, int length, CancellationToken cancellationToken)
    {
        byte[] request = FleetCodec.Encode(new ChunkRequest { Id = id, Offset = offset, Length = length }, FleetJson.Default.ChunkRequest);
        NatsMsg<byte[]> msg = await AskAsync(host, "chunk", request, cancellationToken).ConfigureAwait(false);
        if (msg.Headers is { } headers && headers.TryGetValue(ChunkErrorHeader, out var error))
        {
            throw new FleetHostException(host, $"host {host}: chunk at byte {offset} of extract {id}: {error}");
        }

        return msg.Data ?? [];
    }

    private static ServiceReply Reply(string host, string verb, NatsMsg<byte[]> msg)
    {
        ServiceReply reply;
        try
        {
            reply = FleetCodec.Decode(msg.Data ?? [], FleetJson.Default.ServiceReply, $"host {host}'s {verb} reply");
        }
        catch (FleetProtocolException e)
        {
            throw new FleetHostException(host, e.Message, e);
        }

        return reply.Ok ? reply : throw new FleetHostException(host, $"host {host}: {verb}: {reply.Error ?? "refused (no reason given)"}");
    }

    /// <summary>Core NATS request/reply to the host's service.</summary>
    private async Task<NatsMsg<byte[]>> AskAsync(string host, string verb, byte[] payload, CancellationToken cancellationToken)
    {
        try
        {
            NatsMsg<byte[]> msg = await _nats.RequestAsync<byte[], byte[]>(
                FleetNames.ServiceSubject(host, verb), payload,
                replyOpts: new NatsSubOpts { Timeout = _options.RequestTimeout, ThrowIfNoResponders = true },
                cancellationToken: cancellationToken).ConfigureAwait(false);
            return msg.HasNoResponders ? throw new NatsNoRespondersException() : msg;
        }
        catch (NatsNoRespondersException e)
        {
            throw new FleetHostException(host, $"host {host} does not answer (not running, or its leaf is cut off from the hub)", e);
        }
        catch (Exception e) when (e is NatsNoReplyException or TimeoutException)
        {
            throw new FleetHostException(host, $"host {host} did not answer {verb} within {_options.RequestTimeout.TotalSeconds:0} s", e);
        }
    }

    /// <summary>Reads the index records and events of one hub stream from its start until caught up (a fetch that finds nothing more pending).</summary>
    private Task ReadStreamAsync(string stream, string subject, FindSelection selection, CancellationToken cancellationToken) =>
        StreamSubjectReader.ReadAsync(_js, stream, subject, msg => selection.AddMessage(msg.Subject, msg.Data ?? []), cancellationToken);

    /// <summary>A KV bucket of the hub; null when it does not exist and <paramref name="create"/> is false.</summary>
    private async Task<INatsKVStore?> StoreAsync(string bucket, bool create, CancellationToken cancellationToken)
    {
        try
        {
            return await _kv.GetStoreAsync(bucket, cancellationToken).ConfigureAwait(false);
        }
        catch (NatsJSApiException e) when (e.Error.Code == 404)
        {
            if (!create)
            {
                return null;
            }
        }

        try
        {
            return await _kv.CreateStoreAsync(new NatsKVConfig(bucket) { History = 5, NumberOfReplicas = _options.ConfigReplicas }, cancellationToken).ConfigureAwait(false);
        }
        catch (NatsJSApiException) when (_options.ConfigReplicas > 1)
        {
            // A hub of one server cannot hold R3: it gets one replica rather than no bucket.
            return await _kv.CreateOrUpdateStoreAsync(new NatsKVConfig(bucket) { History = 5, NumberOfReplicas = 1 }, cancellationToken).ConfigureAwait(false);
        }
    }
}
