/* SPDX-License-Identifier: GPL-2.0 */
/*
 * skbremap.ko: the kernel host of the skbremap core (core/). One open() of
 * /dev/skbremap is one struct skbremap_capture. Its life:
 *
 *   open ---> CONFIGURE/BIND/LAYOUT ---> mmap ctl + windows ---> START
 *     worker capture (bounce, remap, adaptive that may remap):
 *       prot_hook.func (softirq) --queue--> worker (workqueue, process ctx)
 *       worker: take back RELEASED windows, place queued skbs in the
 *               FILLING window (bounce/ring copy, or remap: record the
 *               skb's own pages), publish full/old windows
 *     direct capture (ring, adaptive that never remaps; cap->direct):
 *       prot_hook.func copies into the FILLING window and publishes full
 *       ones itself (worker.c, skbremap_direct_rcv); poll() takes back
 *       released windows itself, the worker retires and flushes
 *   STOP (flush) ... release(): every page and every skb returned
 *
 * Locks, outermost first (never take one to the left while holding one
 * to its right):
 *
 *   rtnl_lock -> skbremap_captures_lock -> mmap_lock (of cap->mm)
 *     -> cap->lock -> skbremap_fanout_lock
 *     -> cap->fill_lock -> cap->queue.lock
 *
 * (skbremap_fanout_lock, fanout.c, is never held with fill_lock: nothing
 * takes one inside the other.)
 *
 * (poll_wait's lock, taken by wake_up, nests inside fill_lock.)
 * (The take-back takes the i_mmap_rwsem of the capture's own mapping
 * inside cap->lock, never inside fill_lock; the mm core takes it for
 * mmap, fork and munmap without cap->lock.)
 * (rtnl and skbremap_captures_lock are never held together with mmap_lock:
 * the notifier and START take rtnl, the worker and mmap take mmap_lock.)
 */
#ifndef SKBREMAP_MOD_H
#define SKBREMAP_MOD_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/mm_types.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "skbremap_core.h"

struct bpf_prog;
struct mem_cgroup;
struct skbremap_fanout_group;

/* Kernel side of one window: the core's record plus what backs it. */
struct skbremap_kwin {
	struct skbremap_win win;	/* core state machine */
	struct page **info_pages;	/* layout.info_pages pool pages,
					 * mapped at mmap time
					 */
	void *info;			/* vmap() of them: the info area */
	struct page **pages;		/* data slots [0, win.pages_used) */
	/*
	 * REMAP (resident modes only): remap[s] is the skb page slot s shows
	 * instead of pages[s], NULL for the window's own page. Slots
	 * [remap_lo, remap_hi) hold every remapped one: set while filling,
	 * inserted at publish, taken back at release. [hole_lo, hole_hi):
	 * slots with no PTE since that; the next publish (or the calibration)
	 * inserts them again, with no TLB flush. All under cap->lock.
	 */
	struct page **remap;
	u32 remap_lo, remap_hi;
	u32 hole_lo, hole_hi;
	struct sk_buff_head skbs;	/* skbs of its packets, freed on
					 * release (lock unused: cap->lock)
					 */
	u64 caplen_sum;			/* bytes captured in this window */
	u64 wirelen_sum;		/* wire bytes of its packets */
	/* Its packets per path; added to the capture's ws at publish. */
	u32 copied, bounced, remapped, pages_remapped;
	unsigned long fill_start;	/* jiffies when it was opened */
};

/* Counters only the worker or ioctls change; all under cap->lock. */
struct skbremap_wstats {
	u64 captured;
	u64 captured_bytes;
	u64 wire_bytes;
	u64 windows_published;
	u64 windows_retired;
	u64 windows_released;
	u64 windows_user;
	u64 bounced;
	u64 copied;		/* RING path */
	u64 remapped;		/* REMAP path */
	u64 pages_remapped;
	u64 pages_mapped;
	u64 bad_release;
};

struct skbremap_capture {
	/* On skbremap_captures; under skbremap_captures_lock. */
	struct list_head node;
	u32 id;
	struct pid *pid;		/* thread group of the opener */
	struct mem_cgroup *memcg;	/* of the opener's mm: pool pages are
					 * charged to it (pool.c)
					 */
	struct net *net;		/* netns of the opener: the hook sees
					 * only its devices
					 */

