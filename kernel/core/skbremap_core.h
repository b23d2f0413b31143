/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host-independent core of skbremap, compiled into skbremap.ko and into
 * the user-space emulation (tools/emulator) and its tests (tests/c): one
 * source of truth for configuration checks, the region layout, the window
 * state machine, info-page encoding and the reading of user-written
 * control words.
 *
 * Nothing here allocates, sleeps or locks. The caller serialises every
 * call on one window (in the module: the capture's worker, or close after
 * the worker is stopped).
 */
#ifndef SKBREMAP_CORE_H
#define SKBREMAP_CORE_H

#include "host.h"
#include <linux/skbremap.h>

/* config.c */

/*
 * Check a user-supplied configuration one field at a time and fill the
 * defaults for fields left 0. Returns 0 and writes *out, or -EINVAL.
 */
int skbremap_config_resolve(const struct skbremap_config *in,
			    struct skbremap_config *out);
/* Layout of a region for a resolved configuration. */
void skbremap_layout_fill(const struct skbremap_config *cfg, u32 page_size,
			  struct skbremap_layout *out);
u32 skbremap_info_entries_max(u32 page_size, u32 info_pages);
/*
 * Classify an mmap request against the layout: 1 = control part,
 * 2 = windows part, -EINVAL for anything else (wrong offset or length),
 * -EPERM for a writable mapping of the windows part.
 */
#define SKBREMAP_MAP_CTL	1
#define SKBREMAP_MAP_WINDOWS	2
int skbremap_mmap_check(const struct skbremap_layout *l, u64 offset,
			u64 length, bool writable);

/* window.c */

enum skbremap_win_state {
	SKBREMAP_WS_FREE,	/* kernel owns it, nothing in it */
	SKBREMAP_WS_FILLING,	/* kernel owns it, the worker adds packets */
	SKBREMAP_WS_USER,	/* published: user space owns it */
};

/* Kernel-private record of one window; never in shared memory. */
struct skbremap_win {
	enum skbremap_win_state state;
	u32 index;		/* position in the region */
	u64 seq;		/* seq published, valid in USER */
	u32 count;		/* entries written (SCATTER segments too) */
	u32 packets;		/* packets placed: what captured counts */
	u32 pages_used;		/* data pages given out */
	u32 pages_max;		/* pages_per_window */
	u32 entries_max;	/* info_entries_max */
	u32 pack_off;		/* RING: next packed offset in the last page
				 * given out; 0 = none open for packing
				 */
};

void skbremap_win_init(struct skbremap_win *w, u32 index, u32 pages_max,
		       u32 entries_max);
/* FREE -> FILLING. -EBUSY in any other state. */
int skbremap_win_open(struct skbremap_win *w);
/*
 * Room for one packet whose first byte lies at @offset in its page and
 * which is @len bytes long. It gets fresh pages (a page never holds two
 * packets, so a page shown to user space holds this packet only). Returns
 * 0 and the first page in *page and the entry slot in *entry, or -ENOSPC
 * when this window cannot take it (publish and retry in the next one).
 */
int skbremap_win_place(struct skbremap_win *w, u32 offset, u32 len,
		       u32 page_size, u32 *page, u32 *entry);
/*
 * RING path: room for @len bytes packed after the previous RING packet
 * (SKBREMAP_RING_ALIGN-aligned) when the last page given out is a ring
 * page with room left, else from a fresh page; the packet may run on into
 * following pages. Several RING packets share pages, which is why ring
 * pages may hold nothing but this capture's copied packet data. Returns 0
 * and the first page, the in-page offset and the entry slot, or -ENOSPC.
 * skbremap_win_place() after it starts on a fresh page again.
 */
int skbremap_win_place_packed(struct skbremap_win *w, u32 len, u32 page_size,
			      u32 *page, u32 *offset, u32 *entry);
/*
 * A SCATTER packet: @nseg (2..SKBREMAP_MAX_SEGMENTS) segments of
 * seg_pages[i] (>= 1) fresh pages each, in order from *page, and 1 + @nseg
 * entry slots from *entry (the head, then one per segment), all or
 * nothing. -ENOSPC when this window cannot take it, -EINVAL for bad
 * arguments.
 */
int skbremap_win_place_scatter(struct skbremap_win *w, const u32 *seg_pages,
			       u32 nseg, u32 *page, u32 *entry);
