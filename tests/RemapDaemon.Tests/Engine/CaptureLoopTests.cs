using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging.Abstractions;
using RemapDaemon.Device;
using RemapDaemon.Device.Errors;
using RemapDaemon.Engine;
using RemapDaemon.Filtering;
using RemapDaemon.Output;
using RemapDaemon.Protocol;
using RemapDaemon.Protocol.Abi;
using static RemapDaemon.Protocol.Abi.Skbremap;

namespace RemapDaemon.Tests.Engine;

/// <summary>
/// The consumer side of the window protocol against an in-memory skbremap: windows are taken
/// in sequence order (not index order), every window is released (also a bad one), STOP comes
/// once and what it publishes is drained, the count limit and the sink's file limit are exact,
/// and a replacement filter is put in force between windows, in the hook or in remapd.
/// </summary>
public sealed class CaptureLoopTests
{
    [Fact]
    public void Windows_are_consumed_in_sequence_order_and_every_one_is_released()
    {
        using var fake = new InMemorySkbremap();
        fake.Publish(window: 2, seq: 1, packets: [10, 20, 30]);
        fake.Publish(window: 0, seq: 2, packets: [40, 50]);
        fake.Publish(window: 3, seq: 3, packets: [60]);
        fake.FiniteSourceDone = true;

        (CaptureResult result, List<int> lengths) = Run(fake, new CaptureLimits());

        lengths.Should().Equal(10, 20, 30, 40, 50, 60);
        fake.StatusOf(2).Should().Be(SKBREMAP_WIN_RELEASED);
        fake.StatusOf(0).Should().Be(SKBREMAP_WIN_RELEASED);
        fake.StatusOf(3).Should().Be(SKBREMAP_WIN_RELEASED);
        fake.StopCalls.Should().Be(1);
        result.StopReason.Should().Be("source ended");
        result.Final.Windows.Should().Be(3);
        result.NothingLost.Should().BeTrue();
    }

    [Fact]
    public void The_window_after_the_last_one_is_taken_only_when_it_holds_the_next_sequence_number()
    {
        // Round-robin with a wrap (3 -> 0), then a decoy: window 1 follows window 0 but holds a
        // later sequence number than window 2, so the loop must fall back to the scan.
        using var fake = new InMemorySkbremap();
        fake.Publish(window: 3, seq: 1, packets: [1]);
        fake.Publish(window: 0, seq: 2, packets: [2]);
        fake.Publish(window: 1, seq: 4, packets: [4]);
        fake.Publish(window: 2, seq: 3, packets: [3]);
        fake.FiniteSourceDone = true;

        (CaptureResult result, List<int> lengths) = Run(fake, new CaptureLimits());

        lengths.Should().Equal(1, 2, 3, 4);
        result.Final.SeqGaps.Should().Be(0);
        result.Final.Windows.Should().Be(4);
    }

    [Fact]
    public void A_window_with_a_bad_info_page_is_counted_logged_and_still_released()
    {
        using var fake = new InMemorySkbremap();
        fake.Publish(window: 0, seq: 1, packets: [100]);
        fake.Publish(window: 1, seq: 2, packets: [200], corruptMagic: true);
        fake.Publish(window: 2, seq: 3, packets: [300]);
        fake.FiniteSourceDone = true;

        (CaptureResult result, List<int> lengths) = Run(fake, new CaptureLimits());

        lengths.Should().Equal(100, 300);
        fake.StatusOf(1).Should().Be(SKBREMAP_WIN_RELEASED);
        result.Final.BadWindows.Should().Be(1);
        result.NothingLost.Should().BeFalse("the bad window's packet was captured by skbremap but never read");
    }

