/* SPDX-License-Identifier: GPL-2.0 */
/*
 * skbremap_emu: the workqueue remap emulation of skbremap.ko, hosted in
 * user space (libskbremap_emu.so). Same ABI as /dev/skbremap, byte for byte:
 * the same ioctl numbers and structs from <linux/skbremap.h>, the same
 * region layout, the same window protocol. What differs is only how a
 * consumer reaches it: function calls in place of open/ioctl/mmap/poll.
 *
 *   kernel                       emulator
 *   prot_hook.func               source thread (AF_PACKET, pcap, synthetic)
 *   workqueue worker             worker thread
 *   vm_insert_pages / zap        mmap(MAP_FIXED) of memfd pages / PROT_NONE
 *
 * The module's direct path (a ring-only capture copies in prot_hook.func,
 * no worker pass) is not emulated: here the worker thread copies every
 * packet, so in ring mode skbs_freed counts them where the module's
 * direct path counts 0.
 *
 * Every function returns 0 (or a count) on success and a negative errno on
 * failure, like the kernel; nothing here calls exit() or prints.
 */
#ifndef SKBREMAP_EMU_H
#define SKBREMAP_EMU_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct skbremap_emu;

/* The library is built with hidden visibility; these are its exports. */
#if defined(__GNUC__)
#define SKBREMAP_EMU_API __attribute__((visibility("default")))
#else
#define SKBREMAP_EMU_API
#endif

/*
 * open("/dev/skbremap"). *out is valid until skbremap_emu_close(). The
 * capture starts with a region of the default configuration, as if
 * SKBREMAP_IOC_CONFIGURE had been called with all fields 0. Any call may
 * come from any thread, but none may race with skbremap_emu_close().
 */
SKBREMAP_EMU_API int skbremap_emu_open(struct skbremap_emu **out);

/*
 * ioctl(fd, cmd, arg) with the SKBREMAP_IOC_* commands; -ENOTTY otherwise,
 * -EFAULT for a NULL arg. As the module: CONFIGURE -EBUSY while running or
 * mapped; BIND -EBUSY while running, -ENODEV for an ifindex that does not
 * exist; START -EBUSY while running, -EINVAL unless both parts are
 * mapped, else the source's error (-EPERM
 * without CAP_NET_RAW for afpacket, -ENOENT for a pcap file gone since);
 * STOP unhooks the source, lets the worker place what is queued and
 * publishes the part-full window with SKBREMAP_INFO_FLUSH; STOP of a
 * stopped capture is 0. GLOBAL and CAPTURES report this process's
 * emulator captures. pages_held counts the info pages (info_pages per window,
 * from CONFIGURE until close) and the data pages of filling and published
 * windows (all data pages in a resident mode, see "Delivery paths"
 * below), as the module's; skbs_held the packets held as the module holds
 * skbs: queued, in the filling window, or published and not yet released
 * (skbs_freed counts those taken back). bad_release grows by one each
 * time the worker or poll reads a status word of a published window that
 * is neither READY nor RELEASED (so a word left scribbled is counted at
 * every look, not once). SET_FILTER (running or stopped) checks the
 * program with the module's rules (kernel/core/filter_check.c, then
 * libpcap's bpf_validate()), copies it and swaps it in atomically; the
 * source thread runs it with libpcap's bpf_filter() on each frame before
 * queuing; arg->insns is a pointer in this process (-EFAULT if 0 with
 * len > 0).
 */
SKBREMAP_EMU_API int skbremap_emu_ioctl(struct skbremap_emu *e,
					unsigned long cmd, void *arg);

/*
 * mmap(NULL, length, prot, MAP_SHARED, fd, offset) with the same strict
 * rules as the module: offset and length exactly the control part or
 * exactly the windows part of SKBREMAP_IOC_LAYOUT (-EINVAL otherwise); the
 * windows part only without PROT_WRITE (-EPERM), and mprotect() cannot add
 * PROT_WRITE to it later (EACCES). On success *addr is the mapping.
 *
 * Emulator limits: the windows part can be mapped once at a time (-EBUSY
 * for a second); the control part any number of times. Data slots of a
 * window that is not published read as a fault (SIGSEGV; the module gives
 * SIGBUS). Windows published before the mmap are shown by it.
 *
 * Unmap only with skbremap_emu_munmap(), with the exact address and length
 * mmap returned (-EINVAL otherwise): the worker remaps pages inside the
 * windows part with MAP_FIXED, so a plain munmap() would let it map over
 * whatever the process puts there next. skbremap_emu_close() unmaps what
 * is still mapped (the module keeps mappings alive past close()).
 */
