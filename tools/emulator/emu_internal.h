/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private state of the workqueue remap emulation. One struct skbremap_emu
 * is one capture (one open of /dev/skbremap). Three threads touch it:
 *
 *   consumer  skbremap_emu_* calls (ioctl, mmap, poll, close)
 *   source    plays prot_hook.func: emu_hook() into the queue
 *   worker    plays the workqueue: queue -> windows -> publish
 *
 * Locks, always taken in this order:
 *   ctl_lock  serialises the calls that change the capture's life
 *             (configure, bind, start, stop, set_source, close); the
 *             threads are started and joined under it, never under lock.
 *   lock      the region, the windows, the consumer's mappings and the
 *             worker-side counters.
 *   q.lock    the queue between source and worker and the hook-side
 *             counters (seen, filtered, drop_queue_full, drop_nomem).
 *   pool->lock  (leaf) the skb page pool's free list (skbpool.c): the
 *             source thread under nothing, the worker under lock.
 *   filter_lock  (rwlock, alone: nothing else is taken under it) the
 *             filter program: read-held by the source for one run, write-
 *             held by SET_FILTER to swap it (filter.c).
 * A member of a fanout group (fanout.c) adds, after ctl_lock: the group's
 * ctl (member START/STOP, the shared source's start and stop), then the
 * group's lock (its running members), which nests inside lock too (the
 * captures listing) and is held only for a moment; under it a member's
 * q.lock may be taken, never its lock.
 *
 * The filling window and retire deadline belong to the worker alone while
 * it runs; window states change under lock so that poll, stats and the
 * captures listing see a consistent picture.
 */
#ifndef SKBREMAP_EMU_INTERNAL_H
#define SKBREMAP_EMU_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <sys/types.h>

#include "skbremap_core.h"
#include "skbremap_emu.h"

/* Where a bounced packet starts in its first data page (see skbremap_emu.h). */
#define EMU_BOUNCE_OFFSET	SKBREMAP_EMU_BOUNCE_OFFSET

/* An 802.1Q/802.1ad tag in the frame: TPID and TCI. */
#define EMU_VLAN_HLEN		4

/* Largest packet a source hands to the hook (AF_PACKET receive buffer). */
#define EMU_MAX_FRAME		(SKBREMAP_MAX_SNAPLEN + 65536)

/* What the emulator implements (SKBREMAP_IOC_VERSION). */
#define EMU_FEATURES	(SKBREMAP_FEAT_BOUNCE | SKBREMAP_FEAT_FILTER | \
			 SKBREMAP_FEAT_RING | SKBREMAP_FEAT_REMAP | \
			 SKBREMAP_FEAT_ADAPTIVE | SKBREMAP_FEAT_INFO_PAGES | \
			 SKBREMAP_FEAT_FANOUT)

/*
 * The emulated driver's header split: a packet of at least
 * EMU_HEAD_LEN + one page is built as a linear head of EMU_HEAD_LEN bytes
 * (malloc'd, like a kmalloc'd skb head: never remapped) plus page frags,
 * each at offset 0 of its own page of the skb page pool (skbpool.c),
 * PAGE_SIZE bytes but the last. In every mode (the driver does not know
 * its consumer); smaller packets, and any built from a dry pool, are
 * linear.
 */
#define EMU_HEAD_LEN		128

#define EMU_NO_PAGE		0xffffffffU

/*
 * The emulator's page_pool: a memfd of pages that hold packet data only,
 * each owned by one packet (exclusive) from the hook until the packet is
 * copied, dropped, or its window is released. Remapping inserts these
 * very pages into the consumer's view (no copy). lock is a leaf lock.
 */
struct emu_skbpool {
	pthread_mutex_t lock;
	int fd;
	int ro_fd;		/* read-only: what the consumer maps */
	u8 *rw;			/* the hook writes packet data here */
	u32 npages;
	u32 nfree;
	u32 *free;		/* stack of free page numbers */
	u64 exhausted;		/* packets built linear for lack of pages */
};

