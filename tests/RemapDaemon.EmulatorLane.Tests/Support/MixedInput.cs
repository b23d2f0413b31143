namespace RemapDaemon.EmulatorLane.Tests.Support;

/// <summary>A class fixture: the <see cref="MixedCapture"/> written once for every test of a class.</summary>
public sealed class MixedInput : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("remapd-mixed-").FullName;

    public MixedInput()
    {
        Path = System.IO.Path.Combine(_directory, "mixed.pcap");
        Count = MixedCapture.Write(Path);
    }

    public string Path { get; }

    public int Count { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
