using System.Globalization;
using System.Reflection;
using CommandLine;
using RemapDaemon.Cli;
using RemapDaemon.Engine;
using RemapDaemon.Filtering;
using RemapDaemon.Fleet;
using RemapDaemon.Fleet.Messages;
using RemapDaemon.Fleet.Sensor;
using RemapDaemon.Remapd.Cli;
using RemapDaemon.Service.Config;
using RemapDaemon.Store;

namespace RemapDaemon.Remapd.Commands;

/// <summary>
/// remapd capture --fleet: the options as a checked <see cref="FleetSensorOptions"/>, and the
/// capture's side of the sensor (<see cref="ICaptureControl"/>): its counters, the desired
/// configuration applied the way SIGHUP applies a file, and the service's stop and start. It
/// stands between the capture loop and its reload source (<see cref="IFilterReloads"/>): a
/// SIGHUP's filter, a fleet's filter and a stop all reach the loop through it, on the loop's
/// thread, so the hook's filter is only ever replaced there, atomically.
/// </summary>
internal sealed class FleetCapture : ICaptureControl, IFilterReloads
{
    /// <summary>Keys a fleet's configuration may not set: a path means nothing on another host; a configuration file does not nest.</summary>
    private static readonly string[] RefusedKeys = ["filter-file", "config"];

    private readonly CaptureOptions _running;
    private readonly StoreStatistics _store;
    private readonly Lock _gate = new();
    private readonly BpfProgram _nothing;
    private BpfProgram? _desired;
    private bool _desiredPending;
    private bool _paused;
    private bool _pauseChanged;
    private CaptureProgress _progress;
    private string _filter;

    internal FleetCapture(CaptureOptions running, BpfProgram? startFilter, StoreStatistics store)
    {
        _running = running;
        _store = store;
        _desired = startFilter;
        _filter = startFilter?.Expression ?? "";

        // Stopped: the hook keeps no packet (a wire length of 0 never occurs), nothing is queued or written.
        _nothing = PacketSelection.CompileFilter("len = 0", running.Snaplen);
    }

    /// <summary>The sensor's options, or null without --fleet; a fleet option without --fleet, or a bad value, is a usage error.</summary>
    internal static FleetSensorOptions? Options(CaptureOptions o, StoreOptions? store)
    {
        if (o.Fleet is null)
        {
            string? stray = o.FleetHost is not null ? "--fleet-host" : o.FleetHubDomain != FleetNames.DefaultHubDomain ? "--fleet-hub-domain"
                : o.FleetInterval != 5.0 ? "--fleet-interval" : o.FleetReplicas != 3 ? "--fleet-replicas" : null;
            return stray is null ? null : throw Usage($"{stray} is an option of a capture in a fleet: give --fleet URL");
        }

        if (!o.Fleet.StartsWith("nats://", StringComparison.Ordinal) && !o.Fleet.StartsWith("tls://", StringComparison.Ordinal))
        {
            throw Usage($"--fleet {o.Fleet}: the local leaf server's URL, e.g. nats://127.0.0.1:4222");
        }

        string host = o.FleetHost ?? DefaultHost();
        if (!FleetNames.IsValidHost(host))
        {
            throw Usage(o.FleetHost is null
                ? $"--fleet: the host name '{host}' is not a fleet name (letters, digits, _ and -, at most 64): give --fleet-host NAME"
                : $"--fleet-host '{host}': letters, digits, _ and - only, at most 64 (a NATS subject token and a JetStream domain)");
        }

        if (!FleetNames.IsValidHost(o.FleetHubDomain) || o.FleetHubDomain == host)
        {
            throw Usage($"--fleet-hub-domain '{o.FleetHubDomain}': letters, digits, _ and -, and not the host's own name");
        }

        if (!double.IsFinite(o.FleetInterval) || o.FleetInterval is < 0.2 or > 3600)
        {
            throw Usage("--fleet-interval: seconds, 0.2 to 3600");
        }

        if (o.FleetReplicas is < 1 or > 5)
        {
            throw Usage("--fleet-replicas: 1 to 5");
        }

        return new FleetSensorOptions
        {
            Url = o.Fleet,
            Host = host,
            HubDomain = o.FleetHubDomain,
            Interval = TimeSpan.FromSeconds(o.FleetInterval),
            Replicas = o.FleetReplicas,
            StoreDirectory = store?.Directory,
            CaptureName = store?.CaptureName,
            Interface = o.Interface,
            DesiredConfigPath = store is null ? null : DesiredConfig.PathFor(store.Directory, store.CaptureName),
        };
    }