/* One queued packet: the emulator's skb, a copy of caplen bytes. */
struct emu_pkt {
	struct emu_pkt *next;
	struct emu_skbpool *pool;	/* frags' pool, NULL if linear */
	u32 head_len;		/* bytes in data[] (== caplen if linear) */
	u32 nr_frags;		/* frag pages in frag[] */
	u32 *frag;		/* pool page of each frag; EMU_NO_PAGE once
				 * given to a window or returned
				 */
	u64 tstamp_ns;		/* CLOCK_REALTIME */
	u32 caplen;
	u32 wirelen;
	s32 ifindex;
	u16 protocol;		/* network byte order */
	u16 vlan_tci;
	u16 vlan_proto;		/* network byte order */
	u8 pkttype;
	u8 reserved;
	u32 flags;		/* SKBREMAP_PKT_VLAN */
	u8 data[];
};

/* What a source knows about a packet besides its bytes. */
struct emu_pkt_meta {
	u64 tstamp_ns;
	u32 wirelen;
	s32 ifindex;
	u16 protocol;		/* network byte order */
	u16 vlan_tci;
	u16 vlan_proto;		/* network byte order */
	u8 pkttype;
	u32 flags;
};

struct emu_queue {
	pthread_mutex_t lock;
	pthread_cond_t work;	/* worker: packets, end, stop, kick */
	pthread_cond_t space;	/* source (backpressure), source stop */
	struct emu_pkt *head;
	struct emu_pkt **tail;
	u32 len;
	u32 limit;
	bool src_stop;		/* STOP: the source thread ends */
	bool stop;		/* STOP: the worker drains, flushes, ends */
	bool source_ended;	/* a finite source produced its last packet */
	bool backpressure;	/* source waits for room instead of dropping */
	u64 seen;
	u64 filtered;
	u64 drop_queue_full;
	u64 drop_nomem;
	u64 fanout_rollover;	/* of seen: rolled over to this member */
};

/* Host-side record of a window around the core's state machine. */
struct emu_win {
	struct skbremap_win core;
	u64 captured_bytes;	/* sums over the entries written */
	u64 wire_bytes;
	u32 *slot_page;		/* per data slot: skb pool page remapped
				 * there, or EMU_NO_PAGE (its own page)
				 */
	u32 remapped_pages;	/* slots with a pool page */
};

enum emu_source_kind {
	EMU_SRC_AFPACKET,
	EMU_SRC_PCAP,
	EMU_SRC_SYNTHETIC,
};

struct emu_source_spec {
	enum emu_source_kind kind;
	char *path;		/* pcap */
	u64 count;		/* synthetic: 0 = until STOP */
	u32 min;
	u32 max;
	u64 rate;		/* packets per second, 0 = as fast as possible */
	u32 step;		/* synthetic: size of packet i is
				 * min + i * step % (max - min + 1)
				 */
	bool lossless;
	u32 flows;		/* synthetic: 0, or flows both ways */
};

struct emu_source;		/* per-START runtime state, source.c */
struct emu_fanout;		/* a fanout group, fanout.c */
struct emu_filter;		/* a checked program, filter.c */

enum emu_map_kind {
	EMU_MAP_CTL = SKBREMAP_MAP_CTL,
	EMU_MAP_WINDOWS = SKBREMAP_MAP_WINDOWS,
};

struct emu_map {
	struct emu_map *next;
	void *addr;
	u64 length;
	enum emu_map_kind kind;
};

struct skbremap_emu {
	struct skbremap_emu *next;	/* emu_global list, under its lock */
	u32 id;
	pid_t pid;

	pthread_mutex_t ctl_lock;
	pthread_mutex_t lock;
	pthread_cond_t poll_wait;	/* publish, source_done */
	pthread_cond_t win_free;	/* a window came back (backpressure) */

	/* Under lock (set up by configure under ctl_lock too). */
	struct skbremap_config cfg;
	struct skbremap_layout layout;
	u32 page_size;
	u32 mode;			/* effective SKBREMAP_MODE_* */
	u32 copy_threshold;		/* effective, ADAPTIVE */
	bool scatter;			/* REMAP as SCATTER, see skbremap_emu.h */
	s32 ifindex;
	bool running;
	bool source_done;
	/* pcap records not replayed (skbremap_emu.h); under lock */
	struct skbremap_emu_source_skipped src_skipped;

