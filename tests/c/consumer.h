/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A test consumer of the region, written from the uapi header alone: maps
 * both parts, takes READY windows oldest sequence first (acquire), checks
 * every info-page field and every entry's bounds before touching data,
 * hands each packet to a callback, then releases the window (release).
 */
#ifndef SKBREMAP_TEST_CONSUMER_H
#define SKBREMAP_TEST_CONSUMER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <linux/skbremap.h>

#include "skbremap_emu.h"

struct consumer;
typedef void (*consumer_fn)(struct consumer *c,
			    const struct skbremap_info_entry *e,
			    const uint8_t *data, void *arg);

struct consumer {
	struct skbremap_emu *emu;
	struct skbremap_layout l;
	uint8_t *ctl;
	const uint8_t *win;
	uint64_t next_seq;
	/* What was consumed. */
	uint64_t windows;
	uint64_t packets;
	uint64_t bytes;
	uint64_t wire_bytes;
	uint64_t hdr_drops;	/* sum of info_hdr.drops */
	uint64_t retired;	/* windows with SKBREMAP_INFO_RETIRED */
	uint64_t flushed;	/* windows with SKBREMAP_INFO_FLUSH */
	uint64_t errors;	/* protocol or bounds violations seen */
	uint64_t by_path[4];	/* packets per SKBREMAP_PATH_* */
	uint64_t scattered;	/* SCATTER packets */
	uint32_t max_count;	/* most entries one window held */
	uint8_t *lin;		/* a SCATTER packet's bytes, joined */
	bool keep;		/* do not release (tests of holding) */
};

static inline struct skbremap_win_ctl *consumer_ctl(struct consumer *c,
						    uint32_t w)
{
	return (struct skbremap_win_ctl *)(c->ctl + c->l.win_ctl_offset) + w;
}

static inline int consumer_map(struct consumer *c, struct skbremap_emu *emu)
{
	void *p;
	int err;

	memset(c, 0, sizeof(*c));
	c->emu = emu;
	c->next_seq = 1;
	err = skbremap_emu_ioctl(emu, SKBREMAP_IOC_LAYOUT, &c->l);
	if (err)
		return err;
	err = skbremap_emu_mmap(emu, c->l.ctl_offset, c->l.ctl_size,
				PROT_READ | PROT_WRITE, &p);
	if (err)
		return err;
	c->ctl = p;
	err = skbremap_emu_mmap(emu, c->l.win_offset, c->l.win_size,
				PROT_READ, &p);
	if (err) {
		skbremap_emu_munmap(emu, c->ctl, c->l.ctl_size);
		return err;
	}
	c->win = p;
	return 0;
}

static inline void consumer_unmap(struct consumer *c)
{
	free(c->lin);
	c->lin = NULL;
	skbremap_emu_munmap(c->emu, (void *)c->win, c->l.win_size);
	skbremap_emu_munmap(c->emu, c->ctl, c->l.ctl_size);
}

#define CONSUMER_BAD(c, what)						\
	do {								\
		(c)->errors++;						\
		fprintf(stderr, "    consumer: %s\n", what);		\
	} while (0)

/*
 * A SCATTER head at ents[i] and its segment entries, checked as the
 * uapi header says; the packet is joined into c->lin for the callback
 * (a test's convenience: remapd reads the segments in place). Returns the
 * number of segment entries to skip.
 */
static inline uint32_t consumer_scatter(struct consumer *c,
					const struct skbremap_info_hdr *h,
					const struct skbremap_info_entry *ents,
					uint32_t i, const uint8_t *data,
					consumer_fn fn, void *arg)
{
	const struct skbremap_info_entry *e = &ents[i];
	uint64_t ps = c->l.page_size, sum = 0;
	uint32_t n = e->segments, k;

	if (n < 2 || n > SKBREMAP_MAX_SEGMENTS || (uint64_t)i + 1 + n > h->count ||
	    e->page || e->offset || !e->caplen || e->caplen > e->wirelen ||
	    e->path != SKBREMAP_PATH_REMAP || e->reserved ||
	    (e->flags & ~(SKBREMAP_PKT_VLAN | SKBREMAP_PKT_TRUNCATED |
			  SKBREMAP_PKT_SCATTER))) {
		CONSUMER_BAD(c, "bad scatter head");
		return n <= h->count - i - 1 ? n : h->count - i - 1;
	}
	if (!c->lin)
		c->lin = malloc(c->l.pages_per_window * ps);
	for (k = 1; k <= n; k++) {
		const struct skbremap_info_entry *s = &ents[i + k];

		if (s->flags != SKBREMAP_PKT_SEGMENT || s->page >= h->pages_used ||
		    s->offset >= ps || !s->caplen || s->wirelen ||
		    s->tstamp_ns || s->segments || s->reserved ||
		    s->page * ps + s->offset + s->caplen >
			    (uint64_t)h->pages_used * ps ||
		    sum + s->caplen > e->caplen || !c->lin) {
			CONSUMER_BAD(c, "bad segment entry");
			return n;
		}
		memcpy(c->lin + sum, data + s->page * ps + s->offset,
		       s->caplen);
		sum += s->caplen;
	}
	if (sum != e->caplen) {
		CONSUMER_BAD(c, "segments do not add up");
		return n;
	}
	c->packets++;
	c->scattered++;
	c->by_path[e->path]++;
	c->bytes += e->caplen;
	c->wire_bytes += e->wirelen;
	if (fn)
		fn(c, e, c->lin, arg);
	return n;
}

