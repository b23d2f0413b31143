using System.Runtime.InteropServices;
using RemapDaemon.Output;
using RemapDaemon.Output.Pcap;
using RemapDaemon.Output.PcapNg;
using RemapDaemon.Protocol;
using RemapDaemon.Tests.Protocol;
using static RemapDaemon.Protocol.Abi.Skbremap;

namespace RemapDaemon.Tests.Output;

/// <summary>
/// The writer thread's output is byte for byte what the stream writers produce, whichever way
/// each packet goes (copied or written from its "window" in place); a window is released only
/// after its bytes are written; a write error reaches the capture thread.
/// </summary>
public sealed unsafe class OutputQueueTests : IDisposable
{
    private const int WindowBytes = 256 * 1024;
    private readonly byte* _window = (byte*)NativeMemory.AllocZeroed(WindowBytes);
    private readonly string _dir = Directory.CreateTempSubdirectory("outputqueue-").FullName;

    public void Dispose()
    {
        NativeMemory.Free(_window);
        Directory.Delete(_dir, recursive: true);
    }

    [Theory]
    [InlineData(CaptureFileFormat.Pcap, 1)]
    [InlineData(CaptureFileFormat.Pcap, 2048)]
    [InlineData(CaptureFileFormat.Pcap, int.MaxValue)]
    [InlineData(CaptureFileFormat.PcapNg, 1)]
    [InlineData(CaptureFileFormat.PcapNg, 2048)]
    [InlineData(CaptureFileFormat.PcapNg, int.MaxValue)]
    public void Gathered_and_copied_packets_make_the_same_file_as_a_stream_writer(CaptureFileFormat format, int gatherMinimum)
    {
        int[] sizes = [60, 61, 1514, 2047, 2048, 9000, 63, 16000, 1, 4093];
        string path = Path.Combine(_dir, "q");
        var released = new List<int>();
        long gathered;
        using (var queue = new OutputQueue(new OutputQueueOptions { GatherMinimum = gatherMinimum, MaxBatches = 2 }))
        {
            queue.AllowReferences(_window, WindowBytes);
            using (IPacketWriter writer = Open(format, OutputFile.Create(queue, path)))
            {
                for (int w = 0; w < 3; w++)
                {
                    WritePackets(writer, sizes, w, vlanEvery: 4);
                    if (!queue.EndWindow(w, released.Add))
                    {
                        released.Add(w);
                    }
                }
            }

            queue.Drain();
            gathered = queue.Counters.Gathered;
        }

        var expected = new MemoryStream();
        using (IPacketWriter writer = format == CaptureFileFormat.Pcap
            ? new PcapWriter(expected, 0, leaveOpen: true)
            : new PcapNgWriter(expected, 0, leaveOpen: true, clockNs: () => 0))
        {
            for (int w = 0; w < 3; w++)
            {
                WritePackets(writer, sizes, w, vlanEvery: 4);
            }
        }

        File.ReadAllBytes(path).Should().Equal(expected.ToArray());
        released.Should().Equal(0, 1, 2);

        // A tag to put back (every 4th packet, when it has its MAC addresses) means a copy.
        int large = sizes.Where((s, i) => s >= gatherMinimum && !(i % 4 == 0 && s >= 12)).Count();
        gathered.Should().Be(3L * large, "packets at or above the minimum without a VLAN tag to put back are written in place");
    }

