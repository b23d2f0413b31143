using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using NATS.Client.KeyValueStore;
using RemapDaemon.Fleet.Messages;

namespace RemapDaemon.Fleet.Sensor;

/// <summary>
/// remapd's side of the fleet (docs/fleet.md), beside a running capture. Two loops on the
/// thread pool, never on the capture's threads:
/// <list type="bullet">
/// <item>the publisher: every interval, statistics, the store's new and deleted files (index
/// records, rotation and deletion events) and any drop or disk-full alarm are queued and then
/// published into the stream <c>REMAPD</c> on the host's own leaf server, each with a message id
/// (the leaf drops a repeat within its duplicate window; file records are keyed by the file, so
/// a restart does not publish them twice). What the leaf cannot take waits in memory, in order,
/// and goes out when it can (statistics beyond <see cref="FleetSensorOptions.MaxPending"/> are
/// dropped oldest first and counted; records and events are never dropped);</item>
/// <item>the hub loop: makes sure the hub sources this host's stream (<c>FLEET_HOST</c>, R3),
/// puts the heartbeat into <c>remapd-alive</c> and reads the desired configuration from
/// <c>remapd-config</c>, applying a new revision through <see cref="ICaptureControl.Apply"/>.
/// A hub that does not answer costs this loop a timeout, nothing else: the leaf keeps the
/// stream, and the hub takes what it missed when it is back.</item>
/// </list>
/// The service (status, start, stop, extract, chunk) answers on <c>remapd.svc.HOST.*</c>.
/// </summary>
public sealed class FleetSensor : IAsyncDisposable
{
    private static readonly TimeSpan HubTimeout = TimeSpan.FromSeconds(4);
    private const int MaxFlows = 8000;

    private readonly FleetSensorOptions _o;
    private readonly ICaptureControl _capture;
    private readonly ILogger _logger;
    private readonly string _run;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly Lock _tickGate = new();
    private readonly LinkedList<Outgoing> _pending = new();
    private readonly HashSet<string> _published = new(StringComparer.Ordinal);
    private readonly HashSet<string> _deleted = new(StringComparer.Ordinal);
    private readonly Extracts _extracts;
    private readonly SemaphoreSlim _wake = new(0);
    private NatsConnection? _nats;
    private Task? _publisher;
    private Task? _hub;
    private Task? _service;
    private ulong _statsSeq;
    private ulong _eventSeq;
    private ulong _messages;
    private ulong _bytes;
    private long _statsDropped;
    private ulong _lastDrops;
    private long _lastDiskFull;
    private ulong _allRevision;
    private ulong _hostRevision;
    private bool _configSeen;
    private ConfigState _config = new();
    private bool _storeLoaded;

    public FleetSensor(FleetSensorOptions options, ICaptureControl capture, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!FleetNames.IsValidHost(options.Host))
        {
            throw new ArgumentException($"--fleet-host '{options.Host}': letters, digits, '_' and '-' only, at most 64 (a NATS subject token and a JetStream domain)");
        }

        if (!FleetNames.IsValidHost(options.HubDomain))
        {
            throw new ArgumentException($"--fleet-hub-domain '{options.HubDomain}': letters, digits, '_' and '-' only, at most 64");
        }

        if (options.HubDomain == options.Host)
        {
            throw new ArgumentException($"--fleet-host '{options.Host}' is the hub's JetStream domain: give the host another name");
        }