SKBREMAP_EMU_API int skbremap_emu_mmap(struct skbremap_emu *e,
				       uint64_t offset, uint64_t length,
				       int prot, void **addr);
SKBREMAP_EMU_API int skbremap_emu_munmap(struct skbremap_emu *e, void *addr,
					 uint64_t length);

/*
 * poll(fd, POLLIN, timeout_ms): returns 1 when at least one published
 * window's status word reads READY, 0 on timeout (timeout_ms < 0 waits
 * without limit, 0 does not wait). Like the module's poll, it first takes
 * back the windows user space has RELEASED (synchronously: their pages and
 * packets are returned when poll returns). It also returns 0 early when a
 * finite source ends during the wait (see skbremap_emu_source_done).
 */
SKBREMAP_EMU_API int skbremap_emu_poll(struct skbremap_emu *e, int timeout_ms);

/*
 * Packet source (emulator only; the module's source is the network stack).
 * Set while stopped (before SKBREMAP_IOC_START); the default is
 * "afpacket". Each START starts the source afresh (a pcap file is replayed
 * from its beginning, the generator restarts at index 0).
 *   "afpacket"                      AF_PACKET socket on the bound ifindex
 *                                   (SKBREMAP_IOC_BIND; 0 = all); START
 *                                   fails with -EPERM without CAP_NET_RAW
 *   "pcap:<path>"                   replay a pcap file (ns or us
 *                                   timestamps), then end
 *   "synthetic:count=N,min=A,max=B,rate=R[,lossless=1]"
 *                                   N Ethernet/IPv4/UDP frames of sizes
 *                                   A..B (cycling), R per second (0 = as
 *                                   fast as possible), then end
 * -EINVAL with a bad spec, -ENOENT for a missing pcap file (-EINVAL for
 * one libpcap cannot read or of a link type listed below as unsupported),
 * -EBUSY while running.
 *
 * Every packet reaches the consumer as an Ethernet frame, since the ABI
 * carries no link type: pcap files of link type EN10MB pass unchanged;
 * LINUX_SLL, LINUX_SLL2, RAW/IPV4/IPV6 and NULL/LOOP get a 14-byte
 * Ethernet header (MACs zero, or the SLL source address; the EtherType of
 * the packet) in place of theirs, wirelen adjusted by the same amount;
 * other link types are -EINVAL. afpacket does the same for devices without
 * a link-layer header (tun, wireguard, ...).
 *
 * Loss: afpacket and synthetic behave like the module: a full queue drops
 * (drop_queue_full, socket buffer overruns included for afpacket) and a
 * worker without a free window drops (drop_no_window). pcap replay, and
 * synthetic with lossless=1, wait for room instead (a file is not a wire):
 * the source waits for queue space and the worker for a window user space
 * releases; STOP ends the waiting and drops what is left as no_window.
 *
 * synthetic: count=0 means until STOP; defaults count=0, min=60, max=1514,
 * rate=0, lossless=0, step=1; 1 <= min <= max <= 65535, 1 <= step <= 65535
 * (",step=S" may follow any key); flows=F (1..65535, default 1) gives
 * frame i the UDP source port 40000 + i % F (and UDP checksum 0), so the
 * frames form F flows. Packet i (from 0) is
 * skbremap_emu_synthetic_frame(i, min + i * step % (max - min + 1)), stamped with
 * CLOCK_REALTIME at generation, ifindex = the bound ifindex, PACKET_HOST.
 */
SKBREMAP_EMU_API int skbremap_emu_set_source(struct skbremap_emu *e,
					     const char *spec);

/*
 * 1 once a finite source (pcap, synthetic) has ended and every packet it
 * produced is published or counted as dropped; 0 otherwise (always 0 for
 * afpacket, and 0 again after the next START). The worker publishes the
 * part-full window at once when the source ends (SKBREMAP_INFO_FLUSH), and
 * a poll() waiting at that moment returns early. A consumer reads
 * source_done, then drains every READY window, then stops if it read 1.
 */
