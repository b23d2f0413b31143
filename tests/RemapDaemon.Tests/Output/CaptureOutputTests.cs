using System.Diagnostics;
using RemapDaemon.Output;
using RemapDaemon.Output.Pcap;
using RemapDaemon.Output.PcapNg;
using RemapDaemon.Protocol;
using RemapDaemon.Tests.Protocol;

namespace RemapDaemon.Tests.Output;

/// <summary>-w FILE, -w - and the option combinations tcpdump refuses.</summary>
public sealed class CaptureOutputTests : IDisposable
{
    private const ulong T0 = 1_700_000_000_000_000_000;

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("remapd-output-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Theory]
    [InlineData(1_000_000L, 0, 0)]
    [InlineData(0L, 60, 0)]
    [InlineData(0L, 0, 5)]
    public void Stdout_cannot_be_rotated_and_the_message_says_so(long bytes, int seconds, int files)
    {
        var options = new CaptureFileOptions { Path = "-", RotateBytes = bytes, RotateSeconds = seconds, FileCount = files };

        Action open = () => CaptureOutput.Open(options, () => Stream.Null);

        open.Should().Throw<ArgumentException>().WithMessage("output to stdout (-w -) cannot be rotated: -C, -G and -W need a file name*");
    }

    [Fact]
    public void A_file_count_without_size_or_time_is_refused()
    {
        Action open = () => CaptureOutput.Open(new CaptureFileOptions { Path = Path.Combine(_dir.FullName, "x"), FileCount = 3 });

        open.Should().Throw<ArgumentException>().WithMessage("-W (file count) needs -C (size) or -G (seconds) to rotate*");
    }

    [Fact]
    public void Without_rotation_one_plain_file_is_written_under_the_exact_name()
    {
        string path = Path.Combine(_dir.FullName, "plain.pcapng");
        using (IPacketWriter w = CaptureOutput.Open(new CaptureFileOptions { Path = path, Format = CaptureFileFormat.PcapNg }))
        {
            w.Should().BeOfType<PcapNgWriter>();
            w.Write(new CapturedPacket { Data = Frames.Udp(60), WireLength = 60, TimestampNs = T0, IfIndex = 1 });
        }

        Directory.GetFiles(_dir.FullName).Select(Path.GetFileName).Should().Equal("plain.pcapng");
        CaptureOutput.Open(new CaptureFileOptions { Path = path, RotateBytes = 10 }).Should().BeOfType<RotatingWriter>().Which.Dispose();
    }

    [Theory]
    [InlineData(CaptureFileFormat.Pcap)]
    [InlineData(CaptureFileFormat.PcapNg)]
    public async Task Stdout_piped_into_tcpdump_r_dash_delivers_every_packet(CaptureFileFormat format)
    {
        // remapd -w - | tcpdump -r - -w copy.pcap: our "stdout" is tcpdump's stdin.
        string copy = Path.Combine(_dir.FullName, "copy.pcap");
        var psi = new ProcessStartInfo("tcpdump") { RedirectStandardInput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[] { "-r", "-", "-w", copy, "--time-stamp-precision=nano" })
        {
            psi.ArgumentList.Add(a);
        }

        using Process tcpdump = Process.Start(psi)!;
        Task<string> stderr = tcpdump.StandardError.ReadToEndAsync();
        byte[][] frames = [.. Enumerable.Range(0, 200).Select(i => Frames.Udp(60 + (i * 7), (byte)i))];
        using (IPacketWriter w = CaptureOutput.Open(new CaptureFileOptions { Path = "-", Format = format }, () => tcpdump.StandardInput.BaseStream))
        {
            for (int i = 0; i < frames.Length; i++)
            {
                w.Write(new CapturedPacket { Data = frames[i], WireLength = (uint)frames[i].Length, TimestampNs = T0 + (ulong)i, IfIndex = 1 });
            }
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await tcpdump.WaitForExitAsync(timeout.Token);
        tcpdump.ExitCode.Should().Be(0, await stderr);
        List<PcapRecord> records = PcapReader.ReadFile(copy);
        records.Select(r => r.Data).Should().BeEquivalentTo(frames, o => o.WithStrictOrdering());
        records.Select(r => r.TimestampNs).Should().Equal(Enumerable.Range(0, 200).Select(i => T0 + (ulong)i));
    }
}