/* One window: parse, check, deliver. */
static inline void consumer_window(struct consumer *c, uint32_t w,
				   uint64_t seq, consumer_fn fn, void *arg)
{
	const uint8_t *base = c->win + (uint64_t)w * c->l.win_stride;
	const struct skbremap_info_hdr *h = (const void *)base;
	const struct skbremap_info_entry *ents =
		(const void *)(base + c->l.info_hdr_size);
	uint64_t ps = c->l.page_size;
	/* Data page 0 follows the info pages (layout.info_pages of them). */
	const uint8_t *data = base + (uint64_t)c->l.info_pages * ps;
	uint32_t i;

	if (seq != c->next_seq)
		CONSUMER_BAD(c, "sequence gap");
	c->next_seq = seq + 1;
	if (h->magic != SKBREMAP_INFO_MAGIC ||
	    h->abi_version != SKBREMAP_ABI_VERSION || h->seq != seq ||
	    h->window != w || h->count > c->l.info_entries_max ||
	    h->pages_used > c->l.pages_per_window || h->count == 0 ||
	    h->reserved[0] || h->reserved[1] || h->reserved[2] ||
	    (h->flags & ~(SKBREMAP_INFO_RETIRED | SKBREMAP_INFO_FLUSH))) {
		CONSUMER_BAD(c, "bad info header");
		return;
	}
	c->windows++;
	if (h->count > c->max_count)
		c->max_count = h->count;
	c->hdr_drops += h->drops;
	if (h->flags & SKBREMAP_INFO_RETIRED)
		c->retired++;
	if (h->flags & SKBREMAP_INFO_FLUSH)
		c->flushed++;
	for (i = 0; i < h->count; i++) {
		const struct skbremap_info_entry *e = &ents[i];

		if (e->flags & SKBREMAP_PKT_SCATTER) {
			i += consumer_scatter(c, h, ents, i, data, fn, arg);
			continue;
		}

		if (e->page >= h->pages_used || e->offset >= ps ||
		    !e->caplen || e->caplen > e->wirelen ||
		    e->page * ps + e->offset + e->caplen >
			    (uint64_t)h->pages_used * ps ||
		    e->path < SKBREMAP_PATH_BOUNCE ||
		    e->path > SKBREMAP_PATH_RING || e->reserved ||
		    e->segments ||
		    (e->flags & ~(SKBREMAP_PKT_VLAN |
				  SKBREMAP_PKT_TRUNCATED)) ||
		    !!(e->flags & SKBREMAP_PKT_TRUNCATED) !=
			    (e->caplen < e->wirelen)) {
			CONSUMER_BAD(c, "bad info entry");
			continue;
		}
		c->packets++;
		c->by_path[e->path]++;
		c->bytes += e->caplen;
		c->wire_bytes += e->wirelen;
		if (fn)
			fn(c, e, data + e->page * ps + e->offset, arg);
	}
}

/* Consume every READY window, oldest first; returns how many. */
static inline int consumer_drain(struct consumer *c, consumer_fn fn, void *arg)
{
	int n = 0;

	for (;;) {
		uint64_t best_seq = UINT64_MAX;
		int64_t best = -1;
		uint32_t w;
		int scans = 0;

rescan:
		for (w = 0; w < c->l.windows; w++) {
			struct skbremap_win_ctl *ctl = consumer_ctl(c, w);

			if (__atomic_load_n(&ctl->status, __ATOMIC_ACQUIRE) ==
				    SKBREMAP_WIN_READY &&
			    ctl->seq < best_seq && ctl->seq >= c->next_seq) {
				best_seq = ctl->seq;
				best = w;
			}
		}
		if (best < 0)
			return n;
		/*
		 * The worker may publish seq next_seq behind the scan (at a
		 * window already passed) and next_seq + 1 ahead of it. Windows
		 * are published in seq order, so one more scan sees next_seq.
		 */
		if (best_seq != c->next_seq && !scans++) {
			best_seq = UINT64_MAX;
			best = -1;
			goto rescan;
		}
		consumer_window(c, (uint32_t)best, best_seq, fn, arg);
		n++;
		if (!c->keep)
			__atomic_store_n(&consumer_ctl(c, (uint32_t)best)->status,
					 SKBREMAP_WIN_RELEASED,
					 __ATOMIC_RELEASE);
	}
}

static inline double consumer_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * The loop of skbremap_emu.h: read done, drain, stop when done was 1 (or
 * after max_seconds), then STOP, drain the flush, take back the windows.
 */
static inline void consumer_run_to_end(struct consumer *c, consumer_fn fn,
				       void *arg, double max_seconds)
{
	double end = consumer_now() + max_seconds;

	while (consumer_now() < end) {
		int done = skbremap_emu_source_done(c->emu);
		int n = consumer_drain(c, fn, arg);

		if (done)
			break;
		skbremap_emu_poll(c->emu, n ? 0 : 100);
	}
	skbremap_emu_ioctl(c->emu, SKBREMAP_IOC_STOP, NULL);
	consumer_drain(c, fn, arg);
	skbremap_emu_poll(c->emu, 0);	/* take back what was released */
}

#endif /* SKBREMAP_TEST_CONSUMER_H */
