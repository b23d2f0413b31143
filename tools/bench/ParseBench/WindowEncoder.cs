using System.Buffers.Binary;
using static RemapDaemon.Protocol.Abi.Skbremap;

namespace RemapDaemon.Bench;

/// <summary>
/// Lays out one published window (info page + data pages) in a byte[] as the kernel does, from
/// struct skbremap_info_hdr / skbremap_info_entry in skbremap.h, with BinaryPrimitives (the
/// encoding of tests/RemapDaemon.Tests/Protocol/InfoPageBuilder.cs, which checks the offsets).
/// Packets are packed 16-byte aligned, as the ring path places them.
/// </summary>
internal static class WindowEncoder
{
    public const int PageSize = 4096;
    public const int HdrSize = 64;
    public const int EntSize = 48;
    public const int EntriesMax = (PageSize - HdrSize) / EntSize;

    public static byte[] Build(uint windowIndex, ulong seq, int pagesPerWindow, int packetSize, out int count)
    {
        byte[] w = new byte[(pagesPerWindow + 1) * PageSize];
        Span<byte> info = w.AsSpan(0, PageSize);
        Span<byte> data = w.AsSpan(PageSize);
        int stride = (packetSize + 15) & ~15;
        count = Math.Min(EntriesMax, data.Length / stride);
        for (int i = 0; i < count; i++)
        {
            int at = i * stride;
            for (int j = 0; j < packetSize; j++)
            {
                data[at + j] = (byte)(i + j);
            }

            Span<byte> e = info.Slice(HdrSize + (i * EntSize), EntSize);
            BinaryPrimitives.WriteUInt32LittleEndian(e[0..], (uint)(at / PageSize));    // page
            BinaryPrimitives.WriteUInt32LittleEndian(e[4..], (uint)(at % PageSize));    // offset
            BinaryPrimitives.WriteUInt32LittleEndian(e[8..], (uint)packetSize);         // caplen
            BinaryPrimitives.WriteUInt32LittleEndian(e[12..], (uint)packetSize);        // wirelen
            BinaryPrimitives.WriteUInt64LittleEndian(e[16..], 1_700_000_000_000_000_000UL + (ulong)i);
            BinaryPrimitives.WriteInt32LittleEndian(e[24..], 1);                        // ifindex
            BinaryPrimitives.WriteUInt16BigEndian(e[28..], 0x0800);                     // protocol
            e[30] = 0;                                                                  // pkttype
            e[31] = (byte)SKBREMAP_PATH_RING;                                           // path
        }

        int pagesUsed = ((((count - 1) * stride) + packetSize) + PageSize - 1) / PageSize;
        BinaryPrimitives.WriteUInt32LittleEndian(info[0..], SKBREMAP_INFO_MAGIC);
        BinaryPrimitives.WriteUInt32LittleEndian(info[4..], SKBREMAP_ABI_VERSION);
        BinaryPrimitives.WriteUInt64LittleEndian(info[8..], seq);
        BinaryPrimitives.WriteUInt32LittleEndian(info[16..], (uint)count);
        BinaryPrimitives.WriteUInt32LittleEndian(info[20..], (uint)pagesUsed);
        BinaryPrimitives.WriteUInt32LittleEndian(info[36..], windowIndex);
        return w;
    }
}