    /// <summary>SIGHUP's reload, which this stands in front of (set before the loop runs).</summary>
    internal IFilterReloads Inner { get; set; } = NoReloads.Instance;

    /// <summary>The filter the hook starts with: the command line's, or that of the desired configuration applied last.</summary>
    internal BpfProgram? StartFilter
    {
        get
        {
            lock (_gate)
            {
                return _desired;
            }
        }
    }

    /// <summary>
    /// The desired configuration kept from the last run (<see cref="DesiredConfig"/>), applied
    /// before the capture starts; null when there is none (or no store to keep it in).
    /// </summary>
    internal (DesiredConfig Config, ConfigDecision Decision)? ApplyKept(FleetSensorOptions options)
    {
        if (options.DesiredConfigPath is not string path || DesiredConfig.Load(path) is not { } kept)
        {
            return null;
        }

        ConfigDecision d = Apply(kept.All, kept.Host);
        lock (_gate)
        {
            _desiredPending = false; // in force from the start: no replacement at the first turn
            _filter = _desired?.Expression ?? "";
        }

        return (kept, d);
    }

    /// <summary>The loop's latest progress (the capture's counters; with -j N the members' sum).</summary>
    internal void Report(in CaptureProgress progress)
    {
        lock (_gate)
        {
            _progress = progress;
        }
    }

    public bool TryTake(out BpfProgram? program)
    {
        // A SIGHUP's new filter is the desired one from now on (as a fleet's is).
        bool reloaded = Inner.TryTake(out BpfProgram? fromSignal);
        lock (_gate)
        {
            if (reloaded)
            {
                _desired = fromSignal;
                _desiredPending = true;
            }

            if (_pauseChanged || (_desiredPending && !_paused))
            {
                _pauseChanged = false;
                _desiredPending = false;
                program = _paused ? _nothing : _desired;
                _filter = _desired?.Expression ?? "";
                return true;
            }

            if (_desiredPending)
            {
                // Stopped: the new filter waits for start.
                _desiredPending = false;
                _filter = _desired?.Expression ?? "";
            }

            program = null;
            return false;
        }
    }

    public CaptureSnapshot Snapshot()
    {
        CaptureProgress p;
        bool paused;
        string filter;
        lock (_gate)
        {
            p = _progress;
            paused = _paused;
            filter = _filter;
        }

        var s = p.Stats;
        ulong slow = p.Output.OutputTooSlowDrops;
        ulong Count(string field) => Drops.Reasons.First(r => r.Field == field).Count(in s, slow);
        ulong diskFull = (ulong)_store.DiskFullDrops;
        var drops = new DropCounts
        {
            QueueFull = Count("drop_queue_full"),
            NoWindow = Count("drop_no_window"),
            NoMemory = Count("drop_nomem"),
            TooBig = Count("drop_too_big"),
            MemoryLimit = Count("drop_mem_limit"),
            OutputTooSlow = Count("drop_output_too_slow"),
            DiskFull = diskFull,
        };
        drops = drops with { Total = drops.QueueFull + drops.NoWindow + drops.NoMemory + drops.TooBig + drops.MemoryLimit + drops.OutputTooSlow + drops.DiskFull };
        return new CaptureSnapshot(paused, filter, p.Packets, p.Bytes, s.seen, s.filtered, drops, _store.FilesInStore, _store.BytesInStore,
            _store.DeletedForBytes + _store.DeletedForFree + _store.DeletedForAge, _store.DiskFullEvents);
    }

