using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using RemapDaemon.Cli;
using RemapDaemon.Device;
using RemapDaemon.Device.Errors;
using RemapDaemon.Engine;
using RemapDaemon.Output;
using RemapDaemon.Remapd.Cli;
using RemapDaemon.Remapd.Output;
using RemapDaemon.Remapd.Signals;
using RemapDaemon.Service.Metrics;
using RemapDaemon.Service.Systemd;
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

        CaptureFileOptions files = CaptureFiles.From(o);
        PacketSelection selection = PacketSelection.From(o);
        BackendKind backendKind = BackendNames.Parse(o.Backend);
        if (o.Source is not null && BackendFactory.Resolve(backendKind) == BackendKind.Kernel)
        {
            throw new BackendUsageException("--source", 0,
                "--source is for the emulator backend; the kernel backend captures from the network stack (add --backend emulator)");
        }

        // Before the backend: an unknown interface is the same mistake whatever the backend.
        CaptureSettings settings = CaptureSettingsBuilder.From(o) with
        {
            RetireUsec = o.RetireUsec,
            QueueLimit = o.QueueLimit,
            Mode = o.Mode is not null && DeliveryModes.TryParse(o.Mode, out uint mode) ? mode : SKBREMAP_MODE_DEFAULT,
            CopyThreshold = o.CopyThreshold,
            Filter = selection.Filter,
        };
        int ifindex = settings.Ifindex;

        // Metrics before the backend: an address in use fails the start, not a running capture.
        string name = service?.Started.Name(o) ?? o.Name ?? o.Interface;
        using MetricsEndpoint? metrics = o.MetricsListen is { } listen ? StartMetrics(listen) : null;
        var counters = new CaptureCounters();
        metrics?.Register(counters, [new("capture", name), new("interface", o.Interface)]);

        using CaptureSession session = CaptureSession.Open(BackendFactory.Open(backendKind), settings, logger);
        using IPacketWriter writer = CaptureFiles.Open(files, ifindex);
        var heartbeat = new LoopHeartbeat(notifier, $"capturing on {o.Interface} into {o.Write}");
        TimeSpan? liveInterval = !o.Quiet && o.StatsInterval > 0 ? TimeSpan.FromSeconds(o.StatsInterval) : null;
        var loop = new CaptureLoop(session, writer, new CaptureLimits
        {
            MaxPackets = o.Count,
            // A live capture from the network stack (the module, or the emulator's AF_PACKET
            // source): skip lo's outgoing copies as libpcap (tcpdump) does. A replay or a
            // synthetic source keeps every packet: a file has no second copy of them.
            SkipOutgoingOnIfindex = o.Source is null or "afpacket" && NetworkInterfaces.Loopback is > 0 and int lo ? lo : null,
            Duration = o.Duration > 0 ? TimeSpan.FromSeconds(o.Duration) : null,
            // Metrics are fed from the progress snapshots: at least one a second while they are served.
            ProgressInterval = metrics is null ? liveInterval : TimeSpan.FromSeconds(Math.Min(liveInterval?.TotalSeconds ?? 1, 1)),
        }, logger)
        {
            Payload = selection.Payload,
            FlushEachWindow = o.Write == CaptureOutput.StdoutPath,
            FilterReloads = service is null
                ? new FilterReload(reload, o.FilterFile, o.Snaplen, () => session.Filter, logger)
                : new ConfigReload(reload, service, () => session.Filter, notifier, heartbeat, logger),
            Heartbeat = heartbeat.Beat,
        };

        var live = new LiveLine(stderr, terminal: !Console.IsErrorRedirected);
        TimeSpan lastLive = TimeSpan.Zero;
        loop.Progress += p =>
        {
            counters.Update(in p, FilesOpened(writer, files), (ulong)session.FilterReplacements);
            if (liveInterval is { } every && p.Elapsed - lastLive >= every - TimeSpan.FromMilliseconds(50))
            {
                lastLive = p.Elapsed;
                live.Show(StatsFormat.Live(p, selection.Payload is not null));
            }
        };

        // Ctrl-C and SIGTERM ask the loop to stop and drain; a second one ends the process.
        int signals = 0;
        void OnSignal(PosixSignalContext context)
        {
            if (Interlocked.Increment(ref signals) == 1)
            {
                context.Cancel = true;
                notifier.Stopping();
                loop.RequestStop(context.Signal == PosixSignal.SIGINT ? "SIGINT" : "SIGTERM");
            }
        }

        using PosixSignalRegistration sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

        CaptureResult result = RunOnCaptureThread(loop);
        notifier.Stopping();
        counters.Update(result.Final, FilesOpened(writer, files), (ulong)session.FilterReplacements);
        if (reload.TryTake())
        {
            Log.ReloadTooLate(logger);
        }

        // skbremap counts drops per capture; a capture bound to one interface has them all on it
        // (pcapng: isb_ifdrop). With -i any there is no per-interface split to record.
        if (ifindex != 0)
        {
            writer.SetInterfaceDrops(ifindex, result.Dropped);
        }

        // Closing writes out what is still buffered (pcapng: the statistics blocks). If that fails,
        // the summary still comes, then the error.
        Exception? failure = result.Failure;
        try
        {
            writer.Dispose();
        }
#pragma warning disable CA1031 // Reported after the summary, by the top level.
        catch (Exception e)
#pragma warning restore CA1031
        {
            failure ??= e;
        }

        live.End();
        result = result with { Failure = failure };

        // The summary is not a log line: -q keeps it, and scripts read it.
        foreach (string line in StatsFormat.Summary(result, Describe(files, writer), selection.Describe(session.Filter, session.FilterReplacements)))
        {
            stderr.WriteLine($"remapd: {line}");
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

    /// <summary>The poll loop on a dedicated thread (it blocks in poll); its exception, if any, comes back here.</summary>
    private static CaptureResult RunOnCaptureThread(CaptureLoop loop)
    {
        CaptureResult? result = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = loop.Run();
            }
            catch (Exception e)
            {
                failure = e;
            }
        })
        {
            Name = "remapd capture",
            IsBackground = false,
        };
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }

        return result!;
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

    private static ulong FilesOpened(IPacketWriter writer, CaptureFileOptions files) =>
        writer is RotatingWriter r ? (ulong)r.FilesOpened : files.Path == CaptureOutput.StdoutPath ? 0UL : 1UL;

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

    internal static void CheckRanges(CaptureOptions o)
    {
        static void Check(bool ok, string message)
        {
            if (!ok)
            {
                throw new CommandException(ExitCode.Usage, message);
            }
        }

        Check(o.Write.Length > 0, "-w/--write: give a file name, or '-' for stdout");
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
    }
}
