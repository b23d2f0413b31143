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

/* open("/dev/skbremap"). *out is valid until skbremap_emu_close(). */
int skbremap_emu_open(struct skbremap_emu **out);

/* ioctl(fd, cmd, arg) with the SKBREMAP_IOC_* commands; -ENOTTY otherwise. */
int skbremap_emu_ioctl(struct skbremap_emu *e, unsigned long cmd, void *arg);

/*
 * mmap(NULL, length, prot, MAP_SHARED, fd, offset) with the same strict
 * rules as the module: offset and length exactly the control part or
 * exactly the windows part of SKBREMAP_IOC_LAYOUT; the windows part only
 * without PROT_WRITE. On success *addr is the mapping.
 */
int skbremap_emu_mmap(struct skbremap_emu *e, uint64_t offset, uint64_t length,
		      int prot, void **addr);
int skbremap_emu_munmap(struct skbremap_emu *e, void *addr, uint64_t length);

/*
 * poll(fd, POLLIN, timeout_ms): returns 1 when at least one window is
 * READY, 0 on timeout. Like the module's poll, it first lets the worker
 * take back windows user space has RELEASED.
 */
int skbremap_emu_poll(struct skbremap_emu *e, int timeout_ms);

/*
 * Packet source (emulator only; the module's source is the network stack).
 * Set before SKBREMAP_IOC_START; the default is "afpacket".
 *   "afpacket"                      AF_PACKET socket on the bound ifindex
 *                                   (SKBREMAP_IOC_BIND; 0 = all)
 *   "pcap:<path>"                   replay a pcap file (any link type,
 *                                   ns or us timestamps), then end
 *   "synthetic:count=N,min=A,max=B,rate=R"
 *                                   N Ethernet/IPv4/UDP frames of sizes
 *                                   A..B (cycling), R per second (0 = as
 *                                   fast as possible), then end
 * -EINVAL with a bad spec, -ENOENT for a missing pcap file.
 */
int skbremap_emu_set_source(struct skbremap_emu *e, const char *spec);

/*
 * 1 once a finite source (pcap, synthetic) has ended and every packet it
 * produced is published or counted as dropped; 0 otherwise.
 */
int skbremap_emu_source_done(struct skbremap_emu *e);

/* close(fd): stops the capture, returns every page and packet. */
void skbremap_emu_close(struct skbremap_emu *e);

#ifdef __cplusplus
}
#endif

#endif /* SKBREMAP_EMU_H */
