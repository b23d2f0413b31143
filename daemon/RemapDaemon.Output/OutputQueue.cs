using System.Runtime.InteropServices;
using RemapDaemon.Output.Interop;

namespace RemapDaemon.Output;

/// <summary>
/// The output path of one capture: the capture thread describes what goes into the files as
/// batches of segments, and a writer thread of its own writes each batch with one pwritev
/// (writev for stdout) per file and per <see cref="LibC.IovMax"/> segments.
/// <para>
/// <b>Copy or gather.</b> Record headers, and packets shorter than
/// <see cref="OutputQueueOptions.GatherMinimum"/>, are copied into the batch's arena (a pinned
/// buffer); a packet at least that long is referenced where it lies, in the mapped window, and
/// written from there ("gather"). Only memory the capture declared with
/// <see cref="AllowReferences"/> (the region's windows part) is ever referenced; anything else
/// (a linearized or VLAN-tagged packet, a test's array) is copied.
/// </para>
/// <para>
/// <b>Windows.</b> A window none of whose bytes were referenced is released by the capture
/// thread as soon as its packets are copied (<see cref="EndWindow"/> returns false). A window
/// that was referenced joins the current batch's list and is released by the writer thread
/// right after that batch is written; batches are written in order, so every byte of it is in
/// the file by then. A batch is handed over when its arena or segment list is full, when it
/// holds <see cref="OutputQueueOptions.WindowsPerBatch"/> windows, or when the capture has
/// nothing more to read (<see cref="HandOverHeld"/>).
/// </para>
/// <para>
/// <b>A slow disk.</b> At most <see cref="OutputQueueOptions.MaxBatches"/> batches wait for the
/// writer; then the capture thread waits: the region absorbs the backlog (windows stay READY
/// or held) and nothing is dropped as long as the region lasts. The kernel's "no window" drops
/// counted while the queue is full (that many batches wait, or the batches waiting hold every
/// window of the region) are the disk's: they are reported as
/// <see cref="OutputQueueCounters.OutputTooSlowDrops"/>.
/// </para>
/// <para>
/// <b>Errors.</b> A failed write (ENOSPC, EIO) ends writing: later batches are not written, but
/// their files are still closed and their windows still released. The capture thread sees the
/// error at its next <see cref="ThrowIfFailed"/> (every append does it) or at <see cref="Drain"/>.
/// </para>
/// Threading: one producer (the capture thread: every member but <see cref="Counters"/>,
/// which any thread may read); the writer thread is this object's own. One queue per output:
/// several capture threads each have their own.
/// </summary>
public sealed unsafe class OutputQueue : IDisposable
{
    /// <summary>Bytes of one batch's arena: more than the largest record (a 262144-byte packet with its pcapng block).</summary>
    public const int ArenaSize = 288 * 1024;

    /// <summary>Segments of one batch: one system call's worth.</summary>
    public const int MaxSegments = LibC.IovMax;

    private readonly object _lock = new();
    private readonly Queue<Batch> _queued = new();
    private readonly Stack<Batch> _free = new();
    private readonly Thread _writer;
    private readonly OutputQueueOptions _options;
    private readonly iovec* _iov;
    private Batch _current;
    private byte* _refBase;
    private byte* _refEnd;
    private bool _referencedSinceWindow;
    private bool _stopping;
    private bool _disposed;
    private Exception? _failure;
    private volatile bool _failed;

    // Writer-side counters, under _lock.
    private long _writeCalls;
    private long _bytesOut;
    private long _gathered;
    private long _gatheredBytes;
    private long _windowsHeld;
    private int _maxDepth;
    private long _waits;
    private ulong _tooSlowDrops;
    private ulong? _fullSinceDrops;
    private int _windowsQueued;