	/*
	 * Rule: cap->lock serialises everything below that is not atomic:
	 * configuration, the region, the windows, the worker. It may sleep
	 * and is held across synchronize_net() (STOP) and page-table
	 * changes (worker). Taken inside mmap_lock (mmap(), worker) and
	 * inside rtnl/skbremap_captures_lock (notifier, START), never the
	 * other way round. Never taken by the hook.
	 */
	struct mutex lock;
	/*
	 * Rule: fill_lock guards, with cap->lock, the window side: filling,
	 * next_win, seq, drops_reported, ws, and each window's state, info
	 * page, sums and fill_start. A direct capture's hook changes them
	 * holding fill_lock alone (BH is off there). Everyone else holds
	 * cap->lock, and takes fill_lock inside it whenever the hook may be
	 * filling: always, except the worker of a worker capture, which
	 * sleeps in page-table changes and whose hook never touches a
	 * window. A spinlock taken with BH off; nothing sleeps under it.
	 */
	spinlock_t fill_lock;
	bool direct;			/* the hook fills (set at the first
					 * START, before dev_add_pack; read by
					 * the hook)
					 */
	/*
	 * direct and copy_threshold are decided (calibrated) at the first
	 * START and kept for the region's life: a worker capture's windows
	 * may show remapped skb pages, which only the worker's take-back
	 * zaps, so a capture never turns direct while user space may hold
	 * such a window (and a direct one never needs to turn back).
	 */
	bool path_set;
	struct skbremap_config cfg;	/* resolved */
	u32 mode;			/* effective SKBREMAP_MODE_* (never 0) */
	u32 copy_threshold;		/* effective, ADAPTIVE only, else 0 */
	u64 calib_copy_ns;		/* START's calibration, per page */
	u64 calib_remap_ns;
	struct skbremap_layout layout;
	int ifindex;			/* BIND: 0 = all */
	bool running;			/* hook registered (READ_ONCE in hook) */
	bool dead;			/* bound interface unregistered */
	bool flush_req;			/* STOP asked for the part-full window */
	bool closing;			/* release(): do not re-arm work */
	struct net_device *dev;		/* held while running bound */
	netdevice_tracker dev_tracker;

	void *ctl;			/* control part (vmalloc_user) */
	struct skbremap_kwin *wins;	/* NULL until the first mmap */
	struct page **scratch;		/* pages of one packet being bounced */
	struct skbremap_kwin *filling;	/* the FILLING window, or NULL */
	/*
	 * The USER windows, oldest published first (core/window.c): what the
	 * take-back and poll look at instead of every window. Part of the
	 * window side (fill_lock's rule above); slots allocated with wins.
	 */
	struct skbremap_user_queue uq;
	unsigned long uq_scanned;	/* jiffies of the last whole-queue
					 * read (window side)
					 */
	u32 next_win;			/* round-robin start for opening */
	u64 seq;			/* last published window seq */
	u64 drops_reported;		/* drops already told in an info hdr */
	bool ctl_mapped;		/* each part may be mapped once */
	bool win_mapped;
	struct mm_struct *mm;		/* mmgrab'd at the first mmap */
	struct inode *inode;		/* its i_mapping: this capture's own
					 * address_space, the file's f_mapping
					 * from open() (remap.c)
					 */
	unsigned long win_addr;		/* vm_start of the windows VMA */
	struct skbremap_wstats ws;

	/* Live VMAs of each part: changed by mmap/vm_ops under mmap_lock. */
	atomic_t ctl_vmas;
	atomic_t win_vmas;

	/*
	 * Hook side. prot_hook is registered only while running. queue
	 * holds our clones between hook and worker; rule: queue.lock is
	 * taken with irqsave (the hook runs in softirq or with BH off) and
	 * held only to test the limit and link/splice, never to sleep.
	 */
	struct packet_type prot_hook;
	struct sk_buff_head queue;
	u32 queue_limit;		/* written only while stopped */
	/*
	 * SET_FILTER's program, NULL = keep everything. Rule: replaced
	 * only under cap->lock (rcu_replace_pointer), read by the hook
	 * under rcu_read_lock, destroyed after a grace period (filter.c).
	 */
	struct bpf_prog __rcu *filter;
	/*
	 * The memory bound: skb_bytes_held (truesize of our clones, from the
	 * hook's clone to their free) plus pool pages above fixed_pages (the
	 * region's own: info pages, and resident data pages) may not pass
	 * held_limit bytes (set at START from held_limit_kb); a packet that
	 * would is dropped (drop_mem_limit). See skbremap_held_bytes().
	 */
	u64 held_limit;
	u64 fixed_pages;
	atomic64_t skb_bytes_held;	/* gauge */
	atomic64_t drop_mem_limit;
	atomic64_t seen;
	atomic64_t filtered;
	atomic64_t drop_queue_full;
	atomic64_t drop_no_window;
	atomic64_t drop_nomem;
	atomic64_t drop_too_big;
	atomic64_t skbs_held;		/* gauge, our skb destructor */
	atomic64_t skbs_freed;
	atomic64_t pages_held;		/* gauge, pool.c */
	atomic64_t fanout_rollover;