SKBREMAP_EMU_API int skbremap_emu_source_done(struct skbremap_emu *e);

/*
 * pcap records the pcap source did not hand to the hook, by reason, since
 * the last START (both 0 for the other sources). Such a record holds no
 * packet the network stack could deliver: the stack never gives a tap an
 * skb without bytes, and an info-page entry has caplen >= 1. So it is not
 * seen by the hook and is in no drop counter; a replaying consumer reports
 * these alongside skbremap's counters. Returns 0, or -EBADF.
 */
struct skbremap_emu_source_skipped {
	uint64_t empty;		/* caplen 0: no bytes at all */
	uint64_t short_header;	/* fewer bytes than the link-layer header */
	uint64_t too_long;	/* not Ethernet, and longer as Ethernet than
				 * the emulator's largest frame (EMU_MAX_FRAME) */
};

SKBREMAP_EMU_API int
skbremap_emu_source_skipped(struct skbremap_emu *e,
			    struct skbremap_emu_source_skipped *out);

/*
 * Delivery paths (issue 3; docs/architecture.md, "Delivery paths"): the
 * emulator has every mode (VERSION features BOUNCE, FILTER, RING, REMAP,
 * ADAPTIVE); a capture never configured runs ADAPTIVE (mode 0).
 *   - RING, REMAP, ADAPTIVE map every window's data pages once, at mmap
 *     (faulted in at first read, then never unmapped), so pages_held is
 *     windows * (1 + pages_per_window) from CONFIGURE until close; BOUNCE
 *     maps them per published window as before (pages_held: the info
 *     pages plus the data pages of filling and published windows).
 *   - In every mode (the emulated driver does not know the consumer) the
 *     hook builds a packet of at least 128 bytes
 *     + one page as a 128-byte linear head plus page frags in an skb page
 *     pool (a memfd of 2 * windows * pages_per_window pages; see
 *     skbpool.c); the REMAP path maps those very pages into the window
 *     (MAP_FIXED over the slot) and gives the slot its own page back at
 *     release. A dry pool makes a linear packet, which is copied.
 *   - ADAPTIVE with copy_threshold 0 calibrates at START (calibrate.c);
 *     stats.copy_threshold, calib_copy_ns and calib_remap_ns show it.
 *   - A REMAP packet is contiguous in its window (head copied to end at
 *     the page boundary, tail copied after the pages). With the
 *     environment variable SKBREMAP_EMU_SCATTER=1 at skbremap_emu_open()
 *     the emulator lays it out as a SCATTER packet instead (head at
 *     SKBREMAP_EMU_BOUNCE_OFFSET of its own page, the pages, the tail) and
 *     sets SKBREMAP_FEAT_SCATTER: a test knob for consumers' SCATTER code.
 *
 * Where a bounced packet starts in its first data page: 2, NET_IP_ALIGN's
 * usual value (the IP header after a 14-byte Ethernet header is then
 * 4-byte aligned), the module's SKBREMAP_BOUNCE_OFFSET too (a constant, so
 * an entry says nothing about where the packet was in kernel memory).
 * Consumers read the offset from each info entry and must not rely on
 * this value.
 */
#define SKBREMAP_EMU_BOUNCE_OFFSET	2

/*
 * Write frame @index of the synthetic source, @len bytes, into @buf: an
 * Ethernet/IPv4/UDP frame (198.18.0.1:40000 -> 198.18.0.2:9, IP id = low 16
 * bits of index, correct IP and UDP checksums; source MAC 02:00 followed by
 * the index as big-endian u32) whose UDP payload starts with the index as a
 * big-endian u64 and continues with a pattern of (index, byte position).
 * For @len < 42 the frame is the first @len bytes of the 42-byte frame of
 * that index (a runt). Returns 0, or -EINVAL for len 0 or above 65535.
 */
SKBREMAP_EMU_API int skbremap_emu_synthetic_frame(uint64_t index, uint32_t len,
						  uint8_t *buf);

/*
 * close(fd): stops the capture (as STOP), unmaps the consumer's mappings
 * still there, returns every page and packet, and frees @e.
 */
SKBREMAP_EMU_API void skbremap_emu_close(struct skbremap_emu *e);

#ifdef __cplusplus
}
#endif

#endif /* SKBREMAP_EMU_H */
