using System.Runtime.InteropServices;
using RemapDaemon.Protocol;
using RemapDaemon.Protocol.Abi;
using RemapDaemon.Tests.Support;

namespace RemapDaemon.Tests.Protocol;

/// <summary>
/// The reader against the real encoder: kernel/core (config.c, window.c, info.c), the C that
/// both skbremap.ko and the emulator use to lay out windows, is compiled with gcc into a
/// small driver that fills a window the way kernel/worker.c does and dumps the layout and the
/// window. The reader must accept it and return exactly the packets the C placed.
/// </summary>
public sealed class SharedCoreWindowTests
{
    private const int Packets = 6;

    // Sizes and offsets as skb->data would have them: small, VLAN-tagged, spanning pages, truncated by snaplen.
    private static readonly (uint Offset, uint Wirelen, bool Vlan)[] Shapes =
    [
        (66, 60, false), (130, 98, true), (2, 9014, false), (4000, 300, false), (66, 1514, false), (194, 42, true),
    ];

    private const uint Snaplen = 4096;

    [Fact]
    public void A_window_encoded_by_the_shared_C_core_reads_back_packet_for_packet()
    {
        byte[] dump = RunDriver();
        int layoutSize = Marshal.SizeOf<skbremap_layout>();
        skbremap_layout layout = MemoryMarshal.Read<skbremap_layout>(dump);
        WindowGeometry geo = WindowGeometry.FromLayout(layout);
        ReadOnlySpan<byte> window = dump.AsSpan(layoutSize);

        geo.Should().Be(new WindowGeometry(4096, 8, 84, Snaplen));
        window.Length.Should().Be(geo.WindowBytes);

        InfoPageReader.TryOpen(window, geo, 1, out InfoPageReader r).Should().Be(InfoPageError.None);
        r.Sequence.Should().Be(7);
        r.Drops.Should().Be(3);
        r.Flags.Should().Be(Skbremap.SKBREMAP_INFO_RETIRED);
        r.Count.Should().Be(Packets);

        int k = 0;
        while (r.TryReadNext(out CapturedPacket p, out InfoPageError error))
        {
            (uint offset, uint wirelen, bool vlan) = Shapes[k];
            uint caplen = Math.Min(wirelen, Snaplen);
            p.Data.ToArray().Should().Equal(Pattern(k, (int)caplen), $"packet {k}");
            p.WireLength.Should().Be(wirelen);
            p.Truncated.Should().Be(caplen < wirelen);
            p.TimestampNs.Should().Be(1_700_000_000_000_000_000UL + (ulong)k);
            p.IfIndex.Should().Be(k + 1);
            p.Protocol.Should().Be(0x0800);
            p.PacketType.Should().Be((byte)(k % 5));
            p.Path.Should().Be((byte)Skbremap.SKBREMAP_PATH_BOUNCE);
            p.HasVlan.Should().Be(vlan);
            if (vlan)
            {
                p.VlanTci.Should().Be((ushort)(100 + k));
                p.VlanProto.Should().Be(0x8100);
            }

            window.Overlaps(p.Data, out int at).Should().BeTrue();
            ((at - geo.PageSize) % geo.PageSize).Should().Be((int)offset, "the data keeps skb->data's in-page offset");
            k++;
            error.Should().Be(InfoPageError.None);
        }

        k.Should().Be(Packets);
    }

