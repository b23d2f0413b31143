using System.Buffers;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using RemapDaemon.Device;
using RemapDaemon.Device.Errors;
using RemapDaemon.Filtering;
using RemapDaemon.Output;
using RemapDaemon.Protocol;
using RemapDaemon.Protocol.Abi;
using static RemapDaemon.Protocol.Abi.Skbremap;

namespace RemapDaemon.Engine;

/// <summary>
/// The consumer side of the window protocol, run on its own thread: wait with poll, take
/// every READY window in sequence order (acquire), check its sequence number, parse its info
/// page with <see cref="InfoPageReader"/> (spans over the mapping, no per-packet copy), hand each
/// packet to the writer, then release the window (release-store of RELEASED) so skbremap can
/// free its skbs. A window whose info page is bad is logged, counted and still released.
/// <para>
/// Selection, per packet, before the writer: lo's outgoing copies are skipped; then the filter
/// program when the backend could not run it in its hook (<see cref="CaptureSession.UserSpaceFilter"/>);
/// then the payload tests (<see cref="Payload"/>), on the span over the window, no copy.
/// </para>
/// <para>
/// Filter replacement (<see cref="FilterReloads"/>): once per turn, between windows, the loop
/// asks for a replacement program and puts it in force with <see cref="CaptureSession.ReplaceFilter"/>;
/// a replacement that fails leaves the running filter in force, and the capture goes on.
/// </para>
/// <para>
/// Stopping (a signal, the count, the output's file limit, the duration or the end of a finite
/// source): drain what is published, SKBREMAP_IOC_STOP (which publishes the part-full window),
/// drain again until no window is READY, flush the writer. Nothing skbremap captured is left unread.
/// </para>
/// <para>
/// Failing: when the writer throws (disk full, a rotation file that cannot be created) or anything
/// else on the loop thread does, the loop stops the same way: STOP, drain (every packet read
/// after the failure is counted as unwritten, and every window is still released), flush what
/// can be flushed; the result carries the exception (<see cref="CaptureResult.Failure"/>) for
/// the caller to report after the summary. It never leaves windows held or skbremap running.
/// </para>
/// Threading: only the loop thread touches the region, the backend and the writer (and replaces
/// the filter); <see cref="RequestStop"/> is the one member other threads may call.
/// </summary>
public sealed class CaptureLoop
{
    private const int PollTimeoutMs = 100;

    // linux/if_packet.h
    private const byte PacketOutgoing = 4;

    private readonly CaptureSession _session;
    private readonly IPacketWriter _writer;
    private readonly CaptureLimits _limits;
    private readonly ILogger _logger;
    private readonly WindowGeometry _geometry;
    private readonly Stopwatch _clock = new();
    private readonly ScatterChain _scatter = new();
    private byte[]? _linear;

    private volatile string? _stopRequest;
    private bool _outputComplete;
    private ulong _expectedSeq = 1;
    private ulong _packets;
    private ulong _bytes;
    private ulong _packetsAfterLimit;
    private ulong _loopbackOutgoingSkipped;
    private ulong _userSpaceFiltered;
    private ulong _payloadMismatched;
    private ulong _unwritten;
    private Exception? _failure;
    private ulong _windows;
    private ulong _badWindows;
    private ulong _seqGaps;
    private int _nextWindow;

    public CaptureLoop(CaptureSession session, IPacketWriter writer, CaptureLimits limits, ILogger logger)
    {
        _session = session;
        _writer = writer;
        _limits = limits;
        _logger = logger;
        skbremap_layout layout = session.Region.Layout;
        _geometry = WindowGeometry.FromLayout(in layout);
    }

    /// <summary>Payload tests a packet must pass to be written (on top of the filter); null = none.</summary>
    public PayloadMatcher? Payload { get; init; }

    /// <summary>
    /// Flush the writer after every window, so that a reader at the other end of a pipe
    /// (<c>remapd -w - | tcpdump -r -</c>) sees packets as windows are published.
    /// </summary>
    public bool FlushEachWindow { get; init; }

