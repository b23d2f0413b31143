using RemapDaemon.Output.Pcap;
using RemapDaemon.Protocol;


namespace RemapDaemon.Tests.Filtering;

/// <summary>The crafted frames in a pcap file (one second apart, so a record's timestamp names its frame), for the oracles to read.</summary>
internal sealed class CraftedCapture : IDisposable
{
    public const ulong FirstTimestampNs = 1_700_000_000_000_000_000;

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("remapd-filter-");

    public CraftedCapture()
    {
        Frames = CraftedFrames.All();
        Path = PathOf("crafted.pcap");
        using var writer = new PcapWriter(File.Create(Path), snaplen: 0);
        for (int i = 0; i < Frames.Count; i++)
        {
            writer.Write(new CapturedPacket { Data = Frames[i].Data, WireLength = Frames[i].WireLength, TimestampNs = TimestampOf(i), IfIndex = 1 });
        }
    }

    public IReadOnlyList<CraftedFrame> Frames { get; }

    public string Path { get; }

    public static ulong TimestampOf(int index) => FirstTimestampNs + ((ulong)index * 1_000_000_000);

    public static int IndexOf(ulong timestampNs) => (int)((timestampNs - FirstTimestampNs) / 1_000_000_000);

    public string PathOf(string name) => System.IO.Path.Combine(_dir.FullName, name);

    public void Dispose() => _dir.Delete(recursive: true);
}
