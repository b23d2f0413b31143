// SPDX-License-Identifier: GPL-2.0
/*
 * The ADAPTIVE threshold, measured at START on this host (issue 3): for a
 * few packet sizes, the cost of the RING path (memcpy of the packet into
 * a page-aligned buffer) against the cost of the REMAP path (mmap of the
 * packet's pages MAP_FIXED over a slot and mmap of the slot's own pages
 * back: the emulator's insert + zap, populated as vm_insert_pages leaves
 * them, plus the copy of the EMU_HEAD_LEN head). The crossover is
 * skbremap_threshold_pick() of the shared core, so the module picks the
 * same way from its own measurements.
 *
 * Each cost is the minimum over a few repetitions: the least disturbed
 * run on a loaded machine. The scratch memfds and mapping are this
 * function's own; nothing of the region is touched.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "emu_internal.h"

#define CAL_REPS	8
#define CAL_MAX_PAGES	16

static const u32 cal_pages[] = { 1, 2, 4, 8, 16 };
#define CAL_POINTS	(sizeof(cal_pages) / sizeof(cal_pages[0]))

struct cal_scratch {
	int pkt_fd;		/* the "skb" pages */
	int own_fd;		/* the slot's own pages */
	u8 *slot;		/* where both get mapped */
	u8 *src;
	u8 *dst;
};

static u64 cal_copy(struct cal_scratch *c, u64 bytes)
{
	u64 best = UINT64_MAX, t;
	int r;

	for (r = 0; r < CAL_REPS; r++) {
		t = emu_now_ns(CLOCK_MONOTONIC);
		memcpy(c->dst, c->src, bytes);
		__asm__ __volatile__("" : : "r"(c->dst) : "memory");
		t = emu_now_ns(CLOCK_MONOTONIC) - t;
		if (t < best)
			best = t;
	}
	return best;
}

static u64 cal_remap(struct cal_scratch *c, u32 pages, u32 ps)
{
	u64 best = UINT64_MAX, t, len = (u64)pages * ps;
	int r;

	for (r = 0; r < CAL_REPS; r++) {
		t = emu_now_ns(CLOCK_MONOTONIC);
		memcpy(c->dst, c->src, EMU_HEAD_LEN);
		if (mmap(c->slot, len, PROT_READ,
			 MAP_SHARED | MAP_FIXED | MAP_POPULATE, c->pkt_fd,
			 0) == MAP_FAILED)
			return UINT64_MAX;
		if (mmap(c->slot, len, PROT_READ,
			 MAP_SHARED | MAP_FIXED | MAP_POPULATE, c->own_fd,
			 0) == MAP_FAILED)
			return UINT64_MAX;
		t = emu_now_ns(CLOCK_MONOTONIC) - t;
		if (t < best)
			best = t;
	}
	return best;
}

static int memfd_filled(u64 size)
{
	int fd = memfd_create("skbremap-calibrate", MFD_CLOEXEC);
	u8 *p;

	if (fd < 0)
		return -1;
	if (ftruncate(fd, (off_t)size) < 0)
		goto err;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		goto err;
	memset(p, 0x5a, size);		/* resident, as packet pages are */
	munmap(p, size);
	return fd;
err:
	close(fd);
	return -1;
}

/*
 * Sets e->copy_threshold and the calibration gauges. On any failure the
 * threshold is "never remap" (copying always works). Must hold e->lock.
 */
void emu_calibrate(struct skbremap_emu *e)
{
	struct skbremap_calib_point pts[CAL_POINTS];
	u32 ps = e->page_size;
	u64 max = (u64)CAL_MAX_PAGES * ps;
	struct cal_scratch c = { .pkt_fd = -1, .own_fd = -1 };
	u32 i;

	e->copy_threshold = SKBREMAP_MAX_COPY_THRESHOLD;
	c.src = mmap(NULL, 2 * max, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (c.src == MAP_FAILED)
		goto out;
	c.dst = c.src + max;
	memset(c.src, 0xa5, max);
	c.slot = mmap(NULL, max, PROT_NONE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (c.slot == MAP_FAILED)
		goto out_src;
	c.pkt_fd = memfd_filled(max);
	c.own_fd = memfd_filled(max);
	if (c.pkt_fd < 0 || c.own_fd < 0)
		goto out_fds;

	for (i = 0; i < CAL_POINTS; i++) {
		pts[i].size = cal_pages[i] * ps;
		pts[i].copy_ns = cal_copy(&c, pts[i].size);
		pts[i].remap_ns = cal_remap(&c, cal_pages[i], ps);
	}
	e->copy_threshold = skbremap_threshold_pick(pts, CAL_POINTS);
	e->st.calib_copy_ns = pts[0].copy_ns;
	e->st.calib_remap_ns = pts[0].remap_ns;

out_fds:
	if (c.pkt_fd >= 0)
		close(c.pkt_fd);
	if (c.own_fd >= 0)
		close(c.own_fd);
	munmap(c.slot, max);
out_src:
	munmap(c.src, 2 * max);
out:
	e->st.copy_threshold = e->copy_threshold;
}