    /// <summary>Replacement filters for the running capture (remapd: SIGHUP); null = none ever.</summary>
    public IFilterReloads? FilterReloads { get; init; }

    /// <summary>Called on the loop thread once per turn (a service's watchdog: a loop that hangs stops calling it); null = nothing.</summary>
    public Action? Heartbeat { get; init; }

    /// <summary>Raised on the loop thread every <see cref="CaptureLimits.ProgressInterval"/>.</summary>
    public event Action<CaptureProgress>? Progress;

    /// <summary>Ask the loop to stop, drain and return; safe from any thread (signal handlers).</summary>
    public void RequestStop(string reason) => _stopRequest ??= reason;

    /// <summary>Runs the capture until it stops; call on the capture thread.</summary>
    public CaptureResult Run()
    {
        _clock.Start();
        TimeSpan? interval = _limits.ProgressInterval;
        TimeSpan nextProgress = interval ?? TimeSpan.MaxValue;
        string stopReason;
        try
        {
            stopReason = RunUntilStop(interval, ref nextProgress);
        }
#pragma warning disable CA1031 // Any failure: stop skbremap, drain and release before it is reported.
        catch (Exception e)
#pragma warning restore CA1031
        {
            _failure ??= e;
            stopReason = "error";
        }

        Log.Stopping(_logger, stopReason);
        try
        {
            DrainReady();
            StopSkbremap();

            // STOP has published the part-full window and nothing else will be published:
            // every window is now READY (ours to read) or the kernel's, free.
            DrainReady();
            if (_failure is null)
            {
                _writer.Flush();
            }
        }
#pragma warning disable CA1031 // A second failure while stopping: keep the first, report what was counted.
        catch (Exception e)
#pragma warning restore CA1031
        {
            _failure ??= e;
            StopSkbremap();
        }

        CaptureProgress final = Snapshot();
        if (final.Stats.captured != final.PacketsRead)
        {
            Log.CapturedMismatch(_logger, final.PacketsRead, final.Stats.captured);
        }

        return new CaptureResult(final, stopReason) { Failure = _failure, SourceSkipped = _session.Backend.SourceSkipped };
    }

    private string RunUntilStop(TimeSpan? interval, ref TimeSpan nextProgress)
    {
        string? stopReason = null;
        while (stopReason is null)
        {
            Heartbeat?.Invoke();
            if (FilterReloads is { } reloads && reloads.TryTake(out BpfProgram? program))
            {
                ReplaceFilter(program);
            }

            int consumed = DrainReady();
            stopReason = StopReason();
            if (_clock.Elapsed >= nextProgress)
            {
                Progress?.Invoke(Snapshot());
                nextProgress = _clock.Elapsed + interval!.Value;
            }

            if (stopReason is null && consumed == 0)
            {
                // Nothing READY: wait. Poll also lets skbremap take back the windows released
                // above. While windows keep coming the loop takes them without a system call:
                // skbremap takes released windows back on its own when it needs them (the
                // worker at every run, the direct path's hook when no window is free).
                _session.Backend.Poll(PollTimeoutMs);
            }
        }

        return stopReason;
    }

    private void StopSkbremap()
    {
        try
        {
            _session.Stop();
        }
        catch (SkbremapException e)
        {
            // A capture skbremap has already ended may refuse STOP; what it published is still ours.
            Log.StopFailed(_logger, e.Message);
        }
    }

    private string? StopReason()
    {
        if (_failure is not null)
        {
            return "writing failed";
        }

        if (_stopRequest is { } requested)
        {
            return requested;
        }

        if (_limits.MaxPackets != 0 && _packets >= _limits.MaxPackets)
        {
            return $"{_limits.MaxPackets} packets written";
        }

        if (_outputComplete)
        {
            return "maximum file limit reached";
        }

        if (_limits.Duration is { } duration && _clock.Elapsed >= duration)
        {
            return $"{duration.TotalSeconds:0.###} s elapsed";
        }

        // A finite source is done once every packet it made is published or dropped; the
        // windows it filled were drained above, so nothing is left but the flush.
        if (!_session.Backend.SourceDone)
        {
            return null;
        }

        return _session.Backend.Kind == BackendKind.Kernel || !_session.Backend.HasFiniteSource
            ? "the capture was ended by skbremap (interface gone or down?)"
            : "source ended";
    }

