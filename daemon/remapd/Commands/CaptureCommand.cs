using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using RemapDaemon.Cli;
using RemapDaemon.Device;
using RemapDaemon.Device.Errors;
using RemapDaemon.Engine;
using RemapDaemon.Fleet.Sensor;
using RemapDaemon.Output;
using RemapDaemon.Remapd.Cli;
using RemapDaemon.Remapd.Output;
using RemapDaemon.Remapd.Signals;
using RemapDaemon.Service.Metrics;
using RemapDaemon.Service.Systemd;
using RemapDaemon.Store;
using static RemapDaemon.Protocol.Abi.Skbremap;

namespace RemapDaemon.Remapd.Commands;

/// <summary>
/// remapd capture: take SIGHUP, check the options, compile the filter, resolve the interface,
/// open the backend (ABI check first), configure, bind, install the filter, map, start; run the
/// capture loop on its own thread until a signal, -c, -d, -G with -W or the end of a finite
/// source (a SIGHUP meanwhile re-reads --filter-file and replaces the filter); then STOP, drain,
/// flush, record the drops (pcapng), close the files, summarise.
/// </summary>
internal static class CaptureCommand
{
    /// <summary>A capture run from --config: the file as read at the start, and how a reload reads it again.</summary>
    internal sealed record Reparse(ServiceConfig Started, Func<(CaptureOptions Options, ServiceConfig Config)> Read);

    /// <summary>What the capture reports beyond its files: systemd, metrics, the store's counters, a --config reload.</summary>
    private sealed record Reporting(ServiceNotifier Notifier, MetricsEndpoint? Metrics, CaptureCounters Counters, string Name,
        Reparse? Service, StoreOptions? Store, StoreStatistics StoreStatistics, ILoggerFactory Loggers, FleetSensorOptions? FleetOptions, FleetCapture? Fleet);

    internal static int Run(CaptureOptions o, TextWriter stderr, Reparse? service = null)
    {
        // First of all: from here on a SIGHUP is a request to reload, taken by the capture loop
        // once it runs (or never, once it stops), and never ends the process.
        ReloadSignal reload = ReloadSignal.Listen();

        // systemd (Type=notify): READY=1 once the capture loop turns, WATCHDOG=1 from its turns.
        using ServiceNotifier notifier = ServiceNotifier.FromEnvironment();

        // A configuration file's faults name their line (the same checks as below, once more).
        service?.Started.Check(o);
        CheckRanges(o);
        LogLevel level = o.Quiet ? LogLevel.Warning : o.Verbose ? LogLevel.Debug : LogLevel.Information;
        using ILoggerFactory loggers = Logging.Create(level);
        ILogger logger = loggers.CreateLogger("remapd");
        Log.ReloadListening(logger, o.FilterFile is null ? "is handled: there is no --filter-file to reload" : $"re-reads --filter-file {o.FilterFile}");

        StoreOptions? storeOptions = StoreCapture.From(o);
        CaptureFileOptions? files = storeOptions is null ? CaptureFiles.From(o) : null;
        FleetSensorOptions? fleetOptions = FleetCapture.Options(o, storeOptions);
        PacketSelection selection = PacketSelection.From(o);

        // --fleet: the desired configuration applied last (kept beside the store) is in force from the start.
        var storeStatistics = new StoreStatistics();
        FleetCapture? fleet = fleetOptions is null ? null : new FleetCapture(o, selection.Filter, storeStatistics);
        if (fleet is not null && fleet.ApplyKept(fleetOptions!) is { } kept)
        {
            fleetOptions = fleetOptions! with { Started = kept };
            selection = selection with { Filter = fleet.StartFilter };
        }
        BackendKind backendKind = BackendNames.Parse(o.Backend);
        if (o.Source is not null && BackendFactory.Resolve(backendKind) == BackendKind.Kernel)
        {
            throw new BackendUsageException("--source", 0,
                "--source is for the emulator backend; the kernel backend captures from the network stack (add --backend emulator)");
        }

        // Before the backend: an unknown interface is the same mistake whatever the backend.
        int members = (int)o.Threads;
        FanoutGroup? group = members > 1
            ? new FanoutGroup(o.FanoutGroup != 0 ? o.FanoutGroup : (uint)Environment.ProcessId, ParseFanoutMode(o.FanoutMode),
                o.NoRollover ? (ushort)0 : (ushort)SKBREMAP_FANOUT_F_ROLLOVER)
            : null;
        CaptureSettings settings = CaptureSettingsBuilder.From(o) with
        {
            RetireUsec = o.RetireUsec,
            QueueLimit = o.QueueLimit,
            Mode = o.Mode is not null && DeliveryModes.TryParse(o.Mode, out uint mode) ? mode : SKBREMAP_MODE_DEFAULT,
            CopyThreshold = o.CopyThreshold,
            Filter = selection.Filter,
            Fanout = group,
        };
        int ifindex = settings.Ifindex;

        // Metrics before the backend: an address in use fails the start, not a running capture.
        string name = service?.Started.Name(o) ?? o.Name ?? o.Interface;
        using MetricsEndpoint? metrics = o.MetricsListen is { } listen ? StartMetrics(listen) : null;
        var counters = new CaptureCounters();
        metrics?.Register(counters, [new("capture", name), new("interface", o.Interface)]);
        if (storeOptions is not null)
        {
            metrics?.Register(new StoreCounters(storeStatistics), [new("capture", name), new("interface", o.Interface)]);
        }

        var reporting = new Reporting(notifier, metrics, counters, name, service, storeOptions, storeStatistics, loggers, fleetOptions, fleet);

        // -j N: N captures of one fanout group, all joined before the first starts.
        var sessions = new List<CaptureSession>(members);
        try
        {
            for (int k = 0; k < members; k++)
            {
                sessions.Add(CaptureSession.Open(BackendFactory.Open(backendKind), settings, logger, start: group is null));
            }

            return RunSessions(o, stderr, logger, reload, files, selection, ifindex, group, sessions, reporting);
        }
        finally
        {
            for (int k = sessions.Count - 1; k >= 0; k--)
            {
                sessions[k].Dispose();
            }
        }
    }