	int ctl_fd;			/* memfd of the control part */
	u8 *ctl;			/* emulator's RW view of it */
	int win_fd;			/* memfd: info and data pages */
	int win_ro_fd;			/* read-only fd: the consumer's maps */
	u8 *win_rw;			/* emulator's RW view of win_fd */
	u8 *win_view;			/* consumer's windows mapping or NULL */
	int win_prot;
	struct emu_map *maps;
	u64 nr_maps;

	struct emu_win *wins;
	/* The USER windows, oldest published first (core/window.c); e->lock. */
	struct skbremap_user_queue uq;
	u64 uq_scanned_ns;	/* last whole read of uq (CLOCK_MONOTONIC) */
	u32 *slot_pages;		/* backing of every wins[].slot_page */
	struct emu_skbpool *pool;	/* REMAP, ADAPTIVE: the skb pages */
	int64_t filling;			/* worker: window being filled, -1 */
	u32 cursor;			/* next window to try */
	u64 seq;			/* last published */
	u64 drops_published;		/* drop total at the last publish */
	u64 retire_at_ns;		/* worker: CLOCK_MONOTONIC deadline */
	struct skbremap_stats st;	/* worker-side counters; skbs_held
					 * counts published packets only */

	struct emu_queue q;

	pthread_rwlock_t filter_lock;
	struct emu_filter *filter;	/* under filter_lock; NULL = all */
	u8 *filter_scratch;		/* source thread: a frame with its
					 * VLAN tag put back (filter.c)
					 */

	/*
	 * Fanout (fanout.c). fanout: the group, set at join under ctl_lock
	 * and lock, cleared at close. fanout_idx, hook_users: under the
	 * group's lock. user_windows: windows_user for the group's source
	 * (WRITE_ONCE under lock, READ_ONCE without). hub_of: set only in
	 * the group's own source host, which is no capture.
	 */
	struct emu_fanout *fanout;
	u32 fanout_idx;
	u32 hook_users;
	u32 user_windows;
	struct emu_fanout *hub_of;

	struct emu_source_spec spec;
	struct emu_source *src;
	pthread_t src_thread;
	pthread_t worker_thread;
};

/* emu.c */
u64 emu_now_ns(int clock);
int emu_cond_init(pthread_cond_t *c);
void emu_rwlock_init_writer_first(pthread_rwlock_t *l);
void emu_cond_wait_until(pthread_cond_t *c, pthread_mutex_t *m, u64 mono_ns);
int emu_thread_create(pthread_t *t, void *(*fn)(void *), void *arg);
void emu_stats_snapshot(struct skbremap_emu *e, struct skbremap_stats *out);

/* region.c */
int emu_region_create(struct skbremap_emu *e);
void emu_region_destroy(struct skbremap_emu *e);
int emu_region_map(struct skbremap_emu *e, u64 offset, u64 length, int prot,
		   void **addr);
int emu_region_unmap(struct skbremap_emu *e, void *addr, u64 length);
void emu_region_unmap_all(struct skbremap_emu *e);
u8 *emu_info_page(struct skbremap_emu *e, u32 window);
u8 *emu_data_page(struct skbremap_emu *e, u32 window, u32 page);
struct skbremap_win_ctl *emu_win_ctl(struct skbremap_emu *e, u32 window);
int emu_region_show(struct skbremap_emu *e, u32 window);
void emu_region_zap(struct skbremap_emu *e, u32 window);

bool emu_resident(const struct skbremap_emu *e);

/* skbpool.c */
int emu_skbpool_create(struct emu_skbpool **out, u32 npages, u32 page_size);
void emu_skbpool_destroy(struct emu_skbpool *pool, u32 page_size);
u32 emu_skbpool_get(struct emu_skbpool *pool, u32 n, u32 *pages);
void emu_skbpool_put(struct emu_skbpool *pool, const u32 *pages, u32 n);
void emu_pkt_free(struct emu_pkt *p);
void emu_pkt_copy(const struct emu_pkt *p, u32 page_size, u32 from, u8 *dst,
		  u32 len);

