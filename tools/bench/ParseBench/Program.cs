using System.Diagnostics;
using RemapDaemon.Bench;
using RemapDaemon.Output.Pcap;
using RemapDaemon.Protocol;

// remapd's parse rate on one core (issue 3, item 4; target >= 20 M packets/s, 0 B/packet):
// N windows built in memory, read round-robin with InfoPageReader.TryOpen/TryReadNext as
// CaptureLoop does, every header field of every packet read and its first and last data byte
// touched; "+pcap" also writes each packet with PcapWriter to Stream.Null. Allocation per
// packet from GC.GetAllocatedBytesForCurrentThread over the timed runs (after a warm-up).
//   ParseBench [--short] [--windows N] [--runs R] [--ms MILLISECONDS]
bool quick = args.Contains("--short");
int windows = Arg("--windows", 64);
int runs = quick ? 1 : Arg("--runs", 7);
double seconds = (quick ? 50 : Arg("--ms", 400)) / 1000.0;
const int PagesPerWindow = 64;
const double Target = 20e6;

Console.WriteLine($"# ParseBench: {windows} windows of {PagesPerWindow} pages, one thread, median of {runs} runs of {seconds} s");
Console.WriteLine($"{"packet",-8} {"pkts/win",8} {"parse Mpkt/s",13} {"B/packet",9} {"+pcap Mpkt/s",13} {"B/packet",9}");
bool metRate = true, metAlloc = true;
foreach (int size in new[] { 64, 1500, 9000 })
{
    var geo = new WindowGeometry(WindowEncoder.PageSize, PagesPerWindow, WindowEncoder.EntriesMax, 0);
    var wins = new byte[windows][];
    int perWindow = 0;
    for (int w = 0; w < windows; w++)
    {
        wins[w] = WindowEncoder.Build((uint)w, (ulong)w + 1, PagesPerWindow, size, out perWindow);
    }

    (double parseRate, double parseAlloc) = Measure(wins, geo, writer: null);
    using var pcap = new PcapWriter(Stream.Null, snaplen: 0);
    (double pcapRate, double pcapAlloc) = Measure(wins, geo, pcap);
    Console.WriteLine($"{size,-8} {perWindow,8} {parseRate / 1e6,13:F1} {parseAlloc,9:F3} {pcapRate / 1e6,13:F1} {pcapAlloc,9:F3}");
    metRate &= parseRate >= Target;
    metAlloc &= parseAlloc == 0 && pcapAlloc == 0;
}

Console.WriteLine(quick
    ? "target parse >= 20 M packets/s on one core: not judged with --short (50 ms runs)"
    : $"target parse >= 20 M packets/s on one core: {(metRate ? "MET" : "NOT MET")}");
Console.WriteLine($"target 0 B allocated per packet: {(metAlloc ? "MET" : "NOT MET")}");
return 0;

(double Rate, double AllocPerPacket) Measure(byte[][] wins, WindowGeometry geo, PcapWriter? writer)
{
    ulong sink = 0;
    Pass(wins, geo, writer, windowsToRead: wins.Length * 20, ref sink);   // warm-up: tiering, PGO
    var rates = new double[runs];
    long packets = 0;
    long allocated = 0;
    for (int r = 0; r < runs; r++)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        long n = 0;
        long t0 = Stopwatch.GetTimestamp();  // a Stopwatch object would be counted as allocated
        while (Stopwatch.GetElapsedTime(t0).TotalSeconds < seconds)
        {
            n += Pass(wins, geo, writer, wins.Length, ref sink);
        }

        double s = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        allocated += GC.GetAllocatedBytesForCurrentThread() - before;
        packets += n;
        rates[r] = n / s;
    }

    GC.KeepAlive(sink);
    Array.Sort(rates);
    if (allocated != 0)
    {
        Console.WriteLine($"  ({allocated} B allocated over {packets} packets)");
    }

    return (rates[runs / 2], (double)allocated / packets);
}

static long Pass(byte[][] wins, WindowGeometry geo, PcapWriter? writer, int windowsToRead, ref ulong sink)
{
    long n = 0;
    for (int i = 0; i < windowsToRead; i++)
    {
        int w = i % wins.Length;
        if (InfoPageReader.TryOpen(wins[w], geo, (uint)w, out InfoPageReader reader) != InfoPageError.None)
        {
            throw new InvalidOperationException("window refused");
        }

        while (reader.TryReadNext(out CapturedPacket p, out _))
        {
            ReadOnlySpan<byte> d = p.Data;
            sink += p.TimestampNs + p.WireLength + (ulong)p.IfIndex + p.Protocol + p.Path + p.Flags + d[0] + d[^1];
            writer?.Write(p);
            n++;
        }
    }

    return n;
}

int Arg(string name, int def)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture) : def;
}