    private static int RunSessions(CaptureOptions o, TextWriter stderr, ILogger logger, ReloadSignal reload, CaptureFileOptions? files,
        PacketSelection selection, int ifindex, FanoutGroup? group, List<CaptureSession> sessions, Reporting reporting)
    {
        int members = sessions.Count;
        StoreOptions? storeOptions = reporting.Store;

        // In a store every member has its own files under NAME.K (several captures share a store).
        var stores = new List<StoreWriter>();
        IPacketWriter OpenStore(int? member)
        {
            StoreOptions options = member is int k ? storeOptions! with { CaptureName = $"{storeOptions!.CaptureName}.{k}" } : storeOptions!;
            StoreWriter w = StoreCapture.Open(options, reporting.StoreStatistics, reporting.Loggers.CreateLogger("remapd.store"));
            lock (stores)
            {
                stores.Add(w);
            }

            return w;
        }

        // The writer threads (OutputQueue): one per member, so each capture thread is its queue's
        // one producer; unbuffered files, large packets written from the member's own windows in
        // place. A --merge file has its own queue, fed by the merge, copying only. A store writes
        // without one.
        OutputQueue NewQueue(IReadOnlyList<CaptureSession> feeding, bool inPlace)
        {
            CaptureSession first = feeding[0];
            var queue = new OutputQueue(new OutputQueueOptions
            {
                MaxBatches = o.OutputQueue != 0 ? (int)Math.Min(o.OutputQueue, 65536) : first.Region.Windows,

                // A quarter of the region in one write at most, so the kernel always has windows to fill.
                WindowsPerBatch = Math.Clamp(first.Region.Windows / 4, 1, 64),
                RegionWindows = first.Region.Windows,
                GatherMinimum = o.GatherMin == 0 ? OutputQueueOptions.DefaultGatherMinimum : (int)Math.Min(o.GatherMin, int.MaxValue),
                NoWindowDrops = () => feeding.Aggregate(0UL, (sum, s) => sum + s.Stats().drop_no_window),
            });
            if (inPlace)
            {
                queue.AllowReferences(first.Region.WindowsPart);
            }

            return queue;
        }

        bool ownFiles = storeOptions is null && (members == 1 || !o.Merge);
        var memberQueues = new OutputQueue[members];
        for (int k = 0; k < members; k++)
        {
            memberQueues[k] = NewQueue([sessions[k]], inPlace: ownFiles);
        }

        using var mergeQueue = storeOptions is null && members > 1 && o.Merge ? NewQueue(sessions, inPlace: false) : null;
        using var disposeQueues = new QueueSet(memberQueues);
        using MemberOutputs outputs = storeOptions is not null
            ? MemberOutputs.Open(ifindex, members, o.Merge, o.Count, flushEachBatch: false, OpenStore,
                k => k is int m ? $"the store {storeOptions.Directory} ({storeOptions.CaptureName}.{m})" : $"the store {storeOptions.Directory}")
            : MemberOutputs.Open(ifindex, members, o.Merge, o.Count, flushEachBatch: o.Write == CaptureOutput.StdoutPath,
                k => CaptureFiles.Open(k is int m ? files! with { Path = MemberOutputs.MemberPath(files!.Path, m) } : files!, ifindex,
                    k is int n ? memberQueues[n] : mergeQueue ?? memberQueues[0]),
                k => k is int m ? MemberOutputs.MemberPath(files!.Path, m) : files!.Path);
        string output = storeOptions is not null ? $"the store {storeOptions.Directory}" : files!.Path;
        if (group is not null)
        {
            Log.FanoutStarting(logger, members, group.ToString(), o.Merge ? $"merged into {output}" : string.Join(", ", outputs.Paths));
        }

        ServiceNotifier notifier = reporting.Notifier;
        var heartbeat = new LoopHeartbeat(notifier, $"capturing on {o.Interface} into {output}");
        IFilterReloads reloads = reporting.Service is null
            ? new FilterReload(reload, o.FilterFile, o.Snaplen, () => sessions[0].Filter, logger)
            : new ConfigReload(reload, reporting.Service, () => sessions[0].Filter, notifier, heartbeat, logger);
        // --fleet: the fleet's filter and its stop/start reach the loop through the same path as SIGHUP's.
        FleetCapture? fleet = reporting.Fleet;
        if (fleet is not null)
        {
            fleet.Inner = reloads;
            reloads = fleet;
        }

        var sharedReloads = new SharedFilterReloads(reloads);
        TimeSpan? liveInterval = !o.Quiet && o.StatsInterval > 0 ? TimeSpan.FromSeconds(o.StatsInterval) : null;
        var loops = new CaptureLoop[members];
        for (int k = 0; k < members; k++)
        {
            CaptureSession session = sessions[k];
            loops[k] = new CaptureLoop(session, outputs.Member(k), new CaptureLimits
            {
                // -j N: the members share the count (MemberOutputs).
                MaxPackets = members == 1 ? o.Count : 0,

                // A live capture from the network stack (the module, or the emulator's AF_PACKET
                // source): skip lo's outgoing copies as libpcap (tcpdump) does. A replay or a
                // synthetic source keeps every packet: a file has no second copy of them.
                SkipOutgoingOnIfindex = o.Source is null or "afpacket" && NetworkInterfaces.Loopback is > 0 and int lo ? lo : null,
                Duration = o.Duration > 0 ? TimeSpan.FromSeconds(o.Duration) : null,

                // Metrics are fed from the progress snapshots, and a store completes a file when its
                // interval ends with no packet: either needs a tick at least once a second.
                ProgressInterval = reporting.Metrics is null && storeOptions is null
                    ? liveInterval
                    : TimeSpan.FromSeconds(Math.Min(liveInterval?.TotalSeconds ?? 1, 1)),
            }, logger)
            {
                Payload = selection.Payload,
                FlushEachWindow = o.Write == CaptureOutput.StdoutPath && members == 1,
                FilterReloads = members == 1 ? reloads : sharedReloads.Member(k),
                Heartbeat = heartbeat.Beat,
                Queue = memberQueues[k],
            };
        }

        // Every member runs from here: the emulator's group source starts with the last.
        foreach (CaptureSession session in sessions)
        {
            session.Start();
        }

        var live = new LiveLine(stderr, terminal: !Console.IsErrorRedirected);
        var latest = new CaptureProgress[members];
        var gate = new Lock();
        TimeSpan lastLive = TimeSpan.Zero;
        for (int k = 0; k < members; k++)
        {
            int member = k;
            loops[k].Progress += p =>
            {
                lock (gate)
                {
                    latest[member] = p;
                    if (member != 0)
                    {
                        return;
                    }

                    foreach (StoreWriter store in stores)
                    {
                        store.Tick();
                    }

                    CaptureProgress total = members == 1 ? p : MemberTotals.Sum(latest);
                    reporting.Counters.Update(total, FilesOpened(outputs, files), (ulong)sessions[0].FilterReplacements);
                    fleet?.Report(total);
                    if (liveInterval is { } every && p.Elapsed - lastLive >= every - TimeSpan.FromMilliseconds(50))
                    {
                        lastLive = p.Elapsed;
                        live.Show(members == 1
                            ? StatsFormat.Live(p, selection.Payload is not null)
                            : StatsFormat.LiveMembers(latest, selection.Payload is not null));
                    }
                }
            };
        }

        // Ctrl-C and SIGTERM ask the loops to stop and drain; a second one ends the process.
        int signals = 0;
        void OnSignal(PosixSignalContext context)
        {
            if (Interlocked.Increment(ref signals) == 1)
            {
                context.Cancel = true;
                notifier.Stopping();
                foreach (CaptureLoop loop in loops)
                {
                    loop.RequestStop(context.Signal == PosixSignal.SIGINT ? "SIGINT" : "SIGTERM");
                }
            }
        }

        using PosixSignalRegistration sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

        // The fleet's loops run on the thread pool: a leaf or hub that does not answer never holds up a capture thread.
        FleetSensor? sensor = reporting.FleetOptions is null ? null : new FleetSensor(reporting.FleetOptions, fleet!, reporting.Loggers.CreateLogger("remapd.fleet"));
        sensor?.Start();
        CaptureResult[] results;
        try
        {
            results = RunOnCaptureThreads(loops, outputs);
        }
        catch
        {
            sensor?.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }

        notifier.Stopping();
        if (reload.TryTake())
        {
            Log.ReloadTooLate(logger);
        }

        // skbremap counts drops per capture; a capture bound to one interface has them all on it
        // (pcapng: isb_ifdrop). With -i any there is no per-interface split to record.
        for (int k = 0; k < members; k++)
        {
            outputs.SetDrops(k, results[k].Dropped);
        }

        // Closing writes out what is still buffered (pcapng: the statistics blocks; --merge: the
        // queued packets). If that fails, the summary still comes, then the error.
        Exception? failure = results.Select(r => r.Failure).FirstOrDefault(f => f is not null);
        try
        {
            outputs.Close();
            mergeQueue?.Drain();
            foreach (OutputQueue queue in memberQueues)
            {
                queue.Drain();
            }
        }
#pragma warning disable CA1031 // Reported after the summary, by the top level.
        catch (Exception e)
#pragma warning restore CA1031
        {
            failure ??= e;
        }

        for (int k = 0; k < members; k++)
        {
            results[k] = results[k] with { Final = results[k].Final with { Output = memberQueues[k].Counters } };
        }

        live.End();
        CaptureResult result = members == 1
            ? results[0] with { Failure = failure }
            : new CaptureResult(MemberTotals.Sum(results.Select(r => r.Final).ToList()), results[0].StopReason)
            {
                Failure = failure,
                SourceSkipped = results[0].SourceSkipped,
            };

        if (members > 1)
        {
            result = result with
            {
                Final = result.Final with { Output = mergeQueue?.Counters ?? SumOutput(results.Select(r => r.Final.Output)) },
            };
        }

        reporting.Counters.Update(result.Final, FilesOpened(outputs, files), (ulong)sessions[0].FilterReplacements);

        // The fleet hears of the last file, the final counters and the stop before the summary is printed.
        fleet?.Report(result.Final);
        sensor?.DisposeAsync().AsTask().GetAwaiter().GetResult();

        // The summary is not a log line: -q keeps it, and scripts read it.
        for (int k = 0; k < members && members > 1; k++)
        {
            stderr.WriteLine($"remapd: {StatsFormat.Member(k, results[k], o.Merge ? "the merge" : outputs.Paths[k])}");
        }

        string described = storeOptions is not null ? $"the store {storeOptions.Directory}" : Describe(files!, outputs);
        foreach (string line in StatsFormat.Summary(result, described, selection.Describe(sessions[0].Filter, sessions[0].FilterReplacements)))
        {
            stderr.WriteLine($"remapd: {line}");
        }

        if (storeOptions is not null)
        {
            foreach (string line in StoreCapture.Summary(storeOptions, reporting.StoreStatistics))
            {
                stderr.WriteLine($"remapd: {line}");
            }
        }

        if (group is not null)
        {
            stderr.WriteLine($"remapd: {StatsFormat.Fanout(group.ToString(), results, outputs.OutOfOrder)}");
        }

        if (failure is not null)
        {
            // The one error line and exit code come from the top level (TopLevel).
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }

        // Drops that skbremap counted are reported, not an error (tcpdump exits 0 with drops too);
        // a packet remapd itself failed to read is.
        return result.RemapdFailed ? (int)ExitCode.RuntimeError : (int)ExitCode.Ok;
    }

