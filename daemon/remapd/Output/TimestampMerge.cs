using System.Buffers;
using System.Diagnostics;
using RemapDaemon.Output;
using RemapDaemon.Protocol;
using static RemapDaemon.Protocol.Abi.Skbremap;

namespace RemapDaemon.Remapd.Output;

/// <summary>
/// remapd -j N --merge: the packets of N capture loops (one fanout member each) into one
/// <see cref="IPacketWriter"/> in timestamp order, with bounded buffering.
/// <para>
/// Each member's loop writes into its own FIFO (<see cref="Member"/>): the packet is copied
/// (its window is released right after), at most <see cref="QueueRecords"/> records or
/// <see cref="QueueBytes"/> bytes per member; a loop whose FIFO is full waits, holding its
/// windows, so a member that outruns the file turns into skbremap's drops (or, with rollover,
/// into the other members' share) rather than into memory. The merge thread is a k-way merge
/// of the FIFOs' heads: it writes the head with the smallest timestamp once every member still
/// capturing has a packet queued (each member's own packets come in order), or once that head
/// has waited <see cref="Lag"/>: a member with no packet for that long has none older on the
/// way (skbremap publishes a window at the latest after its retire timeout). A packet of a
/// member that was silent longer than that, stamped before one already written, would break the
/// order: the merge counts such packets (<see cref="OutOfOrder"/>) and writes them anyway.
/// </para>
/// </summary>
internal sealed class TimestampMerge : IDisposable
{
    internal const int QueueRecords = 4096;
    internal const long QueueBytes = 16L << 20;

    private readonly IPacketWriter _target;
    private readonly MemberFifo[] _members;
    private readonly object _gate = new();
    private readonly Thread _thread;
    private readonly long _lagTicks;
    private readonly bool _flushEachBatch;
    private Exception? _failure;
    private ulong _lastWrittenNs;
    private long _outOfOrder;

    internal TimestampMerge(IPacketWriter target, int members, TimeSpan lag, bool flushEachBatch)
    {
        _target = target;
        _lagTicks = (long)(lag.TotalSeconds * Stopwatch.Frequency);
        _flushEachBatch = flushEachBatch;
        _members = new MemberFifo[members];
        for (int k = 0; k < members; k++)
        {
            _members[k] = new MemberFifo(this, k);
        }

        _thread = new Thread(Run) { Name = "remapd merge", IsBackground = true };
        _thread.Start();
    }

    /// <summary>How long a head waits for a silent member before it is written.</summary>
    internal TimeSpan Lag => TimeSpan.FromSeconds((double)_lagTicks / Stopwatch.Frequency);

    /// <summary>Packets written with a timestamp below one written before them (see the class summary).</summary>
    internal long OutOfOrder => Interlocked.Read(ref _outOfOrder);

    /// <summary>The writer of member <paramref name="k"/>'s capture loop.</summary>
    internal IPacketWriter Member(int k) => _members[k];