        _o = options;
        _capture = capture ?? throw new ArgumentNullException(nameof(capture));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _run = string.Create(CultureInfo.InvariantCulture, $"{NowNs():x}-{Environment.ProcessId}");
        _extracts = new Extracts(options, logger);
        if (options.Started is ({ } desired, { } decision))
        {
            _configSeen = true;
            _allRevision = desired.AllRevision;
            _hostRevision = desired.HostRevision;
            _config = new ConfigState { AllRevision = desired.AllRevision, HostRevision = desired.HostRevision, Applied = decision.Applied, Error = decision.Error, RestartKeys = decision.RestartKeys };
        }
    }

    /// <summary>Messages the leaf has taken from this process, and their payload bytes.</summary>
    public (ulong Messages, ulong Bytes) Published
    {
        get
        {
            lock (_gate)
            {
                return (_messages, _bytes);
            }
        }
    }

    /// <summary>Starts both loops and the service; returns at once (the leaf may not be up yet).</summary>
    public void Start()
    {
        Log.Starting(_logger, _o.Host, _o.Url, _o.Interval.TotalSeconds, _o.HubDomain);
        if (_o.Started is ({ } desired, _))
        {
            Log.StartingWithDesired(_logger, desired.AllRevision, desired.HostRevision, _o.DesiredConfigPath ?? "");
        }

        Enqueue(Event(HostEventKinds.Start, $"capturing on {_o.Interface}" + (_o.StoreDirectory is null ? "" : $" into the store {_o.StoreDirectory}")));
        _nats = new NatsConnection(NatsOpts.Default with
        {
            Url = _o.Url,
            Name = $"remapd {_o.Host}",
            RetryOnInitialConnect = true,
            MaxReconnectRetry = -1,
            ReconnectWaitMin = TimeSpan.FromMilliseconds(500),
            ReconnectWaitMax = TimeSpan.FromSeconds(2),
            ConnectTimeout = TimeSpan.FromSeconds(3),
            RequestTimeout = HubTimeout,
            CommandTimeout = HubTimeout,
        });
        _publisher = Task.Run(PublisherAsync);
        _hub = Task.Run(HubAsync);
        _service = Task.Run(ServiceAsync);
    }

    /// <summary>The status as the service, the heartbeat and the statistics give it.</summary>
    public HostStats Status()
    {
        CaptureSnapshot s = _capture.Snapshot();
        lock (_gate)
        {
            return new HostStats
            {
                Host = _o.Host,
                Run = _run,
                Seq = _statsSeq,
                TimeNs = NowNs(),
                IntervalNs = (ulong)_o.Interval.Ticks * 100,
                State = s.Paused ? "stopped" : "capturing",
                Interface = _o.Interface,
                Filter = s.Filter,
                Packets = s.Packets,
                Bytes = s.Bytes,
                Seen = s.Seen,
                Filtered = s.Filtered,
                Drops = s.Drops,
                Store = new StoreCounts { Files = s.StoreFiles, Bytes = s.StoreBytes, DeletedFiles = s.DeletedFiles },
                Config = _config,
                MessagesPublished = _messages,
                BytesPublished = _bytes,
            };
        }
    }

    /// <summary>Publishes the stop event and what still waits (a few seconds at most), then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_nats is null)
        {
            return;
        }

        lock (_tickGate)
        {
            if (_storeLoaded && _o.StoreDirectory is not null)
            {
                ScanStore(_o.StoreDirectory); // the file completed at the stop
            }

            Enqueue(StatsMessage());
            Enqueue(Event(HostEventKinds.Stop, "capture stopped"));
        }

        _wake.Release();
        var deadline = Stopwatch.StartNew();
        while (PendingCount() > 0 && deadline.Elapsed < TimeSpan.FromSeconds(3))
        {
            await Task.Delay(50).ConfigureAwait(false);
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (Task? t in new[] { _publisher, _hub, _service })
        {
            if (t is not null)
            {
                try
                {
                    await t.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
                }
                catch (Exception e) when (e is OperationCanceledException or TimeoutException or NatsException)
                {
                }
            }
        }

        (ulong messages, ulong bytes) = Published;
        Log.Stopped(_logger, messages, bytes, PendingCount());
        await _nats.DisposeAsync().ConfigureAwait(false);
        _extracts.Dispose();
        _stop.Dispose();
        _wake.Dispose();
    }

    private async Task PublisherAsync()
    {
        CancellationToken ct = _stop.Token;
        NatsConnection nats = _nats!;
        var js = new NatsJSContext(nats);
        bool down = false;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (!_storeLoaded)
                {
                    await EnsureHostStreamAsync(js, ct).ConfigureAwait(false);
                    await LoadPublishedAsync(js, ct).ConfigureAwait(false);
                    _storeLoaded = true;
                    down = false;
                }

                lock (_tickGate)
                {
                    Tick();
                }

                await FlushAsync(js, ct).ConfigureAwait(false);
                down = false;
            }
            catch (Exception e) when (e is NatsException or TimeoutException or NatsJSApiException)
            {
                if (!down)
                {
                    Log.LeafDown(_logger, _o.Url, e.Message, _o.MaxPending);
                    down = true;
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }

            try
            {
                await _wake.WaitAsync(down ? TimeSpan.FromSeconds(1) : _o.Interval, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // A last flush of what stop queued happens in DisposeAsync's wait; here we end.
                break;
            }
        }
    }

    /// <summary>One interval's messages: the store's changes, the statistics, the alarms.</summary>
    private void Tick()
    {
        _extracts.Expire();
        if (_o.StoreDirectory is not null)
        {
            ScanStore(_o.StoreDirectory);
        }

        CaptureSnapshot s = _capture.Snapshot();
        Enqueue(StatsMessage());
        if (s.Drops.Total > _lastDrops)
        {
            ulong more = s.Drops.Total - _lastDrops;
            Enqueue(Event(HostEventKinds.Drops, string.Create(CultureInfo.InvariantCulture,
                $"{more} packets dropped in the last interval ({s.Drops.Total} in all: queue full {s.Drops.QueueFull}, no window {s.Drops.NoWindow}, output too slow {s.Drops.OutputTooSlow}, disk full {s.Drops.DiskFull})"),
                packets: more));
        }

        _lastDrops = s.Drops.Total;
        if (s.DiskFullEvents > _lastDiskFull)
        {
            Enqueue(Event(HostEventKinds.DiskFull, $"the store's file system was full ({s.DiskFullEvents} times since the start); packets are dropped until there is room"));
        }

        _lastDiskFull = s.DiskFullEvents;
    }

    /// <summary>Index records and rotation events for complete files not yet published; deletion events for published files gone.</summary>
    private void ScanStore(string directory)
    {
        Store.StoreListing listing;
        try
        {
            listing = Store.StoreListing.Scan(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }

        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (Store.StoredFile f in listing.Files)
        {
            if (!IsOurs(f.Capture))
            {
                continue;
            }

            present.Add(f.Name);
            if (_published.Contains(f.Name) || _deleted.Contains(f.Name))
            {
                continue;
            }

            IndexRecord record = RecordOf(f);
            _published.Add(f.Name);
            Enqueue(new Outgoing(FleetNames.IndexSubject(_o.Host), FleetNames.IndexMessageId(_o.Host, f.Name), FleetCodec.Encode(record, FleetJson.Default.IndexRecord), false));
            Enqueue(new Outgoing(FleetNames.EventSubject(_o.Host), $"{_o.Host}/rotation/{f.Name}",
                FleetCodec.Encode(EventRecord(HostEventKinds.Rotation, $"{f.Name} complete: {record.Packets} packets, {f.Size} bytes", f.Name, record.Packets, (ulong)f.Size), FleetJson.Default.HostEvent), false));
        }

        foreach (string name in _published.Where(n => !present.Contains(n) && !_deleted.Contains(n)).ToList())
        {
            _deleted.Add(name);
            Enqueue(new Outgoing(FleetNames.EventSubject(_o.Host), FleetNames.DeletedMessageId(_o.Host, name),
                FleetCodec.Encode(EventRecord(HostEventKinds.Deleted, $"{name} deleted from the store", name, 0, 0), FleetJson.Default.HostEvent), false));
        }
    }

    private bool IsOurs(string capture) =>
        _o.CaptureName is null || capture == _o.CaptureName
        || (capture.StartsWith(_o.CaptureName + ".", StringComparison.Ordinal) && int.TryParse(capture.AsSpan(_o.CaptureName.Length + 1), NumberStyles.None, CultureInfo.InvariantCulture, out _));

    private IndexRecord RecordOf(Store.StoredFile f)
    {
        byte[]? bytes = null;
        try
        {
            bytes = File.ReadAllBytes(f.IndexPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        Store.Index.IndexFile? index = bytes is null ? null : Store.Index.IndexFile.TryParse(bytes, f.Size);
        byte[]? table = index is null ? null : Store.Index.IndexFile.FlowTableOf(bytes);
        bool complete = table is not null && index!.Flows.Count <= MaxFlows;
        return new IndexRecord
        {
            Host = _o.Host,
            Capture = f.Capture,
            File = f.Name,
            Size = f.Size,
            FirstNs = index?.FirstNs ?? f.StartNs,
            LastNs = index?.LastNs ?? (ulong)(f.ClosedUtc - DateTime.UnixEpoch).Ticks * 100,
            Packets = index?.Packets ?? 0,
            LinkType = index?.LinkType ?? 1,
            Format = f.Name.EndsWith(".pcapng", StringComparison.Ordinal) ? "pcapng" : "pcap",
            FlowsComplete = complete,
            Flows = complete ? Convert.ToBase64String(table!) : "",
        };
    }

    private async Task EnsureHostStreamAsync(NatsJSContext js, CancellationToken ct)
    {
        var config = new StreamConfig(FleetNames.HostStream, [FleetNames.DataSubjects(_o.Host)])
        {
            Storage = StreamConfigStorage.File,
            NumReplicas = 1,
            DuplicateWindow = TimeSpan.FromHours(1),
            MaxBytes = 256L << 20,
            MaxAge = TimeSpan.FromDays(7),
            Discard = StreamConfigDiscard.Old,
        };
        await js.CreateOrUpdateStreamAsync(config, ct).ConfigureAwait(false);
    }

    /// <summary>The files whose index record and whose deletion the host's stream already holds (a restart publishes neither again).</summary>
    private async Task LoadPublishedAsync(NatsJSContext js, CancellationToken ct)
    {
        INatsJSStream stream = await js.GetStreamAsync(FleetNames.HostStream, cancellationToken: ct).ConfigureAwait(false);
        if (stream.Info.State.Messages > 0)
        {
            await StreamSubjectReader.ReadAsync(js, FleetNames.HostStream, FleetNames.IndexSubject(_o.Host), m => Remember(m.Subject, m.Data), ct).ConfigureAwait(false);
            await StreamSubjectReader.ReadAsync(js, FleetNames.HostStream, FleetNames.EventSubject(_o.Host), m => Remember(m.Subject, m.Data), ct).ConfigureAwait(false);
        }

        Log.Connected(_logger, _o.Url, FleetNames.HostStream, _published.Count, _deleted.Count);
    }

    private void Remember(string subject, byte[]? data)
    {
        if (data is null)
        {
            return;
        }

        try
        {
            if (subject == FleetNames.IndexSubject(_o.Host))
            {
                _published.Add(FleetCodec.Decode(data, FleetJson.Default.IndexRecord, "index record").File);
            }
            else if (FleetCodec.Decode(data, FleetJson.Default.HostEvent, "event") is { Kind: HostEventKinds.Deleted, File: string f })
            {
                _deleted.Add(f);
            }
        }
        catch (FleetProtocolException)
        {
            // Not ours to judge here: a record that does not parse is left alone.
        }
    }

    private async Task FlushAsync(NatsJSContext js, CancellationToken ct)
    {
        while (true)
        {
            Outgoing next;
            lock (_gate)
            {
                if (_pending.First is null)
                {
                    return;
                }

                next = _pending.First.Value;
            }

            PubAckResponse ack = await js.PublishAsync(next.Subject, next.Data, opts: new NatsJSPubOpts { MsgId = next.MsgId }, cancellationToken: ct).ConfigureAwait(false);

            // Not EnsureSuccess: it throws on a duplicate, which here is the leaf saying it has the message already.
            if (ack.Error is { } error)
            {
                throw new NatsJSApiException(error);
            }

            lock (_gate)
            {
                _pending.RemoveFirst();
                if (!ack.Duplicate)
                {
                    _messages++;
                    _bytes += (ulong)next.Data.Length;
                }
            }
        }
    }

    private async Task HubAsync()
    {
        CancellationToken ct = _stop.Token;
        NatsConnection nats = _nats!;
        var hub = new NatsJSContext(nats, new NatsJSOpts(nats.Opts, domain: _o.HubDomain));
        var kv = new NatsKVContext(hub);
        INatsKVStore? config = null;
        bool alive = false;
        bool sourced = false;
        bool down = false;
        string step = "";
        TimeSpan poll = TimeSpan.FromSeconds(Math.Min(_o.Interval.TotalSeconds, 1));
        DateTime nextBeat = DateTime.MinValue;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(HubTimeout * 3);
                step = "the stream sourcing this host";
                if (!sourced)
                {
                    await EnsureHubStreamAsync(hub, timeout.Token).ConfigureAwait(false);
                    sourced = true;
                }

                step = "the buckets";
                config ??= await OpenBucketAsync(kv, FleetNames.ConfigBucket, 5, timeout.Token).ConfigureAwait(false);
                if (!alive)
                {
                    await OpenBucketAsync(kv, FleetNames.AliveBucket, 1, timeout.Token).ConfigureAwait(false);
                    alive = true;
                }

                step = "the desired configuration";
                await ReadConfigAsync(config, timeout.Token).ConfigureAwait(false);
                if (DateTime.UtcNow >= nextBeat)
                {
                    step = "the heartbeat";
                    await PutAcrossDomainAsync(nats, FleetNames.AliveBucket, _o.Host, FleetCodec.Encode(Status(), FleetJson.Default.HostStats), timeout.Token).ConfigureAwait(false);
                    nextBeat = DateTime.UtcNow + _o.Interval;
                }

                down = false;
            }
            catch (Exception e) when (e is NatsException or TimeoutException or NatsJSApiException or OperationCanceledException && !ct.IsCancellationRequested)
            {
                if (!down)
                {
                    Log.HubDown(_logger, _o.HubDomain, step, e.Message);
                    down = true;
                }
            }

            try
            {
                await Task.Delay(poll, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>
    /// A KV put into the hub's domain from the leaf: published on the domain's API prefix
    /// (<c>$JS.DOMAIN.API.$KV.BUCKET.KEY</c>, which the hub maps to the bucket's subject), because
    /// the bucket's own subject has no interest across a JetStream leaf connection and
    /// NATS.Client.KeyValueStore 3.3.2 does not add the prefix itself (its put then finds no
    /// responder). The acknowledgement is checked like any JetStream publish's.
    /// </summary>
    private async Task PutAcrossDomainAsync(NatsConnection nats, string bucket, string key, byte[] value, CancellationToken ct)
    {
        NatsMsg<byte[]> ack = await nats.RequestAsync<byte[], byte[]>($"$JS.{_o.HubDomain}.API.$KV.{bucket}.{key}", value, cancellationToken: ct).ConfigureAwait(false);
        string text = System.Text.Encoding.UTF8.GetString(ack.Data ?? []);
        if (ack.HasNoResponders || !text.Contains("\"seq\"", StringComparison.Ordinal))
        {
            throw new NatsException($"the put into {bucket} was refused: {(ack.HasNoResponders ? "no responders" : text)}");
        }
    }

    private async Task EnsureHubStreamAsync(NatsJSContext hub, CancellationToken ct)
    {
        string name = FleetNames.HubStream(_o.Host);
        var config = new StreamConfig(name, [])
        {
            Storage = StreamConfigStorage.File,
            NumReplicas = _o.Replicas,
            DuplicateWindow = TimeSpan.FromHours(1),
            Sources = [new StreamSource { Name = FleetNames.HostStream, External = new ExternalStreamSource { Api = $"$JS.{_o.Host}.API" } }],
        };
        try
        {
            await hub.CreateStreamAsync(config, ct).ConfigureAwait(false);
        }
        catch (NatsJSApiException e) when (e.Error.ErrCode == 10058)
        {
            // "stream name already in use": made by an earlier run (its sources are this host's).
        }

        Log.HubReady(_logger, _o.HubDomain, name, _o.Replicas);
    }

    private async Task<INatsKVStore> OpenBucketAsync(NatsKVContext kv, string bucket, long history, CancellationToken ct)
    {
        try
        {
            return await kv.GetStoreAsync(bucket, ct).ConfigureAwait(false);
        }
        catch (NatsKVException)
        {
        }
        catch (NatsJSApiException e) when (e.Error.Code == 404)
        {
        }

        try
        {
            return await kv.CreateStoreAsync(new NatsKVConfig(bucket) { History = history, NumberOfReplicas = _o.Replicas }, ct).ConfigureAwait(false);
        }
        catch (NatsJSApiException)
        {
            // Made meanwhile by another host.
            return await kv.GetStoreAsync(bucket, ct).ConfigureAwait(false);
        }
    }

    /// <summary>The desired configuration's two keys; a new revision of either is applied (or refused) as a whole.</summary>
    private async Task ReadConfigAsync(INatsKVStore config, CancellationToken ct)
    {
        (ulong allRev, string? all) = await ReadKeyAsync(config, FleetNames.AllHostsKey, ct).ConfigureAwait(false);
        (ulong hostRev, string? own) = await ReadKeyAsync(config, FleetNames.HostKey(_o.Host), ct).ConfigureAwait(false);
        if (_configSeen && allRev == _allRevision && hostRev == _hostRevision)
        {
            return;
        }

        bool first = !_configSeen;
        _configSeen = true;
        _allRevision = allRev;
        _hostRevision = hostRev;
        if (first && all is null && own is null)
        {
            return; // nothing desired: the command line's configuration stays, and nothing is said
        }

        ConfigDecision d = _capture.Apply(all, own);
        var state = new ConfigState { AllRevision = allRev, HostRevision = hostRev, Applied = d.Applied, Error = d.Error, RestartKeys = d.RestartKeys };
        lock (_gate)
        {
            _config = state;
        }

        if (d.Applied && _o.DesiredConfigPath is string path)
        {
            try
            {
                new DesiredConfig { AllRevision = allRev, HostRevision = hostRev, All = all, Host = own }.Save(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Log.DesiredNotSaved(_logger, path, e.Message);
            }
        }

        if (d.Applied)
        {
            string restart = d.RestartKeys.Count == 0 ? "" : $"; at the next restart: {string.Join(", ", d.RestartKeys)}";
            Log.ConfigApplied(_logger, allRev, hostRev, restart);
            Enqueue(Event(HostEventKinds.ConfigApplied, string.Create(CultureInfo.InvariantCulture, $"configuration all rev {allRev}, host rev {hostRev} applied{restart}")));
        }
        else
        {
            Log.ConfigRefused(_logger, allRev, hostRev, d.Error ?? "");
            Enqueue(Event(HostEventKinds.ConfigRefused, string.Create(CultureInfo.InvariantCulture, $"configuration all rev {allRev}, host rev {hostRev} refused, the running one kept: {d.Error}")));
        }

        _wake.Release();
    }

    private static async Task<(ulong Revision, string? Text)> ReadKeyAsync(INatsKVStore store, string key, CancellationToken ct)
    {
        NatsResult<NatsKVEntry<byte[]>> r = await store.TryGetEntryAsync<byte[]>(key, cancellationToken: ct).ConfigureAwait(false);
        if (!r.Success)
        {
            return r.Error is NatsKVKeyNotFoundException or NatsKVKeyDeletedException ? (0, null) : throw r.Error;
        }

        NatsKVEntry<byte[]> e = r.Value;
        return e.Operation != NatsKVOperation.Put ? (e.Revision, null) : (e.Revision, System.Text.Encoding.UTF8.GetString(e.Value ?? []));
    }

    private async Task ServiceAsync()
    {
        CancellationToken ct = _stop.Token;
        NatsConnection nats = _nats!;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await foreach (NatsMsg<byte[]> msg in nats.SubscribeAsync<byte[]>(FleetNames.ServiceSubject(_o.Host, "*"), cancellationToken: ct).ConfigureAwait(false))
                {
                    _ = Task.Run(() => AnswerAsync(msg, ct), ct);
                }
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (NatsException)
            {
                await Task.Delay(1000, ct).ConfigureAwait(false);
            }
        }
    }

    private async Task AnswerAsync(NatsMsg<byte[]> msg, CancellationToken ct)
    {
        string verb = msg.Subject[(msg.Subject.LastIndexOf('.') + 1)..];
        if (verb != "chunk")
        {
            Log.Request(_logger, verb, msg.ReplyTo ?? "(no reply subject)");
        }

        try
        {
            switch (verb)
            {
                case "status":
                    await ReplyAsync(msg, new ServiceReply { Ok = true, Status = Status() }, ct).ConfigureAwait(false);
                    break;
                case "stop":
                case "start":
                    bool pause = verb == "stop";
                    bool was = _capture.Snapshot().Paused;
                    _capture.Pause(pause);
                    if (was != pause)
                    {
                        Enqueue(Event(pause ? HostEventKinds.Paused : HostEventKinds.Resumed, pause ? "capture stopped by the fleet: no packet is written until start" : "capture started again by the fleet"));
                        _wake.Release();
                    }

                    await ReplyAsync(msg, new ServiceReply { Ok = true, Status = Status() }, ct).ConfigureAwait(false);
                    break;
                case "extract":
                    ExtractRequest request = FleetCodec.Decode(msg.Data ?? [], FleetJson.Default.ExtractRequest, "extract request");
                    ServiceReply reply = await Task.Run(() => _extracts.Run(request), ct).ConfigureAwait(false);
                    await ReplyAsync(msg, reply, ct).ConfigureAwait(false);
                    break;
                case "chunk":
                    ChunkRequest chunk = FleetCodec.Decode(msg.Data ?? [], FleetJson.Default.ChunkRequest, "chunk request");
                    byte[] data = _extracts.Read(chunk);
                    await msg.ReplyAsync(data, cancellationToken: ct).ConfigureAwait(false);
                    break;
                default:
                    await ReplyAsync(msg, Refuse(verb, $"no such request '{verb}' (status, start, stop, extract, chunk)"), ct).ConfigureAwait(false);
                    break;
            }
        }
        catch (Exception e) when (e is FleetProtocolException or ExtractException)
        {
            if (verb == "chunk")
            {
                Log.RequestRefused(_logger, verb, e.Message);
                await msg.ReplyAsync(Array.Empty<byte>(), headers: new NatsHeaders { ["Remapd-Error"] = e.Message }, cancellationToken: ct).ConfigureAwait(false);
            }
            else
            {
                await ReplyAsync(msg, Refuse(verb, e.Message), ct).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is NatsException or OperationCanceledException)
        {
            // The requester is gone, or we stop: nobody to answer.
        }
    }

    private ServiceReply Refuse(string verb, string error)
    {
        Log.RequestRefused(_logger, verb, error);
        return new ServiceReply { Ok = false, Error = error };
    }

    private static ValueTask ReplyAsync(NatsMsg<byte[]> msg, ServiceReply reply, CancellationToken ct) =>
        msg.ReplyAsync(FleetCodec.Encode(reply, FleetJson.Default.ServiceReply), cancellationToken: ct);

    private Outgoing StatsMessage()
    {
        HostStats s = Status();
        ulong seq;
        lock (_gate)
        {
            seq = ++_statsSeq;
        }

        s = s with { Seq = seq };
        return new Outgoing(FleetNames.StatsSubject(_o.Host), FleetNames.RunMessageId(_o.Host, "stats", _run, seq), FleetCodec.Encode(s, FleetJson.Default.HostStats), true);
    }

    private Outgoing Event(string kind, string message, ulong packets = 0)
    {
        HostEvent e = EventRecord(kind, message, null, packets, 0);
        return new Outgoing(FleetNames.EventSubject(_o.Host), FleetNames.RunMessageId(_o.Host, "event", _run, e.Seq), FleetCodec.Encode(e, FleetJson.Default.HostEvent), false);
    }

    private HostEvent EventRecord(string kind, string message, string? file, ulong packets, ulong bytes)
    {
        ulong seq;
        lock (_gate)
        {
            seq = ++_eventSeq;
        }

        return new HostEvent { Host = _o.Host, Run = _run, Seq = seq, TimeNs = NowNs(), Kind = kind, Message = message, File = file, Packets = packets, Bytes = bytes };
    }

    private void Enqueue(Outgoing m)
    {
        lock (_gate)
        {
            _pending.AddLast(m);
            if (_pending.Count <= _o.MaxPending)
            {
                return;
            }

            // Over the bound: the oldest statistics go (a later one says more); records and events stay.
            for (LinkedListNode<Outgoing>? n = _pending.First; n is not null; n = n.Next)
            {
                if (n.Value.IsStats)
                {
                    _pending.Remove(n);
                    if (++_statsDropped % 1000 == 1)
                    {
                        Log.PendingDropped(_logger, _statsDropped, _o.MaxPending);
                    }

                    return;
                }
            }
        }
    }

    private int PendingCount()
    {
        lock (_gate)
        {
            return _pending.Count;
        }
    }

    private static ulong NowNs() => (ulong)(DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;

    private sealed record Outgoing(string Subject, string MsgId, byte[] Data, bool IsStats);
}