    public OutputQueue(OutputQueueOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxBatches, 1);
        _options = options;
        _iov = (iovec*)NativeMemory.Alloc((nuint)MaxSegments, (nuint)sizeof(iovec));
        _current = new Batch();
        _writer = new Thread(WriterLoop) { Name = "remapd writer", IsBackground = true };
        _writer.Start();
    }

    /// <summary>Packets at least this long are written from their window (gather); shorter ones are copied.</summary>
    public int GatherMinimum => _options.GatherMinimum;

    /// <summary>What the writer has done so far; any thread.</summary>
    public OutputQueueCounters Counters
    {
        get
        {
            lock (_lock)
            {
                return new OutputQueueCounters(_writeCalls, _bytesOut, _gathered, _gatheredBytes, _windowsHeld, _queued.Count, _maxDepth, _options.MaxBatches, _waits, _tooSlowDrops);
            }
        }
    }

    /// <summary>
    /// The memory packets may be referenced in rather than copied (the region's windows part):
    /// it must stay mapped until this queue is drained, and a window's bytes valid until the
    /// window is released through <see cref="EndWindow"/>.
    /// </summary>
    public void AllowReferences(void* start, long length)
    {
        _refBase = (byte*)start;
        _refEnd = (byte*)start + length;
    }

    /// <summary>As <see cref="AllowReferences(void*, long)"/>, for memory that does not move (a mapping).</summary>
    public void AllowReferences(ReadOnlySpan<byte> mapping) =>
        AllowReferences(System.Runtime.CompilerServices.Unsafe.AsPointer(ref MemoryMarshal.GetReference(mapping)), mapping.Length);

    /// <summary>Throws the writer thread's failure, if it had one.</summary>
    public void ThrowIfFailed()
    {
        if (_failed)
        {
            lock (_lock)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(_failure!);
            }
        }
    }

    /// <summary>Room for <paramref name="size"/> bytes (at most <see cref="ArenaSize"/>) at the end of the current batch; <see cref="Commit"/> keeps them.</summary>
    internal Span<byte> Reserve(int size)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, ArenaSize);
        if (ArenaSize - _current.ArenaUsed < size || _current.Count + 1 > MaxSegments)
        {
            Seal();
        }

        return new Span<byte>(_current.ArenaBase + _current.ArenaUsed, size);
    }

    /// <summary>Keeps the <paramref name="size"/> bytes last written into <see cref="Reserve"/>'s span, as the next bytes of <paramref name="file"/>.</summary>
    internal void Commit(OutputFile file, int size)
    {
        if (size == 0)
        {
            return;
        }

        Batch b = _current;
        byte* at = b.ArenaBase + b.ArenaUsed;
        b.ArenaUsed += size;
        if (b.Count > 0)
        {
            ref Segment last = ref b.Segments[b.Count - 1];
            if (last.File == file && last.Kind == SegmentKind.Bytes && last.Pointer + last.Length == at)
            {
                last.Length += size;
                return;
            }
        }

        b.Segments[b.Count++] = new Segment(file, SegmentKind.Bytes, at, size);
    }

    /// <summary>
    /// Appends <paramref name="bytes"/> for <paramref name="file"/>: referenced where they lie
    /// when they are at least <see cref="GatherMinimum"/> long and inside the memory of
    /// <see cref="AllowReferences"/>, copied otherwise.
    /// </summary>
    internal void Append(OutputFile file, ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length == 0)
        {
            return;
        }

        byte* p = (byte*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref MemoryMarshal.GetReference(bytes));
        if (bytes.Length >= _options.GatherMinimum && p >= _refBase && p + bytes.Length <= _refEnd)
        {
            if (_current.Count + 1 > MaxSegments)
            {
                Seal();
            }

            _current.Segments[_current.Count++] = new Segment(file, SegmentKind.Reference, p, bytes.Length);
            _current.Gathered++;
            _current.GatheredBytes += bytes.Length;
            _referencedSinceWindow = true;
            return;
        }

        bytes.CopyTo(Reserve(bytes.Length));
        Commit(file, bytes.Length);
    }

    /// <summary>Closes <paramref name="file"/> on the writer thread once everything queued for it is written.</summary>
    internal void Close(OutputFile file)
    {
        if (_current.Count + 1 > MaxSegments)
        {
            Seal();
        }

        _current.Segments[_current.Count++] = new Segment(file, SegmentKind.Close, null, 0);
    }

    /// <summary>
    /// The capture thread is done with <paramref name="window"/>. False: nothing of it was
    /// referenced, release it now. True: the writer thread calls <paramref name="release"/> once
    /// the window's bytes are written. Never throws.
    /// </summary>
    public bool EndWindow(int window, Action<int> release)
    {
        ArgumentNullException.ThrowIfNull(release);
        if (!_referencedSinceWindow)
        {
            return false;
        }

        _referencedSinceWindow = false;
        Batch b = _current;
        b.Release = release;
        b.Windows.Add(window);
        if (b.Windows.Count >= _options.WindowsPerBatch)
        {
            Seal();
        }

        return true;
    }

    /// <summary>
    /// Hands the current batch over if it holds windows: the capture thread calls this when it
    /// has nothing more to read, so that no window waits for more packets to share its batch.
    /// </summary>
    public void HandOverHeld()
    {
        if (_current.Windows.Count > 0)
        {
            Seal();
        }
    }

    /// <summary>
    /// Waits at most <paramref name="timeoutMs"/> for the writer to finish a batch (and so
    /// release the window it held, if any); returns at once when nothing is queued.
    /// </summary>
    public void WaitForProgress(int timeoutMs)
    {
        lock (_lock)
        {
            if (_queued.Count > 0)
            {
                Monitor.Wait(_lock, timeoutMs);
            }
        }
    }

    /// <summary>Hands the current batch to the writer thread (waits only when the queue is full).</summary>
    public void Flush()
    {
        if (_current.Count > 0)
        {
            Seal();
        }

        ThrowIfFailed();
    }

    /// <summary>
    /// Hands the current batch over and waits until the writer has written every batch and
    /// released every window it held; then throws the writer's failure, if any.
    /// </summary>
    public void Drain()
    {
        if (_current.Count > 0)
        {
            Seal();
        }

        lock (_lock)
        {
            while (_queued.Count > 0)
            {
                Monitor.Wait(_lock);
            }
        }

        ThrowIfFailed();
    }

    /// <summary>Drains (without throwing), stops the writer thread and frees the segment list.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            Drain();
        }