    /// <summary>Member <paramref name="k"/>'s loop has ended: nothing more comes from it.</summary>
    internal void Finish(int k)
    {
        lock (_gate)
        {
            _members[k].Finished = true;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>
    /// Waits until every member has finished and every queued packet is written, then ends the
    /// merge thread; the target stays open (the caller owns it). Throws what the target threw.
    /// </summary>
    internal void Complete()
    {
        lock (_gate)
        {
            foreach (MemberFifo m in _members)
            {
                m.Finished = true;
            }

            Monitor.PulseAll(_gate);
        }

        _thread.Join();
        if (_failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(_failure);
        }
    }

    public void Dispose() => Complete();

    private void Run()
    {
        var batch = new List<Record>(64);
        while (true)
        {
            lock (_gate)
            {
                while (!TakeReady(batch))
                {
                    if (Done())
                    {
                        return;
                    }

                    Monitor.Wait(_gate, 20);
                }
            }

            try
            {
                foreach (Record r in batch)
                {
                    if (_failure is null)
                    {
                        WriteOne(r);
                    }

                    r.Return();
                }

                if (_flushEachBatch && _failure is null)
                {
                    _target.Flush();
                }
            }
#pragma warning disable CA1031 // Kept, then thrown to every member's loop and by Complete.
            catch (Exception e)
#pragma warning restore CA1031
            {
                lock (_gate)
                {
                    _failure ??= e;
                    Monitor.PulseAll(_gate);
                }
            }

            batch.Clear();
        }
    }

    private bool Done()
    {
        foreach (MemberFifo m in _members)
        {
            if (!m.Finished || m.Queue.Count > 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Moves the heads that may be written now into <paramref name="batch"/>, in order. Under the gate.</summary>
    private bool TakeReady(List<Record> batch)
    {
        long now = Stopwatch.GetTimestamp();
        while (batch.Count < 64)
        {
            MemberFifo? min = null;
            bool anySilent = false;
            foreach (MemberFifo m in _members)
            {
                if (m.Queue.Count == 0)
                {
                    anySilent |= !m.Finished;
                    continue;
                }

                if (min is null || m.Queue.Peek().TimestampNs < min.Queue.Peek().TimestampNs)
                {
                    min = m;
                }
            }

            if (min is null || (anySilent && now - min.Queue.Peek().EnqueuedAt < _lagTicks))
            {
                break;
            }

            Record r = min.Queue.Dequeue();
            min.QueuedBytes -= r.Length;
            batch.Add(r);
            Monitor.PulseAll(_gate);
        }

        return batch.Count > 0;
    }

    private void WriteOne(Record r)
    {
        if (r.TimestampNs < _lastWrittenNs)
        {
            Interlocked.Increment(ref _outOfOrder);
        }
        else
        {
            _lastWrittenNs = r.TimestampNs;
        }

        var packet = new CapturedPacket
        {
            Data = r.Buffer.AsSpan(0, r.Length),
            WireLength = r.WireLength,
            TimestampNs = r.TimestampNs,
            IfIndex = r.IfIndex,
            Protocol = r.Protocol,
            PacketType = r.PacketType,
            Path = r.Path,
            VlanTci = r.VlanTci,
            VlanProto = r.VlanProto,

            // The copy is contiguous whatever the window held.
            Flags = r.Flags & ~(SKBREMAP_PKT_SCATTER | SKBREMAP_PKT_SEGMENT),
        };
        _target.Write(in packet);
    }

    /// <summary>One packet copied out of its window.</summary>
    private readonly record struct Record(
        byte[] Buffer, int Length, uint WireLength, ulong TimestampNs, int IfIndex, ushort Protocol,
        byte PacketType, byte Path, ushort VlanTci, ushort VlanProto, uint Flags, long EnqueuedAt)
    {
        public void Return() => ArrayPool<byte>.Shared.Return(Buffer);
    }

    /// <summary>A member's end of the merge: what its capture loop writes to.</summary>
    private sealed class MemberFifo(TimestampMerge merge, int index) : IPacketWriter
    {
        private long _packets;
        private long _bytes;

        public Queue<Record> Queue { get; } = new();

        public long QueuedBytes { get; set; }

        public bool Finished { get; set; }

        public int Index => index;

        public long PacketsWritten => Interlocked.Read(ref _packets);

        public long BytesWritten => Interlocked.Read(ref _bytes);

        public void Write(in CapturedPacket packet)
        {
            int length = packet.Length;
            byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
            packet.CopyTo(0, buffer.AsSpan(0, length));
            var record = new Record(buffer, length, packet.WireLength, packet.TimestampNs, packet.IfIndex, packet.Protocol,
                packet.PacketType, packet.Path, packet.VlanTci, packet.VlanProto, packet.Flags, Stopwatch.GetTimestamp());
            lock (merge._gate)
            {
                // Bounded: wait for the merge (while the loop holds this window).
                while (merge._failure is null && (Queue.Count >= QueueRecords || (Queue.Count > 0 && QueuedBytes + length > QueueBytes)))
                {
                    Monitor.Wait(merge._gate);
                }

                if (merge._failure is { } failure)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    throw new IOException($"writing the merged file failed: {failure.Message}", failure);
                }

                Queue.Enqueue(record);
                QueuedBytes += length;
                Monitor.PulseAll(merge._gate);
            }

            Interlocked.Increment(ref _packets);
            Interlocked.Add(ref _bytes, length);
        }

        public void Flush()
        {
            // The merge thread writes and flushes; nothing is buffered here but the FIFO.
        }

        public void Dispose()
        {
        }
    }
}