    [Fact]
    public void The_window_STOP_publishes_is_drained_before_the_loop_returns()
    {
        using var fake = new InMemorySkbremap();
        fake.Publish(window: 0, seq: 1, packets: [64, 64]);
        fake.OnStop = () => fake.Publish(window: 1, seq: 2, packets: [128], flags: SKBREMAP_INFO_FLUSH);
        var loop = new CaptureLoop(fake.Session, new RecordingWriter(), new CaptureLimits(), NullLogger.Instance);
        loop.RequestStop("SIGINT");

        CaptureResult result = loop.Run();

        result.StopReason.Should().Be("SIGINT");
        result.Final.Packets.Should().Be(3);
        fake.StatusOf(1).Should().Be(SKBREMAP_WIN_RELEASED);
        result.NothingLost.Should().BeTrue();
    }

    [Fact]
    public void The_count_limit_writes_exactly_that_many_and_releases_the_rest_unwritten()
    {
        using var fake = new InMemorySkbremap();
        fake.Publish(window: 0, seq: 1, packets: [60, 61, 62]);
        fake.Publish(window: 1, seq: 2, packets: [63, 64, 65]);

        (CaptureResult result, List<int> lengths) = Run(fake, new CaptureLimits { MaxPackets = 4 });

        lengths.Should().Equal(60, 61, 62, 63);
        result.Final.PacketsAfterLimit.Should().Be(2);
        result.StopReason.Should().Be("4 packets written");
        result.NothingLost.Should().BeTrue();
    }

    [Fact]
    public void A_sink_that_throws_ends_the_capture_with_STOP_a_drain_every_window_released_and_the_rest_counted_unwritten()
    {
        using var fake = new InMemorySkbremap();
        fake.Publish(window: 0, seq: 1, packets: [60, 61, 62]);
        fake.Publish(window: 1, seq: 2, packets: [63, 64]);
        fake.OnStop = () => fake.Publish(window: 2, seq: 3, packets: [65], flags: SKBREMAP_INFO_FLUSH);
        var sink = new RecordingWriter { ThrowAfter = 2 };

        CaptureResult result = new CaptureLoop(fake.Session, sink, new CaptureLimits(), NullLogger.Instance).Run();

        result.Failure.Should().BeOfType<IOException>();
        result.StopReason.Should().Be("writing failed");
        fake.StopCalls.Should().Be(1);
        fake.StatusOf(0).Should().Be(SKBREMAP_WIN_RELEASED);
        fake.StatusOf(1).Should().Be(SKBREMAP_WIN_RELEASED);
        fake.StatusOf(2).Should().Be(SKBREMAP_WIN_RELEASED);
        sink.Lengths.Should().Equal(60, 61);
        result.Final.Packets.Should().Be(2);
        result.Final.Unwritten.Should().Be(4, "the packet whose write failed and the three read after it");
        result.Final.PacketsRead.Should().Be(result.Final.Stats.captured);
        result.NothingLost.Should().BeFalse();
        result.RemapdFailed.Should().BeTrue();
        result.RemapdLosses.Should().Equal(("read but not written (writing failed)", 4UL));
    }