    /// <summary>
    /// Three info pages (layout.info_pages): 254 entries, so that entries cross from one info
    /// page into the next (4096 - 64 is not a multiple of 48), and data page 0 three pages in.
    /// The C core packs packets of 60 B into the ring until the entries, not the data, run out.
    /// </summary>
    [Fact]
    public void A_window_with_three_info_pages_reads_back_every_packed_packet()
    {
        byte[] dump = RunDriver(RingDriverSource);
        int layoutSize = Marshal.SizeOf<skbremap_layout>();
        skbremap_layout layout = MemoryMarshal.Read<skbremap_layout>(dump);
        WindowGeometry geo = WindowGeometry.FromLayout(layout);
        ReadOnlySpan<byte> window = dump.AsSpan(layoutSize);

        layout.info_pages.Should().Be(3);
        geo.Should().Be(new WindowGeometry(4096, 8, (3 * 4096 - 64) / 48, 0, 3));
        geo.InfoBytes.Should().Be(3 * 4096);
        window.Length.Should().Be(geo.WindowBytes);

        InfoPageReader.TryOpen(window, geo, 0, out InfoPageReader r).Should().Be(InfoPageError.None);
        r.Count.Should().Be(254, "the entries run out before 8 pages of 64-byte slots (512) do");
        int k = 0;
        while (r.TryReadNext(out CapturedPacket p, out InfoPageError error))
        {
            p.Data.ToArray().Should().Equal(Pattern(k, 60), $"packet {k}");
            p.IfIndex.Should().Be(k + 1);
            p.Path.Should().Be((byte)Skbremap.SKBREMAP_PATH_RING);
            window.Overlaps(p.Data, out int at).Should().BeTrue();
            (at - geo.InfoBytes).Should().Be(k * 64, "packed at SKBREMAP_RING_ALIGN after the info pages");
            error.Should().Be(InfoPageError.None);
            k++;
        }

        k.Should().Be(254);
    }

    private static byte[] Pattern(int k, int length)
    {
        var b = new byte[length];
        for (int i = 0; i < length; i++)
        {
            b[i] = (byte)((k * 31) + i);
        }

        return b;
    }