/*
 * @n more entry slots after the last one (the segment entries of a
 * SCATTER head). 0 and the first slot in *first, or -ENOSPC.
 */
int skbremap_win_reserve_entries(struct skbremap_win *w, u32 n, u32 *first);
/* Whether a packet could fit even an empty window. */
bool skbremap_win_fits_empty(u32 pages_max, u32 offset, u32 len,
			     u32 page_size);
/*
 * FILLING -> USER. Call after the data and info pages are written: the
 * release store orders them before the status word (smp_wmb() on the
 * host side first where pages need flushing).
 */
void skbremap_win_publish(struct skbremap_win *w, u64 seq,
			  struct skbremap_win_ctl *ctl);
/*
 * For a window in USER: true when user space has RELEASED it. *bad is
 * incremented when the (hostile) status word holds something that is
 * neither READY nor RELEASED; such a window stays with user space.
 */
bool skbremap_win_released(const struct skbremap_win *w,
			   const struct skbremap_win_ctl *ctl, u64 *bad);
/* USER -> FREE after the host took back pages and skbs. */
void skbremap_win_reclaim(struct skbremap_win *w,
			  struct skbremap_win_ctl *ctl);
/* FILLING -> FREE without publishing (teardown). */
void skbremap_win_abandon(struct skbremap_win *w);
/* Counts a window of state @state in the CAPTURES answer @ci. */
void skbremap_win_count(struct skbremap_capture_info *ci,
			enum skbremap_win_state state);

/*
 * The user queue: the indices of the USER windows, oldest published first,
 * so that the take-back finds released windows without reading every
 * window's status word. A consumer releases in the order it was given
 * (oldest first): the take-back pops released windows off the head and
 * stops at the first one user space still holds, O(released + 1). One it
 * released out of order waits behind the head until the region has no
 * FREE window; the host then looks through the whole queue
 * (skbremap_uq_at/_remove_at). The host owns the slot array (one u32 per
 * window) and guards the queue with what guards the windows' states.
 */
struct skbremap_user_queue {
	u32 *slot;	/* [size] window indices, a ring */
	u32 size;	/* windows in the region */
	u32 head;	/* ring position of the oldest */
	u32 len;	/* USER windows queued */
};

void skbremap_uq_init(struct skbremap_user_queue *q, u32 *slot, u32 size);
/* At publish. Returns -ENOSPC (and queues nothing) when full: a host bug. */
int skbremap_uq_push(struct skbremap_user_queue *q, u32 index);
/* The @i-th oldest (i < len). */
u32 skbremap_uq_at(const struct skbremap_user_queue *q, u32 i);
/* Drops the oldest (len > 0). */
void skbremap_uq_pop(struct skbremap_user_queue *q);
/* Drops the @i-th oldest, keeping the others' order: O(len - i). */
void skbremap_uq_remove_at(struct skbremap_user_queue *q, u32 i);
/* Teardown: every USER window was taken back. */
void skbremap_uq_clear(struct skbremap_user_queue *q);

/* path.c */

/*
 * One piece of an skb's data, in packet order, as the host describes it
 * to the remap-eligibility rule. The linear head (skb->data, kmalloc'd
 * memory shared with other allocations) is one piece with linear set;
 * each page frag is one piece.
 */
struct skbremap_frag {
	u32 page_offset;	/* in-page offset of the piece's first byte */
	u32 len;		/* bytes */
	bool linear;		/* skb head data: never inserted */
	bool exclusive;		/* the page is this packet's data only and
				 * cannot change under user space: not a
				 * shared frag (sendfile/splice page cache),
				 * not zerocopy TX (user pages); page_pool /
				 * header-split RX pages are
				 */
};

/*
 * How a REMAP packet is laid out in its window: @head bytes copied into
 * pool pages so that they end at a page boundary, then @pages whole pages
 * of the skb inserted (starting with piece @first), then @tail bytes
 * copied from the start of a fresh pool page. In the window the packet is
 * then contiguous: entry.offset = (page_size - head % page_size) %
 * page_size.
 */
struct skbremap_remap_plan {
	u32 head;		/* bytes before the inserted pages */
	u32 first;		/* index of the first inserted piece */
	u32 pages;		/* whole pages inserted */
	u32 tail;		/* bytes after them */
};

