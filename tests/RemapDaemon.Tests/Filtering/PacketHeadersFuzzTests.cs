using RemapDaemon.Filtering;


namespace RemapDaemon.Tests.Filtering;

/// <summary>Whatever the bytes, the walker returns, and every offset it gives lies inside the frame.</summary>
public sealed class PacketHeadersFuzzTests
{
    [Fact]
    public void Every_prefix_of_every_crafted_frame_parses_within_bounds()
    {
        int parsed = 0;
        foreach (CraftedFrame f in CraftedFrames.All())
        {
            for (int n = 0; n <= f.Data.Length; n++)
            {
                AssertWithinBounds(f.Data.AsSpan(0, n), f.Name);
                parsed++;
            }
        }

        parsed.Should().BeGreaterThan(1000);
    }

    [Fact]
    public void A_million_random_mutations_never_throw_or_point_outside_the_frame()
    {
        var rng = new Random(20261125);
        IReadOnlyList<CraftedFrame> seeds = CraftedFrames.All();
        var buffer = new byte[2048];
        for (int i = 0; i < 1_000_000; i++)
        {
            CraftedFrame seed = seeds[rng.Next(seeds.Count)];
            int length = Math.Min(seed.Data.Length, buffer.Length);
            seed.Data.AsSpan(0, length).CopyTo(buffer);
            int flips = rng.Next(1, 6);
            for (int j = 0; j < flips; j++)
            {
                // Bias the mutations to the headers, where the walker decides things.
                int at = rng.Next(Math.Min(length, rng.Next(2) == 0 ? 100 : length));
                buffer[at] = (byte)rng.Next(256);
            }

            if (rng.Next(4) == 0)
            {
                length = rng.Next(length + 1);
            }

            AssertWithinBounds(buffer.AsSpan(0, length), seed.Name);
        }
    }

    [Fact]
    public void Pure_noise_of_every_length_parses_within_bounds()
    {
        var rng = new Random(4);
        for (int i = 0; i < 100_000; i++)
        {
            var noise = new byte[rng.Next(0, 200)];
            rng.NextBytes(noise);
            if (noise.Length > 13 && rng.Next(2) == 0)
            {
                // Make the walker go deeper: a plausible EtherType.
                ushort[] types = [0x0800, 0x86dd, 0x8100, 0x88a8];
                ushort t = types[rng.Next(types.Length)];
                noise[12] = (byte)(t >> 8);
                noise[13] = (byte)t;
            }

            AssertWithinBounds(noise, "noise");
        }
    }

    private static void AssertWithinBounds(ReadOnlySpan<byte> frame, string name)
    {
        bool complete = PacketHeaders.TryParse(frame, false, out PacketLayout l);
        int n = frame.Length;
        bool ok = l.L3Offset <= n && l.L4Offset <= n
            && (l.PayloadOffset < 0 || (l.PayloadOffset <= n && l.PayloadLength >= 0 && l.PayloadOffset + l.PayloadLength <= n))
            && (l.PayloadKind == PayloadKind.None) == (l.PayloadOffset < 0)
            && (complete || (l.Flags & (LayoutFlags.Truncated | LayoutFlags.Malformed)) != 0)
            && (!complete || l.PayloadKind != PayloadKind.None);
        if (!ok)
        {
            Assert.Fail($"{name}, {n} bytes {Convert.ToHexString(frame)}: {l} complete={complete}");
        }

        _ = l.Payload(frame).Length;
    }
}