#pragma warning disable CA1031 // Reported by Drain to whoever drained before; Dispose only stops the thread.
        catch (Exception)
#pragma warning restore CA1031
        {
        }

        lock (_lock)
        {
            _stopping = true;
            Monitor.PulseAll(_lock);
        }

        _writer.Join();
        NativeMemory.Free(_iov);
    }

    /// <summary>
    /// The output is what holds the capture back: as many batches wait as may, or the batches
    /// waiting hold every window of the region. Under _lock.
    /// </summary>
    private bool Full => _queued.Count >= _options.MaxBatches || _windowsQueued >= _options.RegionWindows;

    /// <summary>Queues the current batch (with the windows it releases, if any) and starts a new one.</summary>
    private void Seal()
    {
        Batch b = _current;
        lock (_lock)
        {
            if (_queued.Count >= _options.MaxBatches)
            {
                _waits++;
                while (_queued.Count >= _options.MaxBatches)
                {
                    Monitor.Wait(_lock);
                }
            }

            _queued.Enqueue(b);
            if (_queued.Count > _maxDepth)
            {
                _maxDepth = _queued.Count;
            }

            _windowsQueued += b.Windows.Count;
            if (Full && _fullSinceDrops is null)
            {
                // The queue is full: the region's windows fill from here on, and what the kernel
                // drops for want of a window until the writer catches up is the disk's doing.
                _fullSinceDrops = NoWindowDrops();
            }

            _current = _free.Count > 0 ? _free.Pop() : new Batch();
            Monitor.PulseAll(_lock);
        }
    }

    private ulong NoWindowDrops()
    {
        try
        {
            return _options.NoWindowDrops?.Invoke() ?? 0;
        }
#pragma warning disable CA1031 // A counter that cannot be read attributes nothing; the capture goes on.
        catch (Exception)
#pragma warning restore CA1031
        {
            return 0;
        }
    }

    private void WriterLoop()
    {
        while (true)
        {
            Batch b;
            lock (_lock)
            {
                while (_queued.Count == 0 && !_stopping)
                {
                    Monitor.Wait(_lock);
                }

                if (_queued.Count == 0)
                {
                    return;
                }

                b = _queued.Peek();
            }

            long calls = 0;
            long bytes = 0;
            try
            {
                if (!_failed)
                {
                    Write(b, ref calls, ref bytes);
                }
            }
#pragma warning disable CA1031 // Kept for the capture thread, which reports it.
            catch (Exception e)
#pragma warning restore CA1031
            {
                lock (_lock)
                {
                    _failure ??= e;
                    _failed = true;
                }
            }

            // Whatever happened, the files are closed and the window goes back.
            CloseFiles(b);
            if (b.Release is { } release)
            {
                foreach (int window in b.Windows)
                {
                    release(window);
                }
            }

            lock (_lock)
            {
                _writeCalls += calls;
                _bytesOut += bytes;
                _gathered += b.Gathered;
                _gatheredBytes += b.GatheredBytes;
                _windowsHeld += b.Windows.Count;

                _queued.Dequeue();
                _windowsQueued -= b.Windows.Count;
                if (_fullSinceDrops is ulong since && !Full)
                {
                    ulong now = NoWindowDrops();
                    _tooSlowDrops += now > since ? now - since : 0;
                    _fullSinceDrops = null;
                }

                b.Reset();
                _free.Push(b);
                Monitor.PulseAll(_lock);
            }
        }
    }

    /// <summary>Writes the batch: one call per run of segments of one file (up to IOV_MAX of them).</summary>
    private void Write(Batch b, ref long calls, ref long bytes)
    {
        int i = 0;
        while (i < b.Count)
        {
            OutputFile file = b.Segments[i].File;
            if (b.Segments[i].Kind == SegmentKind.Close)
            {
                i++;
                continue;
            }

            int n = 0;
            long total = 0;
            while (i < b.Count && n < MaxSegments && b.Segments[i].File == file && b.Segments[i].Kind != SegmentKind.Close)
            {
                _iov[n].iov_base = b.Segments[i].Pointer;
                _iov[n].iov_len = (nuint)b.Segments[i].Length;
                total += b.Segments[i].Length;
                n++;
                i++;
            }

            WriteAll(file, n, total, ref calls);
            bytes += total;
        }
    }

    /// <summary>pwritev/writev until all <paramref name="total"/> bytes of the first <paramref name="n"/> iovecs are written.</summary>
    private void WriteAll(OutputFile file, int n, long total, ref long calls)
    {
        iovec* iov = _iov;
        while (total > 0)
        {
            nint done = file.Positional
                ? LibC.pwritev(file.Handle, iov, n, file.Offset)
                : LibC.writev(file.Handle, iov, n);
            calls++;
            if (done < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno == EINTR)
                {
                    continue;
                }

                throw new IOException($"{Marshal.GetPInvokeErrorMessage(errno)} : '{file.Name}'", errno);
            }

            if (file.Positional)
            {
                file.Offset += done;
            }

            total -= done;

            // A short write: skip what went out and go on from there.
            while (n > 0 && done >= (nint)iov->iov_len)
            {
                done -= (nint)iov->iov_len;
                iov++;
                n--;
            }

            if (n > 0)
            {
                iov->iov_base = (byte*)iov->iov_base + done;
                iov->iov_len -= (nuint)done;
            }
        }
    }

    private static void CloseFiles(Batch b)
    {
        for (int i = 0; i < b.Count; i++)
        {
            if (b.Segments[i].Kind == SegmentKind.Close)
            {
                b.Segments[i].File.Handle.Dispose();
            }
        }
    }

    private const int EINTR = 4;

    private enum SegmentKind : byte
    {
        /// <summary>Bytes in the batch's arena.</summary>
        Bytes,

        /// <summary>Bytes where they lie (a mapped window).</summary>
        Reference,

        /// <summary>Close the file here.</summary>
        Close,
    }

    private struct Segment(OutputFile file, SegmentKind kind, byte* pointer, int length)
    {
        public readonly OutputFile File = file;
        public readonly SegmentKind Kind = kind;
        public readonly byte* Pointer = pointer;
        public int Length = length;
    }

    /// <summary>A batch: an arena for copies and headers, the segments to write, the window to release after.</summary>
    private sealed class Batch
    {
        private readonly byte[] _arena = GC.AllocateUninitializedArray<byte>(ArenaSize, pinned: true);

        public Batch()
        {
            ArenaBase = (byte*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_arena));
        }

        public byte* ArenaBase { get; }

        public int ArenaUsed { get; set; }

        public Segment[] Segments { get; } = new Segment[MaxSegments];

        public int Count { get; set; }

        /// <summary>The windows released after this batch is written (all through <see cref="Release"/>).</summary>
        public List<int> Windows { get; } = new(64);

        public Action<int>? Release { get; set; }

        public long Gathered { get; set; }

        public long GatheredBytes { get; set; }

        public void Reset()
        {
            Array.Clear(Segments, 0, Count);
            Count = 0;
            ArenaUsed = 0;
            Windows.Clear();
            Release = null;
            Gathered = 0;
            GatheredBytes = 0;
        }
    }
}

