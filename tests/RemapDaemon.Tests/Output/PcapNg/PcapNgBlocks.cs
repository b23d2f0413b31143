using System.Buffers.Binary;

namespace RemapDaemon.Tests.Output.PcapNg;

/// <summary>One pcapng block as read back: type, body (between the length fields) and parsed options.</summary>
internal sealed record PcapNgBlock(uint Type, byte[] Body)
{
    /// <summary>Options after <paramref name="fixedSize"/> bytes of fixed body, as (code, value) in file order.</summary>
    public List<(ushort Code, byte[] Value)> Options(int fixedSize)
    {
        var options = new List<(ushort, byte[])>();
        int at = fixedSize;
        while (at + 4 <= Body.Length)
        {
            ushort code = BinaryPrimitives.ReadUInt16LittleEndian(Body.AsSpan(at));
            ushort length = BinaryPrimitives.ReadUInt16LittleEndian(Body.AsSpan(at + 2));
            if (code == 0)
            {
                break;
            }

            options.Add((code, Body.AsSpan(at + 4, length).ToArray()));
            at += 4 + ((length + 3) & ~3);
        }

        return options;
    }

    public byte[] Option(int fixedSize, ushort code) => Options(fixedSize).Single(o => o.Code == code).Value;
}

/// <summary>
/// A minimal, strict little-endian pcapng block walker for the tests: checks that both length
/// fields agree and are multiples of 4, so a framing error fails the test even where the tools
/// would be lenient.
/// </summary>
internal static class PcapNgBlocks
{
    public static List<PcapNgBlock> Read(byte[] file)
    {
        var blocks = new List<PcapNgBlock>();
        int at = 0;
        while (at < file.Length)
        {
            uint type = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(at));
            int length = (int)BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(at + 4));
            length.Should().BeGreaterThanOrEqualTo(12).And.Match(l => l % 4 == 0, $"block at {at} has a bad length");
            BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(at + length - 4)).Should().Be((uint)length, $"trailing length of block at {at}");
            blocks.Add(new PcapNgBlock(type, file.AsSpan(at + 8, length - 12).ToArray()));
            at += length;
        }

        at.Should().Be(file.Length);
        return blocks;
    }

    public static ulong Timestamp(ReadOnlySpan<byte> highLow) =>
        ((ulong)BinaryPrimitives.ReadUInt32LittleEndian(highLow) << 32) | BinaryPrimitives.ReadUInt32LittleEndian(highLow[4..]);
}