/*
 * The remap-eligibility rule. A piece qualifies when it is a page frag
 * (not linear), its page is exclusive, it starts at offset 0 and it is
 * exactly @page_size bytes long and wholly within the first @caplen
 * bytes. The packet is eligible when at least one piece qualifies; the
 * first run of consecutive qualifying pieces is inserted, everything else
 * is copied. Returns true and fills *plan, or false (bounce or ring).
 */
bool skbremap_remap_eligible(const struct skbremap_frag *frags, u32 nr,
			     u32 caplen, u32 page_size,
			     struct skbremap_remap_plan *plan);

/* The per-packet decision: SKBREMAP_PATH_* for a resolved mode. */
u32 skbremap_path_choose(u32 mode, u32 caplen, u32 copy_threshold,
			 bool remap_eligible);

/*
 * Mode 0 and feature checks: the effective SKBREMAP_MODE_* for a
 * configured @mode on a host with SKBREMAP_FEAT_* @features. 0 to *out, or
 * -EOPNOTSUPP for a mode the host lacks. Mode 0 is ADAPTIVE where the host
 * has it, else BOUNCE.
 */
int skbremap_mode_resolve(u32 mode, u32 features, u32 *out);

/* Whether @mode shows pool pages resident (inserted once at mmap). */
bool skbremap_mode_resident(u32 mode);

/* One calibration measurement: cost of delivering @size bytes each way. */
struct skbremap_calib_point {
	u32 size;		/* bytes, ascending across points */
	u64 copy_ns;		/* RING: copy into a ring page */
	u64 remap_ns;		/* REMAP: insert + zap, head/tail copies */
};

/*
 * The crossover: the smallest measured size from which on remapping is
 * cheaper than copying at every larger measured size. No such size (or
 * no points): SKBREMAP_MAX_COPY_THRESHOLD, i.e. never remap.
 */
u32 skbremap_threshold_pick(const struct skbremap_calib_point *pts, u32 n);

/* info.c */

void skbremap_ctl_init(void *ctl_part, const struct skbremap_layout *l);
struct skbremap_win_ctl *skbremap_win_ctl_at(void *ctl_part,
					     const struct skbremap_layout *l,
					     u32 window);
void skbremap_info_begin(void *info_page, u32 window);
void skbremap_info_put(void *info_page, u32 slot,
		       const struct skbremap_info_entry *e);
void skbremap_info_finish(void *info_page, const struct skbremap_win *w,
			  u64 seq, u64 drops, u32 flags);

/* filter_check.c */

struct sock_filter;	/* <linux/filter.h>; libpcap's struct bpf_insn */

/*
 * The fixed part of SKBREMAP_IOC_SET_FILTER: flags 0 and len at most
 * SKBREMAP_MAX_FILTER_INSNS. 0 or -EINVAL. len 0 (remove) passes.
 */
int skbremap_filter_arg_check(const struct skbremap_filter *f);
/*
 * The rules a program must pass on both hosts before it runs (see
 * filter_check.c and the uapi header): 1..SKBREMAP_MAX_FILTER_INSNS
 * instructions of known opcodes, jumps inside the program, a RET last, no
 * constant division or modulo by 0, no shift by 32 or more, scratch
 * memory below BPF_MEMWORDS and read only after written on every path,
 * no negative load offsets. @f must be the host's own copy (user space
 * cannot change it under the check); @masks is scratch for @len u16 (the
 * caller allocates, the core never does). 0 or -EINVAL.
 */
int skbremap_filter_check(const struct sock_filter *f, u32 len, u16 *masks);

/* fanout.c */

/* The fixed checks of SKBREMAP_IOC_FANOUT's argument: 0 or -EINVAL. */
int skbremap_fanout_arg_check(const struct skbremap_fanout *a);
/*
 * The symmetric flow hash of an Ethernet frame's first @len bytes (both
 * directions of a flow hash alike; 0 for a frame that is not IP). The
 * first SKBREMAP_FANOUT_HASH_BYTES bytes are enough for every header it
 * reads but IPv6 extension headers longer than that.
 */
#define SKBREMAP_FANOUT_HASH_BYTES	128
u32 skbremap_flow_hash_sym(const u8 *frame, u32 len);
/* Member 0..n-1 of a hash (n >= 1). */
u32 skbremap_fanout_scale(u32 hash, u32 n);

#endif /* SKBREMAP_CORE_H */