	/*
	 * SKBREMAP_IOC_FANOUT (fanout.c): the group, set at join under
	 * cap->lock and skbremap_fanout_lock, cleared at close; fanout_idx,
	 * its slot among the group's running members, under
	 * skbremap_fanout_lock.
	 */
	struct skbremap_fanout_group *fanout;
	u32 fanout_idx;

	struct work_struct work;	/* the worker */
	struct delayed_work retire;	/* queues work at retire time */
	wait_queue_head_t poll_wait;
};

/* What our skb->cb holds; the skb is our private clone. */
struct skbremap_skb_cb {
	struct skbremap_capture *cap;
	u64 tstamp_ns;			/* CLOCK_REALTIME */
	s32 ifindex;
	u32 snap;			/* the filter's verdict: caplen cap */
	u32 truesize;			/* added to skb_bytes_held */
	u8 pkttype;
};

#define SKBREMAP_SKB_CB(skb) ((struct skbremap_skb_cb *)(skb)->cb)

/*
 * Ring and adaptive keep every window's pool pages inserted from mmap to
 * close ("resident"); bounce inserts them per window.
 */
static inline bool skbremap_resident(const struct skbremap_capture *cap)
{
	return skbremap_mode_resident(cap->mode);
}

/*
 * Where a BOUNCE packet starts in its first page: a constant (NET_IP_ALIGN's
 * usual value, the IP header 4-byte aligned; the emulator's
 * SKBREMAP_EMU_BOUNCE_OFFSET), never offset_in_page(skb->data), whose low
 * bits are those of a kernel (slab) address.
 */
#define SKBREMAP_BOUNCE_OFFSET	2

/*
 * What the memory bound counts (struct skbremap_capture, held_limit): skb
 * truesize held and pool pages beyond the region's own. Read without a
 * lock (the hook, the worker): a snapshot.
 */
static inline u64 skbremap_packet_page_bytes(struct skbremap_capture *cap)
{
	s64 pages = atomic64_read(&cap->pages_held) - (s64)cap->fixed_pages;

	return pages > 0 ? (u64)pages << PAGE_SHIFT : 0;
}

static inline u64 skbremap_held_bytes(struct skbremap_capture *cap)
{
	return atomic64_read(&cap->skb_bytes_held) +
	       skbremap_packet_page_bytes(cap);
}

/* Bytes of a window's info area: data page 0 starts this far in. */
static inline unsigned long
skbremap_info_bytes(const struct skbremap_capture *cap)
{
	return (unsigned long)cap->layout.info_pages << PAGE_SHIFT;
}

/*
 * What this build of the module offers (struct skbremap_version.features,
 * and what CONFIGURE resolves a mode against).
 */
#define SKBREMAP_MOD_FEATURES	(SKBREMAP_FEAT_BOUNCE | SKBREMAP_FEAT_RING | \
				 SKBREMAP_FEAT_REMAP | SKBREMAP_FEAT_ADAPTIVE | \
				 SKBREMAP_FEAT_FILTER | \
				 SKBREMAP_FEAT_INFO_PAGES | \
				 SKBREMAP_FEAT_MEM_LIMIT | \
				 SKBREMAP_FEAT_FANOUT)

/* main.c */
struct skbremap_gauges {
	atomic64_t captures;
	atomic64_t pages_held;
	atomic64_t skbs_held;
	atomic64_t mappings;
	atomic64_t skb_bytes_held;
};

extern struct skbremap_gauges skbremap_gauges;
extern unsigned int skbremap_copy_threshold_param;
extern bool skbremap_direct_param;
extern bool skbremap_group_capture_param;
extern unsigned int skbremap_test_calibrated_threshold_param;
extern unsigned int skbremap_held_limit_kb_param;
extern struct workqueue_struct *skbremap_wq;
extern struct list_head skbremap_captures;
extern struct mutex skbremap_captures_lock;