    /// <summary>Consumes every READY window, oldest sequence first; returns how many.</summary>
    private int DrainReady()
    {
        int consumed = 0;
        while (TryTakeOldestReady(out int window, out ulong seq))
        {
            ConsumeWindow(window, seq);
            consumed++;
        }

        if (consumed > 0 && FlushEachWindow && _failure is null)
        {
            try
            {
                _writer.Flush();
            }
#pragma warning disable CA1031 // The writer's failure ends the capture (StopReason), after the drain.
            catch (Exception e)
#pragma warning restore CA1031
            {
                WriteFailed(e);
            }
        }

        return consumed;
    }

    private bool TryTakeOldestReady(out int oldest, out ulong oldestSeq)
    {
        Region region = _session.Region;

        // skbremap opens windows round-robin, so the next sequence number is almost always in the
        // window after the one just consumed: one status read instead of a scan of the region.
        // Sequence numbers only grow, so a READY window holding the expected one is the oldest.
        oldest = _nextWindow;
        if (region.Status(oldest) == SKBREMAP_WIN_READY && region.Seq(oldest) == _expectedSeq)
        {
            oldestSeq = _expectedSeq;
            return true;
        }

        return region.TryFindOldestReady(0, out oldest, out oldestSeq);
    }

    private void ConsumeWindow(int window, ulong seq)
    {
        Region region = _session.Region;
        _windows++;
        if (seq != _expectedSeq)
        {
            if (seq > _expectedSeq)
            {
                Log.SeqGap(_logger, _expectedSeq, seq, seq - _expectedSeq);
            }
            else
            {
                // A sequence number already consumed: the kernel (or a scribbler) is confused.
                Log.SeqGap(_logger, _expectedSeq, seq, 0);
            }

            _seqGaps++;
        }

        _expectedSeq = seq + 1;
        _nextWindow = window + 1 == region.Windows ? 0 : window + 1;
        try
        {
            InfoPageError error = InfoPageReader.TryOpen(region.WindowMemory(window), in _geometry, (uint)window, _scatter, out InfoPageReader reader);
            if (error != InfoPageError.None)
            {
                Log.BadInfoPage(_logger, window, seq, InfoPageErrorText.Describe(error));
                _badWindows++;
                return;
            }

            if (reader.Sequence != seq)
            {
                Log.SeqMismatch(_logger, window, seq, reader.Sequence);
                _badWindows++;
                return;
            }

            uint entry = 0;
            BpfProgram? filter = _session.UserSpaceFilter;
            PayloadMatcher? payload = Payload;
            while (reader.TryReadNext(out CapturedPacket packet, out error))
            {
                if (packet.IsScattered && (filter is not null || payload is not null))
                {
                    // The user-space matchers read one span: only then is a SCATTER packet
                    // copied (once, into a buffer reused for the capture). Writers take it as is.
                    packet = Linearize(in packet);
                }

                uint keep = uint.MaxValue;
                if (packet.PacketType == PacketOutgoing && _limits.SkipOutgoingOnIfindex is int lo && packet.IfIndex == lo)
                {
                    _loopbackOutgoingSkipped++;
                }
                else if (filter is not null && (keep = filter.Matches(in packet)) == 0)
                {
                    _userSpaceFiltered++;
                }
                else if (payload is not null && !payload.IsMatch(packet.Data, packet.HasVlan))
                {
                    _payloadMismatched++;
                }
                else if ((_limits.MaxPackets != 0 && _packets >= _limits.MaxPackets) || _outputComplete)
                {
                    _packetsAfterLimit++;
                }
                else if (!_writer.Accepts(in packet))
                {
                    // The output is complete (-G with -W): this packet and the rest are not written.
                    _outputComplete = true;
                    _packetsAfterLimit++;
                }
                else if (_failure is not null)
                {
                    _unwritten++;
                }
                else if (CapturedLength(in packet, keep) is uint cap && cap < (uint)packet.Length)
                {
                    // The filter's return value caps the captured length, as in the hook.
                    CapturedPacket cut = packet.IsScattered
                        ? packet with { Sequence = packet.Sequence.Slice(0, cap) }
                        : packet with { Data = packet.Data[..(int)cap] };
                    Write(in cut, cap);
                }
                else
                {
                    Write(in packet, (uint)packet.Length);
                }

                entry++;
            }

            if (error != InfoPageError.None)
            {
                Log.BadInfoEntry(_logger, window, seq, entry, InfoPageErrorText.Describe(error));
                _badWindows++;
            }
        }
        finally
        {
            // Release: every read of this window happens before skbremap may take it back.
            region.Release(window);
        }
    }

