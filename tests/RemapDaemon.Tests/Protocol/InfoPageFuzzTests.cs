using System.Buffers.Binary;
using RemapDaemon.Protocol;
using static RemapDaemon.Protocol.Abi.Skbremap;

namespace RemapDaemon.Tests.Protocol;

/// <summary>
/// Random info pages (seeded, so a failure reproduces): the reader never throws, and every
/// packet it accepts lies inside the used data pages of the window it was given. The window
/// is a slice of a larger array, so a read past its end would not even fault: it is the
/// Overlaps check that proves the bounds.
/// </summary>
public sealed class InfoPageFuzzTests
{
    private const int Iterations = 100_000;
    private const int PageSize = InfoPageBuilder.PageSize;

    [Theory]
    [InlineData(20261125)]
    [InlineData(1)]
    public void Random_info_pages_never_throw_and_never_yield_data_outside_the_used_pages(int seed)
    {
        var random = new Random(seed);
        int[] outcomes = new int[Enum.GetValues<InfoPageError>().Length];
        long accepted = 0;

        for (int i = 0; i < Iterations; i++)
        {
            int pages = random.Next(1, 5);
            var geo = new WindowGeometry(PageSize, pages, InfoPageBuilder.EntriesMax, random.Next(3) == 0 ? (uint)random.Next(1, 9000) : 0);
            byte[] backing = new byte[geo.WindowBytes + PageSize];
            int start = random.Next(0, PageSize);
            Span<byte> window = backing.AsSpan(start, geo.WindowBytes);
            uint windowIndex = (uint)random.Next(4);
            Fill(random, window, geo, windowIndex, mode: i % 4);

            InfoPageError open;
            try
            {
                open = Walk(backing, start, geo, windowIndex, outcomes, ref accepted);
            }
            catch (Exception e)
            {
                throw new InvalidOperationException($"iteration {i} (seed {seed}) threw", e);
            }

            outcomes[(int)open]++;
        }

        accepted.Should().BeGreaterThan(5_000, "the fuzzer must also reach the path that hands out data");
        outcomes[(int)InfoPageError.BadMagic].Should().BeGreaterThan(0);
        outcomes[(int)InfoPageError.EntryLengthOutOfRange].Should().BeGreaterThan(0);
        outcomes[(int)InfoPageError.EntryBeyondPagesUsed].Should().BeGreaterThan(0);
        outcomes[(int)InfoPageError.EntryOffsetOutOfRange].Should().BeGreaterThan(0);
    }

    private static InfoPageError Walk(byte[] backing, int start, in WindowGeometry geo, uint windowIndex, int[] outcomes, ref long accepted)
    {
        ReadOnlySpan<byte> window = backing.AsSpan(start, geo.WindowBytes);
        InfoPageError open = InfoPageReader.TryOpen(window, geo, windowIndex, out InfoPageReader r);
        if (open != InfoPageError.None)
        {
            return open;
        }

        long usedEnd = geo.PageSize + ((long)r.PagesUsed * geo.PageSize);
        for (int n = 0; n <= r.Count + 1; n++)
        {
            if (!r.TryReadNext(out CapturedPacket p, out InfoPageError error))
            {
                outcomes[(int)error]++;
                break;
            }

            if (!window.Overlaps(p.Data, out int at) || at < geo.PageSize || at + p.Data.Length > usedEnd || p.Data.Length == 0)
            {
                throw new InvalidOperationException($"packet at {at}, {p.Data.Length} bytes, outside the used pages ending at {usedEnd}");
            }

            if (geo.Snaplen != 0 && p.Data.Length > geo.Snaplen)
            {
                throw new InvalidOperationException("packet longer than snaplen");
            }

            accepted++;
        }

        return InfoPageError.None;
    }

    /// <summary>
    /// mode 0: random bytes everywhere. 1: a valid header over random entries. 2: valid header
    /// and entries with small random fields. 3: a valid window with a few bytes flipped.
    /// </summary>
    private static void Fill(Random random, Span<byte> window, in WindowGeometry geo, uint windowIndex, int mode)
    {
        Span<byte> info = window[..geo.PageSize];
        random.NextBytes(info);
        if (mode == 0)
        {
            return;
        }

        uint count = (uint)random.Next(0, 12);
        BinaryPrimitives.WriteUInt32LittleEndian(info[InfoPageBuilder.HdrMagic..], SKBREMAP_INFO_MAGIC);
        BinaryPrimitives.WriteUInt32LittleEndian(info[InfoPageBuilder.HdrAbiVersion..], SKBREMAP_ABI_VERSION);
        BinaryPrimitives.WriteUInt32LittleEndian(info[InfoPageBuilder.HdrCount..], count);
        BinaryPrimitives.WriteUInt32LittleEndian(info[InfoPageBuilder.HdrPagesUsed..], (uint)random.Next(0, geo.PagesPerWindow + 1));
        BinaryPrimitives.WriteUInt32LittleEndian(info[InfoPageBuilder.HdrWindow..], windowIndex);
        info.Slice(InfoPageBuilder.HdrReserved, 24).Clear();
        if (mode == 1)
        {
            return;
        }

        for (int i = 0; i < count; i++)
        {
            var e = new TestEntry
            {
                Page = Small(random, (uint)geo.PagesPerWindow),
                Offset = Small(random, PageSize),
                Caplen = Small(random, 3000),
                Flags = 0,
            };
            e.Wirelen = random.Next(4) == 0 ? e.Caplen + (uint)random.Next(0, 100) : e.Caplen;
            if (e.Caplen < e.Wirelen)
            {
                e.Flags = SKBREMAP_PKT_TRUNCATED;
            }

            InfoPageBuilder.Encode(e, info.Slice(InfoPageBuilder.HdrSize + (i * InfoPageBuilder.EntSize), InfoPageBuilder.EntSize));
        }

        if (mode == 3)
        {
            for (int k = random.Next(1, 4); k > 0; k--)
            {
                info[random.Next(0, InfoPageBuilder.HdrSize + ((int)count * InfoPageBuilder.EntSize))] ^= (byte)(1 << random.Next(8));
            }
        }
    }

    /// <summary>Mostly in range, sometimes at the limit, sometimes absurd: where the bugs are.</summary>
    private static uint Small(Random random, uint limit) => random.Next(10) switch
    {
        0 => limit,
        1 => uint.MaxValue - (uint)random.Next(0, 4),
        2 => (uint)random.Next(),
        _ => (uint)random.NextInt64(0, limit),
    };
}