    /// <summary>
    /// Each poll loop on a dedicated thread (it blocks in poll); the first exception, if any,
    /// comes back here. A member's end is told to the outputs at once (--merge stops waiting for it).
    /// </summary>
    private static CaptureResult[] RunOnCaptureThreads(CaptureLoop[] loops, MemberOutputs outputs)
    {
        var results = new CaptureResult?[loops.Length];
        var failures = new Exception?[loops.Length];
        var threads = new Thread[loops.Length];
        for (int k = 0; k < loops.Length; k++)
        {
            int member = k;
            threads[k] = new Thread(() =>
            {
                try
                {
                    results[member] = loops[member].Run();
                }
                catch (Exception e)
                {
                    failures[member] = e;
                }
                finally
                {
                    outputs.Finish(member);
                }
            })
            {
                Name = loops.Length == 1 ? "remapd capture" : $"remapd capture {k}",
                IsBackground = false,
            };
            threads[k].Start();
        }

        foreach (Thread thread in threads)
        {
            thread.Join();
        }

        if (failures.FirstOrDefault(f => f is not null) is { } failure)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }

        return [.. results.Select(r => r!)];
    }

    /// <summary>"x.pcap", "stdout", "3 files (the last x.pcap2) (pcapng)"; with -j N, every member's or the merged one.</summary>
    private static string Describe(CaptureFileOptions files, MemberOutputs outputs)
    {
        if (outputs.Files.Count == 1)
        {
            string one = Describe(files, outputs.Files[0]);
            return outputs.Merged ? $"{one}, merged in timestamp order" : one;
        }

        return $"{outputs.Files.Count} files ({string.Join(", ", outputs.Files.Select((w, k) => Describe(files with { Path = outputs.Paths[k] }, w)))})";
    }

    /// <summary>"x.pcap", "stdout", "3 files (the last x.pcap2) (pcapng)".</summary>
    private static string Describe(CaptureFileOptions files, IPacketWriter writer)
    {
        string format = files.Format == CaptureFileFormat.PcapNg ? " (pcapng)" : "";
        if (files.Path == CaptureOutput.StdoutPath)
        {
            return "stdout" + format;
        }

        return writer is RotatingWriter r
            ? $"{r.FilesOpened} files (the last {r.CurrentPath}){format}"
            : files.Path + format;
    }

    /// <summary>The members' writer threads together: counts add up, depths and bounds are the largest.</summary>
    private static OutputQueueCounters SumOutput(IEnumerable<OutputQueueCounters> members) =>
        members.Aggregate(default(OutputQueueCounters), (a, b) => new OutputQueueCounters(
            a.WriteCalls + b.WriteCalls, a.BytesWritten + b.BytesWritten, a.Gathered + b.Gathered, a.GatheredBytes + b.GatheredBytes,
            a.WindowsHeld + b.WindowsHeld, Math.Max(a.Depth, b.Depth), Math.Max(a.MaxDepth, b.MaxDepth), Math.Max(a.Bound, b.Bound),
            a.Waits + b.Waits, a.OutputTooSlowDrops + b.OutputTooSlowDrops));

    /// <summary>Disposes the members' queues (after the files that write through them).</summary>
    private sealed class QueueSet(OutputQueue[] queues) : IDisposable
    {
        public void Dispose()
        {
            foreach (OutputQueue queue in queues)
            {
                queue.Dispose();
            }
        }
    }

    /// <summary>Files the capture opened (the first, and one per rotation); a store's are counted by StoreCounters.</summary>
    private static ulong FilesOpened(MemberOutputs outputs, CaptureFileOptions? files)
    {
        ulong opened = 0;
        foreach (IPacketWriter w in outputs.Files)
        {
            opened += w switch
            {
                RotatingWriter r => (ulong)r.FilesOpened,
                StoreWriter => 0UL,
                _ => files?.Path == CaptureOutput.StdoutPath ? 0UL : 1UL,
            };
        }

        return opened;
    }

    private static MetricsEndpoint StartMetrics(string listen)
    {
        try
        {
            return MetricsEndpoint.Start(listen);
        }
        catch (FormatException e)
        {
            throw new CommandException(ExitCode.Usage, $"--metrics-listen {e.Message}");
        }
        catch (System.Net.HttpListenerException e)
        {
            throw new CommandException(ExitCode.RuntimeError, $"--metrics-listen {listen}: cannot listen there: {e.Message}");
        }
    }

    internal static ushort ParseFanoutMode(string value) =>
        FanoutGroup.TryParseMode(value, out ushort mode)
            ? mode
            : throw new CommandException(ExitCode.Usage, $"--fanout-mode {value}: one of {string.Join(", ", FanoutGroup.ModeNames)}");

    internal static void CheckRanges(CaptureOptions o)
    {
        static void Check(bool ok, string message)
        {
            if (!ok)
            {
                throw new CommandException(ExitCode.Usage, message);
            }
        }

        Check(o.Write.Length > 0 || o.Store is not null, "-w/--write: give a file name, or '-' for stdout (or --store DIR)");
        Check(o.Duration >= 0 && double.IsFinite(o.Duration), "-d/--duration: seconds, 0 or more");
        Check(o.StatsInterval >= 0 && double.IsFinite(o.StatsInterval), "--stats-interval: seconds, 0 or more");
        Check(o.Snaplen <= SKBREMAP_MAX_SNAPLEN, $"-s/--snaplen: at most {SKBREMAP_MAX_SNAPLEN}");
        Check(o.Windows == 0 || o.Windows is >= SKBREMAP_MIN_WINDOWS and <= SKBREMAP_MAX_WINDOWS,
            $"--windows: {SKBREMAP_MIN_WINDOWS}..{SKBREMAP_MAX_WINDOWS} (or 0 for the default)");
        Check(o.PagesPerWindow <= SKBREMAP_MAX_PAGES_PER_WINDOW, $"--pages-per-window: 1..{SKBREMAP_MAX_PAGES_PER_WINDOW} (or 0 for the default)");
        Check(o.InfoPages <= SKBREMAP_MAX_INFO_PAGES, $"--info-pages: 1..{SKBREMAP_MAX_INFO_PAGES} (or 0 for the default)");
        Check(o.RetireUsec <= SKBREMAP_MAX_RETIRE_USEC, $"--retire-usec: at most {SKBREMAP_MAX_RETIRE_USEC}");
        Check(o.QueueLimit <= SKBREMAP_MAX_QUEUE_LIMIT, $"--queue-limit: at most {SKBREMAP_MAX_QUEUE_LIMIT}");
        Check(o.Mode is null || DeliveryModes.TryParse(o.Mode, out _), $"--mode: one of {string.Join(", ", DeliveryModes.Names)}");
        Check(o.CopyThreshold <= SKBREMAP_MAX_COPY_THRESHOLD, $"--copy-threshold: at most {SKBREMAP_MAX_COPY_THRESHOLD}");
        Check(o.Threads is >= 1 and <= SKBREMAP_FANOUT_MAX_MEMBERS, $"-j/--threads: 1..{SKBREMAP_FANOUT_MAX_MEMBERS}");
        Check(FanoutGroup.TryParseMode(o.FanoutMode, out _), $"--fanout-mode {o.FanoutMode}: one of {string.Join(", ", FanoutGroup.ModeNames)}");
        Check(o.Threads > 1 || (!o.Merge && !o.NoRollover && o.FanoutGroup == 0), "--merge, --no-rollover and --fanout-group go with -j 2 or more");
        Check(o.Threads == 1 || o.Merge || o.Write != CaptureOutput.StdoutPath,
            "-w -: with -j N every member writes its own file; add --merge to write one stream to stdout");
        Check(o.Threads == 1 || o.Merge || o.Write.Length == 0 || o.Write == CaptureOutput.StdoutPath || OutputPaths.IsDevNull(o.Write) ||
                OutputPaths.KindOf(o.Write) is OutputPathKind.Missing or OutputPathKind.Regular,
            $"-w {o.Write}: not a regular file; with -j N every member writes its own file named after it (-w cap.pcap: cap.0.pcap, cap.1.pcap, ...): " +
            "give a file name or /dev/null, or add --merge to write one stream there");
        Check(!o.Merge || o.RotateSeconds == 0 || o.FileCount == 0, "--merge with -G and -W: not supported (the merged file has no file limit to stop at)");
    }
}