    public void Pause(bool paused)
    {
        lock (_gate)
        {
            if (_paused != paused)
            {
                _paused = paused;
                _pauseChanged = true;
            }
        }
    }

    /// <summary>
    /// The desired configuration: both keys' text checked as a configuration file is (every key
    /// known, every value converted), merged (the host's key wins), the filter compiled as at
    /// the start; any fault refuses the whole and leaves everything running as it is. A filter
    /// goes to the loop; any other key whose value differs from the running one is reported as
    /// taking effect at the next restart, as SIGHUP reports it.
    /// </summary>
    public ConfigDecision Apply(string? allText, string? hostText)
    {
        var merged = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            foreach ((string name, string? text) in new[] { ($"{FleetNames.ConfigBucket}/{FleetNames.AllHostsKey}", allText), ($"{FleetNames.ConfigBucket}/host", hostText) })
            {
                if (text is null)
                {
                    continue;
                }

                ServiceConfig config = ServiceConfig.FromText(name, text);
                foreach (ConfigEntry e in config.File.Entries)
                {
                    if (RefusedKeys.Contains(e.Key))
                    {
                        throw new ConfigException(name, e.Line, $"'{e.Key}' cannot be set for a fleet (give 'filter = EXPRESSION'; a path means nothing on another host)");
                    }
                }

                foreach ((string key, string value) in config.File.Values())
                {
                    merged[key] = value;
                }
            }
        }
        catch (ConfigException e)
        {
            return new ConfigDecision(false, e.Message, []);
        }

        BpfProgram? filter;
        if (merged.TryGetValue("filter", out string? expression))
        {
            try
            {
                filter = expression.Trim().Length == 0 ? null : PacketSelection.CompileFilter(expression, _running.Snaplen);
            }
            catch (Exception e) when (e is BpfCompileException or DllNotFoundException)
            {
                return new ConfigDecision(false, $"filter '{expression}': {e.Message}", []);
            }
        }
        else
        {
            // No filter desired: the one the command line gave.
            filter = PacketSelection.From(_running).Filter;
        }

        var restart = merged.Where(kv => kv.Key != "filter" && RunningValue(kv.Key) != Normalise(kv.Value)).Select(kv => kv.Key).Order(StringComparer.Ordinal).ToList();
        lock (_gate)
        {
            if ((filter?.Expression ?? "") != (_desired?.Expression ?? ""))
            {
                _desired = filter;
                _desiredPending = true;
            }
        }

        return new ConfigDecision(true, null, restart);
    }

    private static string Normalise(string value) => value.Trim() switch
    {
        "yes" or "true" or "on" => "True",
        "no" or "false" or "off" => "False",
        string v => v,
    };

    /// <summary>The running capture's value of the option <paramref name="key"/> as text ("" when unset).</summary>
    private string RunningValue(string key)
    {
        foreach (PropertyInfo p in typeof(CaptureOptions).GetProperties())
        {
            if (p.GetCustomAttribute<OptionAttribute>() is { LongName: string name } && name == key)
            {
                return p.GetValue(_running) switch
                {
                    null => "",
                    IEnumerable<string> list => string.Join(",", list),
                    IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                    object v => v.ToString() ?? "",
                };
            }
        }

        return "";
    }

    private static string DefaultHost()
    {
        string name = Environment.MachineName;
        int dot = name.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 ? name[..dot] : name;
    }

    private static CommandException Usage(string message) => new(ExitCode.Usage, message);

    /// <summary>No reload source: a capture whose loop is not yet wired.</summary>
    private sealed class NoReloads : IFilterReloads
    {
        internal static readonly NoReloads Instance = new();

        public bool TryTake(out BpfProgram? program)
        {
            program = null;
            return false;
        }
    }
}