    [Fact]
    public void A_jump_in_the_sequence_is_counted_as_a_gap()
    {
        using var fake = new InMemorySkbremap();
        fake.Publish(window: 0, seq: 1, packets: [60]);
        fake.Publish(window: 1, seq: 4, packets: [60]);
        fake.FiniteSourceDone = true;

        (CaptureResult result, _) = Run(fake, new CaptureLimits());

        result.Final.SeqGaps.Should().Be(1);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_scatter_packet_reaches_the_sink_whole_and_is_joined_only_for_user_space_matching(bool payloadMatch)
    {
        using var fake = new InMemorySkbremap();
        byte[] expected = fake.PublishScatter(window: 0, seq: 1);
        fake.FiniteSourceDone = true;
        var sink = new RecordingWriter();

        CaptureResult result = new CaptureLoop(fake.Session, sink, new CaptureLimits(), NullLogger.Instance)
        {
            Payload = payloadMatch ? PayloadMatcher.Create([]) : null,
        }.Run();

        sink.Packets.Should().ContainSingle().Which.Should().Equal(expected);
        sink.Scattered.Should().Equal(!payloadMatch);
        result.Final.BadWindows.Should().Be(0);
        fake.StatusOf(0).Should().Be(SKBREMAP_WIN_RELEASED);
    }

    [Fact]
    public void A_sink_that_takes_no_more_stops_the_capture_and_the_rest_is_released_unwritten()
    {
        using var fake = new InMemorySkbremap();
        fake.Publish(window: 0, seq: 1, packets: [60, 61, 62]);
        fake.Publish(window: 1, seq: 2, packets: [63, 64]);
        var sink = new RecordingWriter { Capacity = 2 };

        CaptureResult result = new CaptureLoop(fake.Session, sink, new CaptureLimits(), NullLogger.Instance).Run();

        sink.Lengths.Should().Equal(60, 61);
        result.StopReason.Should().Be("maximum file limit reached");
        result.Final.PacketsAfterLimit.Should().Be(3);
        result.NothingLost.Should().BeTrue("every captured packet was read; three were released unwritten");
        fake.StatusOf(0).Should().Be(SKBREMAP_WIN_RELEASED);
        fake.StatusOf(1).Should().Be(SKBREMAP_WIN_RELEASED);
    }

    [Fact]
    public void A_replacement_filter_run_by_remapd_judges_every_window_read_after_it_and_none_before()
    {
        // No SKBREMAP_FEAT_FILTER: remapd runs the filter, and a replacement is one reference.
        BpfProgram small = BpfProgram.Compile("less 30");
        BpfProgram large = BpfProgram.Compile("greater 50");
        using var fake = new InMemorySkbremap(filter: small);
        fake.Session.FilterInHook.Should().BeFalse();
        fake.Publish(window: 0, seq: 1, packets: [10, 20, 60, 70]);
        var reloads = new QueuedReloads();
        fake.OnPoll = () =>
        {
            if (!fake.FiniteSourceDone)
            {
                // Between the two windows: the loop takes the replacement on its next turn.
                reloads.Pending.Enqueue(large);
                fake.Publish(window: 1, seq: 2, packets: [10, 60, 20, 70]);
                fake.FiniteSourceDone = true;
            }
        };
        var sink = new RecordingWriter();

        CaptureResult result = new CaptureLoop(fake.Session, sink, new CaptureLimits(), NullLogger.Instance) { FilterReloads = reloads }.Run();

        sink.Lengths.Should().Equal(10, 20, 60, 70);
        result.Final.UserSpaceFiltered.Should().Be(4);
        fake.Session.Filter.Should().BeSameAs(large);
        fake.Session.UserSpaceFilter.Should().BeSameAs(large);
        fake.Session.FilterReplacements.Should().Be(1);
        fake.SetFilterLengths.Should().BeEmpty("nothing went to a hook that has no filter support");
        result.NothingLost.Should().BeTrue();
    }

    [Fact]
    public void A_replacement_goes_into_the_hook_with_set_filter_and_one_the_hook_refuses_leaves_the_old_one_in_force()
    {
        BpfProgram a = BpfProgram.Compile("less 30");
        BpfProgram b = BpfProgram.Compile("greater 50 and ip");
        using var fake = new InMemorySkbremap(SKBREMAP_FEAT_FILTER, a);
        CaptureSession session = fake.Session;
        session.FilterInHook.Should().BeTrue();

        session.ReplaceFilter(b).Should().BeTrue("the hook runs it");
        fake.RefuseFilters = true;
        Action refused = () => session.ReplaceFilter(a);

        refused.Should().Throw<FilterRejectedException>();
        fake.SetFilterLengths.Should().Equal((uint)a.Length, (uint)b.Length, (uint)a.Length);
        session.Filter.Should().BeSameAs(b, "a refused program leaves the running one in force");
        session.FilterInHook.Should().BeTrue("moving to remapd would judge the packets in flight by both programs");
        session.UserSpaceFilter.Should().BeNull();
        session.FilterReplacements.Should().Be(1);
    }

    [Fact]
    public void A_hook_without_a_program_that_refuses_the_replacement_hands_filtering_to_remapd_for_good()
    {
        BpfProgram a = BpfProgram.Compile("less 30");
        BpfProgram b = BpfProgram.Compile("greater 50");
        using var fake = new InMemorySkbremap(SKBREMAP_FEAT_FILTER);
        fake.RefuseFilters = true;

        fake.Session.ReplaceFilter(a).Should().BeFalse("no packet was judged by a hook program, so remapd can take over");
        fake.RefuseFilters = false;
        fake.Session.ReplaceFilter(b).Should().BeFalse("where the filter runs does not move back");

        fake.Session.UserSpaceFilter.Should().BeSameAs(b);
        fake.SetFilterLengths.Should().Equal((uint)a.Length);
    }

    [Fact]
    public void A_replacement_the_hook_refuses_during_the_loop_is_logged_and_the_capture_goes_on()
    {
        BpfProgram a = BpfProgram.Compile("less 30");
        using var fake = new InMemorySkbremap(SKBREMAP_FEAT_FILTER, a);
        fake.RefuseFilters = true;
        fake.Publish(window: 0, seq: 1, packets: [10, 20]);
        fake.FiniteSourceDone = true;
        var reloads = new QueuedReloads();
        reloads.Pending.Enqueue(BpfProgram.Compile("greater 50"));

        CaptureResult result = new CaptureLoop(fake.Session, new RecordingWriter(), new CaptureLimits(), NullLogger.Instance) { FilterReloads = reloads }.Run();

        result.StopReason.Should().Be("source ended");
        result.Final.Packets.Should().Be(2);
        reloads.Pending.Should().BeEmpty("a request made before the loop runs is taken on its first turn");
        fake.Session.Filter.Should().BeSameAs(a);
    }

    private static (CaptureResult Result, List<int> Lengths) Run(InMemorySkbremap fake, CaptureLimits limits)
    {
        var sink = new RecordingWriter();
        CaptureResult result = new CaptureLoop(fake.Session, sink, limits, NullLogger.Instance).Run();
        return (result, sink.Lengths);
    }

    /// <summary>Replacement filters handed out one per turn, as remapd's SIGHUP handling does.</summary>
    private sealed class QueuedReloads : IFilterReloads
    {
        public Queue<BpfProgram?> Pending { get; } = new();

        public bool TryTake(out BpfProgram? program) => Pending.TryDequeue(out program);
    }

    private sealed class RecordingWriter : IPacketWriter
    {
        /// <summary>Packets taken before <see cref="Accepts"/> says no (a complete -G -W series).</summary>
        public int Capacity { get; init; } = int.MaxValue;

        public List<int> Lengths { get; } = [];

        public List<byte[]> Packets { get; } = [];

        public List<bool> Scattered { get; } = [];

        /// <summary>Packets written before every write throws (a full disk).</summary>
        public int ThrowAfter { get; init; } = int.MaxValue;

        public void Write(in CapturedPacket packet)
        {
            if (Lengths.Count >= ThrowAfter)
            {
                throw new IOException("No space left on device");
            }

            Lengths.Add(packet.Length);
            byte[] bytes = new byte[packet.Length];
            packet.CopyTo(0, bytes);
            Packets.Add(bytes);
            Scattered.Add(packet.IsScattered);
        }

        public long PacketsWritten => Lengths.Count;

        public long BytesWritten => Lengths.Sum(length => (long)length);

        public bool Accepts(in CapturedPacket packet) => Lengths.Count < Capacity;

        public void Flush()
        {
        }

        public void Dispose()
        {
        }
    }

    /// <summary>
    /// skbremap in memory: a 4-window region of 2 data pages each, laid out as
    /// SKBREMAP_IOC_LAYOUT would say, with the kernel's side of the protocol played by
    /// <see cref="Publish"/> (info page, data, seq, then status READY).
    /// </summary>
    private sealed unsafe class InMemorySkbremap : ICaptureBackend
    {
        private const int PageSize = 4096;
        private const uint Windows = 4;
        private const uint PagesPerWindow = 2;
        private const ulong Stride = (1 + PagesPerWindow) * PageSize;
        private readonly byte* _control = (byte*)NativeMemory.AlignedAlloc(PageSize, PageSize);
        private readonly byte* _windows = (byte*)NativeMemory.AlignedAlloc((nuint)(Windows * Stride), PageSize);
        private readonly uint _features;
        private skbremap_stats _stats;
        private bool _freed;

        /// <param name="features">SKBREMAP_FEAT_* the fake's VERSION answers (SKBREMAP_FEAT_FILTER: SET_FILTER is recorded).</param>
        /// <param name="filter">The capture's filter at Open.</param>
        public InMemorySkbremap(uint features = 0, BpfProgram? filter = null)
        {
            _features = features;
            NativeMemory.Clear(_control, PageSize);
            NativeMemory.Clear(_windows, (nuint)(Windows * Stride));
            *(skbremap_ctl_hdr*)_control = new skbremap_ctl_hdr
            {
                magic = SKBREMAP_MAGIC,
                abi_version = SKBREMAP_ABI_VERSION,
                windows = Windows,
                pages_per_window = PagesPerWindow,
            };
            Session = CaptureSession.Open(this, new CaptureSettings { Filter = filter }, NullLogger.Instance);
        }

        public CaptureSession Session { get; }

        public bool FiniteSourceDone { get; set; }

        public int StopCalls { get; private set; }

        public Action? OnStop { get; set; }

        public Action? OnPoll { get; set; }

        /// <summary>SET_FILTER answers EINVAL, as skbremap does for a program its checks refuse.</summary>
        public bool RefuseFilters { get; set; }

        /// <summary>The instruction count of every SET_FILTER, in order (refused ones too).</summary>
        public List<uint> SetFilterLengths { get; } = [];

        public BackendKind Kind => BackendKind.Emulator;

        public string Name => "in-memory skbremap";

        public bool HasFiniteSource => true;

        public bool SourceDone => FiniteSourceDone;

        private static skbremap_layout Layout => new()
        {
            ctl_offset = 0,
            ctl_size = PageSize,
            win_offset = PageSize,
            win_size = Windows * Stride,
            win_stride = Stride,
            windows = Windows,
            pages_per_window = PagesPerWindow,
            page_size = PageSize,
            info_hdr_size = (uint)sizeof(skbremap_info_hdr),
            info_entry_size = (uint)sizeof(skbremap_info_entry),
            info_entries_max = (uint)((PageSize - sizeof(skbremap_info_hdr)) / sizeof(skbremap_info_entry)),
            win_ctl_offset = (uint)sizeof(skbremap_ctl_hdr),
            win_ctl_size = (uint)sizeof(skbremap_win_ctl),
        };

        public uint StatusOf(int window) => Volatile.Read(ref WinCtl(window)->status);

        public void Publish(int window, ulong seq, int[] packets, bool corruptMagic = false, uint flags = 0)
        {
            byte* info = _windows + ((ulong)window * Stride);
            byte* data = info + PageSize;
            var hdr = (skbremap_info_hdr*)info;
            *hdr = new skbremap_info_hdr
            {
                magic = corruptMagic ? 0xdeadbeef : SKBREMAP_INFO_MAGIC,
                abi_version = SKBREMAP_ABI_VERSION,
                seq = seq,
                count = (uint)packets.Length,
                flags = flags,
                window = (uint)window,
            };
            uint at = 2;
            var entries = (skbremap_info_entry*)(info + sizeof(skbremap_info_hdr));
            for (int i = 0; i < packets.Length; i++)
            {
                entries[i] = new skbremap_info_entry
                {
                    page = at / PageSize,
                    offset = at % PageSize,
                    caplen = (uint)packets[i],
                    wirelen = (uint)packets[i],
                    tstamp_ns = 1,
                    ifindex = 1,
                    pkttype = 0,
                    path = SKBREMAP_PATH_BOUNCE,
                };
                new Span<byte>(data + at, packets[i]).Fill((byte)i);
                at += (uint)packets[i];
                _stats.seen++;
                _stats.captured++;
            }

            hdr->pages_used = (at + PageSize - 1) / PageSize;
            WinCtl(window)->seq = seq;
            Volatile.Write(ref WinCtl(window)->status, (uint)SKBREMAP_WIN_READY);
        }

        /// <summary>One SCATTER packet: 200 bytes at page 0 offset 100, then 300 at page 1 offset 0.</summary>
        public byte[] PublishScatter(int window, ulong seq)
        {
            byte* info = _windows + ((ulong)window * Stride);
            byte* data = info + PageSize;
            var hdr = (skbremap_info_hdr*)info;
            *hdr = new skbremap_info_hdr
            {
                magic = SKBREMAP_INFO_MAGIC,
                abi_version = SKBREMAP_ABI_VERSION,
                seq = seq,
                count = 3,
                pages_used = 2,
                window = (uint)window,
            };
            var entries = (skbremap_info_entry*)(info + sizeof(skbremap_info_hdr));
            entries[0] = new skbremap_info_entry
            {
                caplen = 500, wirelen = 500, tstamp_ns = 1, ifindex = 1, path = SKBREMAP_PATH_REMAP,
                flags = SKBREMAP_PKT_SCATTER, segments = 2,
            };
            entries[1] = new skbremap_info_entry { page = 0, offset = 100, caplen = 200, path = SKBREMAP_PATH_BOUNCE, flags = SKBREMAP_PKT_SEGMENT };
            entries[2] = new skbremap_info_entry { page = 1, offset = 0, caplen = 300, path = SKBREMAP_PATH_REMAP, flags = SKBREMAP_PKT_SEGMENT };
            byte[] expected = new byte[500];
            for (int i = 0; i < expected.Length; i++)
            {
                expected[i] = (byte)(i * 7);
            }

            expected.AsSpan(0, 200).CopyTo(new Span<byte>(data + 100, 200));
            expected.AsSpan(200).CopyTo(new Span<byte>(data + PageSize, 300));
            _stats.seen++;
            _stats.captured++;
            WinCtl(window)->seq = seq;
            Volatile.Write(ref WinCtl(window)->status, (uint)SKBREMAP_WIN_READY);
            return expected;
        }

        public int Ioctl(uint cmd, void* arg)
        {
            if (cmd == SKBREMAP_IOC_VERSION)
            {
                *(skbremap_version*)arg = new skbremap_version { magic = SKBREMAP_MAGIC, abi_version = SKBREMAP_ABI_VERSION, page_size = PageSize, features = _features };
            }
            else if (cmd == SKBREMAP_IOC_LAYOUT)
            {
                *(skbremap_layout*)arg = Layout;
            }
            else if (cmd == SKBREMAP_IOC_STATS)
            {
                *(skbremap_stats*)arg = _stats;
            }
            else if (cmd == SKBREMAP_IOC_STOP)
            {
                StopCalls++;
                OnStop?.Invoke();
            }
            else if (cmd == SKBREMAP_IOC_SET_FILTER)
            {
                SetFilterLengths.Add(((skbremap_filter*)arg)->len);
                return RefuseFilters ? -22 : 0; // EINVAL
            }

            return 0; // CONFIGURE, BIND, START: accepted.
        }

        public SafeMappingHandle Map(ulong offset, ulong length, bool writable) =>
            new BorrowedMapping(offset == 0 ? _control : _windows, length);

        public bool Poll(int timeoutMs)
        {
            OnPoll?.Invoke();
            return false;
        }

        public void SetSource(string spec)
        {
        }

        /// <summary>Called by the test's using (the session is never disposed: it would dispose this again).</summary>
        public void Dispose()
        {
            if (!_freed)
            {
                _freed = true;
                NativeMemory.AlignedFree(_windows);
                NativeMemory.AlignedFree(_control);
            }
        }

        private skbremap_win_ctl* WinCtl(int window) =>
            (skbremap_win_ctl*)(_control + sizeof(skbremap_ctl_hdr) + (window * sizeof(skbremap_win_ctl)));
    }

    /// <summary>A "mapping" of memory the fake owns: releasing it frees nothing.</summary>
    private sealed unsafe class BorrowedMapping(byte* address, ulong length) : SafeMappingHandle((nint)address, length)
    {
        protected override bool ReleaseHandle() => true;
    }
}