/* device.c */
int skbremap_device_register(void);
void skbremap_device_unregister(void);

/* capture.c */
struct skbremap_capture *skbremap_capture_create(void);
void skbremap_capture_destroy(struct skbremap_capture *cap);
int skbremap_capture_configure(struct skbremap_capture *cap,
			       const struct skbremap_config *in);
int skbremap_capture_bind(struct skbremap_capture *cap,
			  const struct skbremap_bind *b);
int skbremap_capture_start(struct skbremap_capture *cap);
int skbremap_capture_stop(struct skbremap_capture *cap);
void skbremap_capture_stats(struct skbremap_capture *cap,
			    struct skbremap_stats *st);
int skbremap_capture_info(const struct net *net, u32 index,
			  struct skbremap_capture_info *ci);
__poll_t skbremap_capture_poll(struct skbremap_capture *cap);
int skbremap_netdev_notifier_register(void);
void skbremap_netdev_notifier_unregister(void);

/* filter.c */
int skbremap_filter_set(struct skbremap_capture *cap,
			const struct skbremap_filter *uf);
void skbremap_filter_free(struct skbremap_capture *cap);
u32 skbremap_filter_run(struct skbremap_capture *cap, struct sk_buff *skb,
			const struct net_device *dev, bool *nomem);
void skbremap_push_mac(struct sk_buff *skb, const struct net_device *dev);

/* fanout.c */
int skbremap_fanout_join(struct skbremap_capture *cap,
			 const struct skbremap_fanout *a);
void __skbremap_fanout_link(struct skbremap_capture *cap,
			    struct net_device *dev);
void __skbremap_fanout_unlink(struct skbremap_capture *cap);
void __skbremap_fanout_leave(struct skbremap_capture *cap);
void __skbremap_fanout_info(struct skbremap_capture *cap,
			    struct skbremap_capture_info *ci);
bool __skbremap_fanout_bind_ok(struct skbremap_capture *cap, int ifindex);

/* hook.c */
void skbremap_capture_rcv(struct skbremap_capture *cap, struct sk_buff *skb,
			  struct net_device *dev, bool rolled);
int skbremap_hook_rcv(struct sk_buff *skb, struct net_device *dev,
		      struct packet_type *pt, struct net_device *orig_dev);
void __skbremap_unhook(struct skbremap_capture *cap);

/* worker.c */
void skbremap_worker(struct work_struct *work);
void skbremap_retire_timer(struct work_struct *work);
void __skbremap_purge(struct skbremap_capture *cap);
bool skbremap_direct_ok(const struct skbremap_capture *cap);
void __skbremap_direct_take_back(struct skbremap_capture *cap);
void skbremap_direct_rcv(struct skbremap_capture *cap,
			 const struct sk_buff *skb,
			 const struct skbremap_skb_cb *meta);

/* remap.c */
int skbremap_mapping_create(struct skbremap_capture *cap);
void skbremap_mapping_destroy(struct inode *inode);
int skbremap_mmap(struct file *file, struct vm_area_struct *vma);
struct vm_area_struct *__skbremap_find_win_vma(struct skbremap_capture *cap,
					       struct mm_struct *mm);
int __skbremap_insert_window(struct skbremap_capture *cap,
			     struct vm_area_struct *vma,
			     struct skbremap_kwin *kw);
void __skbremap_unmap_slots(struct skbremap_capture *cap, unsigned long first,
			    unsigned long npages);
void __skbremap_unmap_window(struct skbremap_capture *cap,
			     struct skbremap_kwin *kw, u32 pages);
void __skbremap_remap_clear(struct skbremap_kwin *kw);
bool skbremap_skb_plan(const struct sk_buff *skb, u32 caplen,
		       struct skbremap_remap_plan *plan);
int __skbremap_restore_slots(struct skbremap_capture *cap,
			     struct vm_area_struct *vma,
			     struct skbremap_kwin *kw, u32 first, u32 pages);
int __skbremap_region_alloc(struct skbremap_capture *cap);
void __skbremap_region_free(struct skbremap_capture *cap);

/* calibrate.c */
void skbremap_calibrate(struct skbremap_capture *cap);

/* pool.c */
struct page *skbremap_pool_get(struct skbremap_capture *cap);
void skbremap_pool_put(struct skbremap_capture *cap, struct page *page);

#endif /* SKBREMAP_MOD_H */