    /// <summary>Hands one packet to the writer; a writer that throws ends the writing (the packet is counted unwritten).</summary>
    private void Write(in CapturedPacket packet, uint length)
    {
        try
        {
            _writer.Write(in packet);
        }
#pragma warning disable CA1031 // Whatever the writer throws, the capture must still stop, drain and release.
        catch (Exception e)
#pragma warning restore CA1031
        {
            WriteFailed(e);
            _unwritten++;
            return;
        }

        _packets++;
        _bytes += length;
    }

    private void WriteFailed(Exception e)
    {
        _failure ??= e;
        Log.WriteFailed(_logger, e.Message, _packets);
    }

    /// <summary>Puts a replacement filter in force; on failure the running one stays, and the capture goes on.</summary>
    private void ReplaceFilter(BpfProgram? program)
    {
        string old = Describe(_session.Filter);
        try
        {
            bool inHook = _session.ReplaceFilter(program);
            Log.FilterReplaced(_logger, Describe(program), inHook ? $"in {_session.Backend.Name}'s packet hook" : "by remapd on every captured packet", old);
        }
        catch (FilterRejectedException e)
        {
            Log.FilterReplaceRefused(_logger, e.Message, old);
        }
        catch (SkbremapException e)
        {
            Log.FilterReplaceFailed(_logger, e.Message, old);
        }
    }

    /// <summary>"filter 'tcp' (8 BPF instructions)" or "no filter".</summary>
    private static string Describe(BpfProgram? program) =>
        program is null ? "no filter (every packet)" : $"filter '{program.Expression}' ({program.Length} BPF instructions)";

    /// <summary>
    /// The filter's verdict as bytes of <see cref="CapturedPacket.Data"/>: the program judged the
    /// frame with its metadata VLAN tag put back, so its length counts the tag's 4 bytes (as the
    /// emulator's and the module's hooks do).
    /// </summary>
    private static uint CapturedLength(in CapturedPacket packet, uint verdict) =>
        packet.HasVlan && packet.Length >= 12 && verdict != uint.MaxValue && verdict > 4 ? verdict - 4 : verdict;

    /// <summary>A SCATTER packet's bytes in one span (the capture's reused buffer).</summary>
    private CapturedPacket Linearize(scoped in CapturedPacket packet)
    {
        _linear ??= new byte[_geometry.DataBytes];
        Span<byte> bytes = _linear.AsSpan(0, packet.Length);
        packet.Sequence.CopyTo(bytes);
        return packet with { Data = bytes, Sequence = default, Flags = packet.Flags & ~SKBREMAP_PKT_SCATTER };
    }

    private CaptureProgress Snapshot() => new(
        _clock.Elapsed, _packets, _bytes, _packetsAfterLimit, _loopbackOutgoingSkipped, _userSpaceFiltered, _payloadMismatched, _unwritten, _windows, _badWindows, _seqGaps,
        _session.Region.Windows, _session.Stats());
}