    private static byte[] RunDriver(string driverSource = DriverSource)
    {
        DirectoryInfo dir = Directory.CreateTempSubdirectory("remapd-core-");
        try
        {
            string source = Path.Combine(dir.FullName, "encode_window.c");
            string exe = Path.Combine(dir.FullName, "encode_window");
            string output = Path.Combine(dir.FullName, "window.bin");
            File.WriteAllText(source, driverSource);

            string core = RepoRoot.Combine("kernel", "core");
            ToolResult cc = ExternalTool.Run("gcc", "-std=gnu11", "-Wall", "-Wextra", "-Werror",
                "-I", RepoRoot.Combine("kernel", "include", "uapi"), "-I", core,
                "-o", exe, source, Path.Combine(core, "config.c"), Path.Combine(core, "window.c"), Path.Combine(core, "info.c"));
            cc.ExitCode.Should().Be(0, "{0}", cc);

            ToolResult run = ExternalTool.Run(exe, output);
            run.ExitCode.Should().Be(0, "{0}", run);
            return File.ReadAllBytes(output);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>Fills window 0 of 3 info pages + 8 data pages with 60-byte RING packets until the entries run out.</summary>
    private const string RingDriverSource = """
        #include <stdio.h>
        #include <stdlib.h>
        #include "skbremap_core.h"

        #define PS 4096u

        int main(int argc, char **argv)
        {
            struct skbremap_config in = { .windows = 2, .pages_per_window = 8, .info_pages = 3 }, cfg;
            struct skbremap_layout l;
            struct skbremap_win w;
            u32 k, page, offset, slot, i;
            u8 *win;
            FILE *f;

            if (argc != 2 || skbremap_config_resolve(&in, &cfg))
                return 2;
            skbremap_layout_fill(&cfg, PS, &l);
            win = calloc(1, l.win_stride);
            skbremap_win_init(&w, 0, l.pages_per_window, l.info_entries_max);
            if (!win || skbremap_win_open(&w))
                return 3;
            for (k = 0; !skbremap_win_place_packed(&w, 60, PS, &page, &offset, &slot); k++) {
                struct skbremap_info_entry e;
                u8 *data = win + (size_t)l.info_pages * PS + (size_t)page * PS + offset;

                for (i = 0; i < 60; i++)
                    data[i] = (u8)(k * 31 + i);
                memset(&e, 0, sizeof(e));
                e.page = page;
                e.offset = offset;
                e.caplen = 60;
                e.wirelen = 60;
                e.ifindex = (s32)k + 1;
                e.path = SKBREMAP_PATH_RING;
                if (slot == 0)
                    skbremap_info_begin(win, w.index);
                skbremap_info_put(win, slot, &e);
            }
            skbremap_info_finish(win, &w, 1, 0, 0);

            f = fopen(argv[1], "wb");
            if (!f || fwrite(&l, sizeof(l), 1, f) != 1 || fwrite(win, l.win_stride, 1, f) != 1 || fclose(f))
                return 5;
            free(win);
            return 0;
        }
        """;

    /// <summary>Fills window 1 of an 8-page configuration as kernel/worker.c does (entry fields included).</summary>
    private const string DriverSource = """
        #include <stdio.h>
        #include <stdlib.h>
        #include <arpa/inet.h>
        #include "skbremap_core.h"

        #define PS 4096u
        static const struct { u32 offset, wirelen; int vlan; } shapes[] = {
            { 66, 60, 0 }, { 130, 98, 1 }, { 2, 9014, 0 }, { 4000, 300, 0 }, { 66, 1514, 0 }, { 194, 42, 1 },
        };

        int main(int argc, char **argv)
        {
            struct skbremap_config in = { .windows = 2, .pages_per_window = 8, .snaplen = 4096 }, cfg;
            struct skbremap_layout l;
            struct skbremap_win w;
            u8 *win;
            FILE *f;
            u32 k;

            if (argc != 2 || skbremap_config_resolve(&in, &cfg))
                return 2;
            skbremap_layout_fill(&cfg, PS, &l);
            win = calloc(1, l.win_stride);
            skbremap_win_init(&w, 1, l.pages_per_window, l.info_entries_max);
            if (!win || skbremap_win_open(&w))
                return 3;
            for (k = 0; k < sizeof(shapes) / sizeof(shapes[0]); k++) {
                struct skbremap_info_entry e;
                u32 caplen = shapes[k].wirelen, page, slot, i;
                u8 *data;

                if (cfg.snaplen && caplen > cfg.snaplen)
                    caplen = cfg.snaplen;
                if (skbremap_win_place(&w, shapes[k].offset, caplen, PS, &page, &slot))
                    return 4;
                data = win + PS + (size_t)page * PS + shapes[k].offset;
                for (i = 0; i < caplen; i++)
                    data[i] = (u8)(k * 31 + i);
                memset(&e, 0, sizeof(e));
                e.page = page;
                e.offset = shapes[k].offset;
                e.caplen = caplen;
                e.wirelen = shapes[k].wirelen;
                e.tstamp_ns = 1700000000000000000ULL + k;
                e.ifindex = (s32)k + 1;
                e.protocol = htons(0x0800);
                e.pkttype = (u8)(k % 5);
                e.path = SKBREMAP_PATH_BOUNCE;
                if (shapes[k].vlan) {
                    e.flags |= SKBREMAP_PKT_VLAN;
                    e.vlan_tci = (u16)(100 + k);
                    e.vlan_proto = htons(0x8100);
                }
                if (caplen < e.wirelen)
                    e.flags |= SKBREMAP_PKT_TRUNCATED;
                if (slot == 0)
                    skbremap_info_begin(win, w.index);
                skbremap_info_put(win, slot, &e);
            }
            skbremap_info_finish(win, &w, 7, 3, SKBREMAP_INFO_RETIRED);

            f = fopen(argv[1], "wb");
            if (!f || fwrite(&l, sizeof(l), 1, f) != 1 || fwrite(win, l.win_stride, 1, f) != 1 || fclose(f))
                return 5;
            free(win);
            return 0;
        }
        """;
}