/* calibrate.c */
void emu_calibrate(struct skbremap_emu *e);

/* worker.c */
int emu_worker_start(struct skbremap_emu *e);
void emu_worker_stop(struct skbremap_emu *e);
void emu_reclaim_released(struct skbremap_emu *e);
void emu_windows_drop_all(struct skbremap_emu *e);
bool emu_any_ready(struct skbremap_emu *e);
u64 emu_drops_total(struct skbremap_emu *e);

/* queue.c */
void emu_queue_init(struct emu_queue *q);
void emu_queue_destroy(struct emu_queue *q);
void emu_queue_reset(struct emu_queue *q, u32 limit, bool backpressure);
void emu_hook(struct skbremap_emu *e, const struct emu_pkt_meta *m,
	      const u8 *data, u32 len);
void emu_hook_lost(struct skbremap_emu *e, u64 n);
void emu_source_end(struct skbremap_emu *e);
bool emu_source_should_stop(struct skbremap_emu *e);
void emu_source_sleep_until(struct skbremap_emu *e, u64 mono_ns);
u32 emu_queue_take(struct emu_queue *q, struct emu_pkt **batch, u32 max);

/* filter.c */
int emu_filter_set(struct skbremap_emu *e, const struct skbremap_filter *uf);
void emu_filter_free(struct skbremap_emu *e);
u32 emu_filter_run(struct skbremap_emu *e, const struct emu_pkt_meta *m,
		   const u8 *data, u32 len, u32 wirelen, bool *nomem);

/* fanout.c */
int emu_fanout_join(struct skbremap_emu *e, const struct skbremap_fanout *a);
int emu_fanout_start(struct skbremap_emu *e);
void emu_fanout_stop(struct skbremap_emu *e);
void emu_fanout_leave(struct skbremap_emu *e);
void emu_fanout_info(struct skbremap_emu *e, struct skbremap_capture_info *ci);
bool emu_fanout_bind_ok(struct skbremap_emu *e, s32 ifindex);
void emu_fanout_rcv(struct emu_fanout *f, const struct emu_pkt_meta *m,
		    const u8 *data, u32 len);
void emu_fanout_source_end(struct emu_fanout *f);
void emu_fanout_lost(struct emu_fanout *f, u64 n);

/* queue.c (also) */
void emu_hook_member(struct skbremap_emu *e, const struct emu_pkt_meta *m,
		     const u8 *data, u32 len, bool rolled);

/* source.c */
int emu_source_parse(const char *spec, struct emu_source_spec *out);
int emu_source_spec_copy(struct emu_source_spec *dst,
			 const struct emu_source_spec *src);
void emu_source_spec_free(struct emu_source_spec *s);
int emu_source_start(struct skbremap_emu *e);
void emu_source_stop(struct skbremap_emu *e);

/* source_afpacket.c */
int emu_afpacket_open(struct skbremap_emu *e, struct emu_source *s);
void emu_afpacket_run(struct skbremap_emu *e, struct emu_source *s);
void emu_afpacket_wake(struct emu_source *s);
void emu_afpacket_close(struct emu_source *s);

/* source_pcap.c */
int emu_pcap_check(const char *path);
int emu_pcap_open(struct skbremap_emu *e, struct emu_source *s);
void emu_pcap_run(struct skbremap_emu *e, struct emu_source *s);
void emu_pcap_close(struct emu_source *s);

/* source_synthetic.c */
void emu_synthetic_run(struct skbremap_emu *e, struct emu_source *s);

/* Runtime state of a started source; one member per kind is used. */
struct emu_source {
	enum emu_source_kind kind;
	int sock;		/* afpacket */
	int wake_fd;		/* afpacket: eventfd written by STOP */
	u8 *buf;		/* afpacket: receive buffer */
	void *pcap;		/* pcap_t */
	int linktype;		/* pcap */
};

#endif /* SKBREMAP_EMU_INTERNAL_H */