/// <summary>How an <see cref="OutputQueue"/> copies, gathers and waits.</summary>
public sealed record OutputQueueOptions
{
    /// <summary>
    /// The default <see cref="GatherMinimum"/>: from this many bytes a packet is written from
    /// its window rather than copied (the crossover measured in docs/performance.md, "Output path").
    /// </summary>
    public const int DefaultGatherMinimum = 8192;

    /// <summary>Packets at least this long are written from where they lie; int.MaxValue: always copy.</summary>
    public int GatherMinimum { get; init; } = DefaultGatherMinimum;

    /// <summary>Batches that may wait for the writer before the capture thread waits.</summary>
    public int MaxBatches { get; init; } = 16;

    /// <summary>
    /// Windows one batch may hold before it is handed over (it is handed over sooner when full,
    /// or when the capture has nothing more to read: <see cref="OutputQueue.HandOverHeld"/>).
    /// </summary>
    public int WindowsPerBatch { get; init; } = 4;

    /// <summary>Windows of the region: when the batches waiting hold that many, the queue counts as full.</summary>
    public int RegionWindows { get; init; } = int.MaxValue;

    /// <summary>The kernel's drop_no_window counter, read when the queue fills and when it drains; null: none attributed.</summary>
    public Func<ulong>? NoWindowDrops { get; init; }
}

/// <summary>What an <see cref="OutputQueue"/> has done.</summary>
/// <param name="WriteCalls">pwritev/writev system calls made.</param>
/// <param name="BytesWritten">Bytes they wrote.</param>
/// <param name="Gathered">Packets written from their window rather than copied.</param>
/// <param name="GatheredBytes">Their bytes.</param>
/// <param name="WindowsHeld">Windows released by the writer thread, after their bytes were written.</param>
/// <param name="Depth">Batches waiting for the writer now.</param>
/// <param name="MaxDepth">The most that ever waited.</param>
/// <param name="Bound">How many may wait before the capture thread does.</param>
/// <param name="Waits">Times the capture thread waited for room in the queue.</param>
/// <param name="OutputTooSlowDrops">The kernel's "no window" drops counted while the queue was full.</param>
public readonly record struct OutputQueueCounters(
    long WriteCalls,
    long BytesWritten,
    long Gathered,
    long GatheredBytes,
    long WindowsHeld,
    int Depth,
    int MaxDepth,
    int Bound,
    long Waits,
    ulong OutputTooSlowDrops);