    [Fact]
    public void A_window_written_from_in_place_is_released_by_the_writer_after_its_bytes_are_in_the_file()
    {
        string path = Path.Combine(_dir, "held");
        long fileLengthAtRelease = -1;
        using var done = new ManualResetEventSlim();
        using var queue = new OutputQueue(new OutputQueueOptions { GatherMinimum = 1000 });
        queue.AllowReferences(_window, WindowBytes);
        using IPacketWriter writer = new PcapWriter(OutputFile.Create(queue, path), 0);
        new Span<byte>(_window, 9000).Fill(0xab);
        writer.Write(new CapturedPacket { Data = new ReadOnlySpan<byte>(_window, 9000), WireLength = 9000 });

        bool held = queue.EndWindow(7, w =>
        {
            w.Should().Be(7);
            fileLengthAtRelease = new FileInfo(path).Length;
            done.Set();
        });

        held.Should().BeTrue("the packet is referenced in the window");
        queue.HandOverHeld(); // as the capture loop does when it has nothing more to read
        done.Wait(TimeSpan.FromSeconds(30)).Should().BeTrue();
        fileLengthAtRelease.Should().Be(PcapFormat.FileHeaderSize + PcapFormat.RecordHeaderSize + 9000);
        queue.Counters.WindowsHeld.Should().Be(1);
    }

    [Fact]
    public void A_window_whose_packets_were_all_copied_is_released_by_the_caller()
    {
        using var queue = new OutputQueue(new OutputQueueOptions { GatherMinimum = 1000 });
        queue.AllowReferences(_window, WindowBytes);
        using IPacketWriter writer = new PcapWriter(OutputFile.Create(queue, Path.Combine(_dir, "copied")), 0);
        writer.Write(new CapturedPacket { Data = new ReadOnlySpan<byte>(_window, 999), WireLength = 999 });

        // Memory outside AllowReferences is never referenced, however large.
        byte[] elsewhere = new byte[9000];
        writer.Write(new CapturedPacket { Data = elsewhere, WireLength = 9000 });

        queue.EndWindow(0, _ => Assert.Fail("the queue holds nothing of this window")).Should().BeFalse();
        queue.Drain();
        queue.Counters.Gathered.Should().Be(0);
    }

    [Fact]
    public void A_write_error_reaches_the_capture_thread_and_windows_are_still_released()
    {
        using var queue = new OutputQueue(new OutputQueueOptions { GatherMinimum = 1000 });
        queue.AllowReferences(_window, WindowBytes);
        using IPacketWriter writer = new PcapWriter(OutputFile.Create(queue, "/dev/full"), 0);
        var released = new List<int>();
        writer.Write(new CapturedPacket { Data = new ReadOnlySpan<byte>(_window, 9000), WireLength = 9000 });
        queue.EndWindow(3, released.Add).Should().BeTrue();

        Action drain = queue.Drain;

        drain.Should().Throw<IOException>().WithMessage("No space left on device*");
        released.Should().Equal(3);
        Action write = () => writer.Write(new CapturedPacket { Data = Frames.Udp(60), WireLength = 60 });
        write.Should().Throw<IOException>();
    }

    private static IPacketWriter Open(CaptureFileFormat format, OutputFile file) => format == CaptureFileFormat.Pcap
        ? new PcapWriter(file, 0)
        : new PcapNgWriter(file, 0, clockNs: () => 0);

    /// <summary>The same packets, from the window's memory, for window <paramref name="w"/>; every <paramref name="vlanEvery"/>th with a VLAN tag in metadata.</summary>
    private void WritePackets(IPacketWriter writer, int[] sizes, int w, int vlanEvery)
    {
        // Each window its own memory, as in a region: window w's bytes stay put until it is released.
        int offset = w * 40_000;
        for (int i = 0; i < sizes.Length; i++)
        {
            var data = new Span<byte>(_window + offset, sizes[i]);
            for (int b = 0; b < data.Length; b++)
            {
                data[b] = (byte)(b + i + (w * 7));
            }

            bool vlan = i % vlanEvery == 0;
            writer.Write(new CapturedPacket
            {
                Data = data,
                WireLength = (uint)sizes[i] + 10,
                TimestampNs = (ulong)((w * 1000) + i) * 1_000_003,
                IfIndex = 1 + (i % 2),
                VlanTci = vlan ? (ushort)42 : (ushort)0,
                Flags = vlan ? SKBREMAP_PKT_VLAN : 0,
            });
            offset += sizes[i];
        }
    }
}
