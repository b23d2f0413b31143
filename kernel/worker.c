// SPDX-License-Identifier: GPL-2.0
/*
 * The worker: the process-context half of the capture, one work item per
 * capture on the module's unbound workqueue. Each run:
 *
 *   1. takes the capture process's mm (mmget_not_zero), mmap_read_lock,
 *      cap->lock, and finds the windows VMA (ours, whole);
 *   2. takes back the windows user space has RELEASED: unmaps their
 *      data slots from every process (unmap_mapping_range() on the
 *      capture's own address_space, remap.c), returns the pool pages,
 *      frees the REMAP skbs (deferred free); resident modes (ring,
 *      remap, adaptive) unmap only the slots that showed skb pages and
 *      return no pool page;
 *   3. places every queued skb in the FILLING window on the path the
 *      core chooses (core/path.c): RING copies it packed into the
 *      window's resident pages, BOUNCE into zeroed pages at a fixed
 *      offset (SKBREMAP_BOUNCE_OFFSET), REMAP records the skb's whole
 *      exclusive pages for the window's slots and copies only its head and tail (core/window.c
 *      places all three);
 *   4. publishes a window that is full, older than retire_usec, or asked
 *      for by STOP: vm_insert_pages of its data pages (bounce mode) or of
 *      its remapped skb pages (remap.c),
 *      info header, barriers, status READY, wake poll.
 *
 * When the mm is gone (process exited) or the windows part is unmapped,
 * nobody can see the region any more: everything queued or filled is
 * dropped and every window returned (__skbremap_purge).
 */
#include <linux/highmem.h>
#include <linux/if_vlan.h>
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>

#include "skbremap_mod.h"

static u64 skbremap_drops(struct skbremap_capture *cap)
{
	return atomic64_read(&cap->drop_queue_full) +
	       atomic64_read(&cap->drop_no_window) +
	       atomic64_read(&cap->drop_nomem) +
	       atomic64_read(&cap->drop_too_big) +
	       atomic64_read(&cap->drop_mem_limit);
}

static struct skbremap_win_ctl *skbremap_ctl_of(struct skbremap_capture *cap,
						struct skbremap_kwin *kw)
{
	return skbremap_win_ctl_at(cap->ctl, &cap->layout, kw->win.index);
}

/*
 * Must hold cap->lock. Returns a window's pages and skbs; not its PTEs.
 * Resident pages stay with the window until the region is freed.
 */
static void __skbremap_empty_window(struct skbremap_capture *cap,
				    struct skbremap_kwin *kw)
{
	struct sk_buff *skb;
	u32 i;

	for (i = 0; !skbremap_resident(cap) && i < kw->win.pages_used; i++) {
		skbremap_pool_put(cap, kw->pages[i]);
		kw->pages[i] = NULL;
	}
	if (skbremap_resident(cap))
		__skbremap_remap_clear(kw);
	while ((skb = __skb_dequeue(&kw->skbs)))
		consume_skb(skb);	/* destructor: skbs_held-- */
	kw->caplen_sum = 0;
	kw->wirelen_sum = 0;
	kw->copied = 0;
	kw->bounced = 0;
	kw->remapped = 0;
	kw->pages_remapped = 0;
}

/*
 * Must hold cap->lock. The FILLING window is dropped, not published; its
 * packets are counted in @reason.
 */
static void __skbremap_abandon(struct skbremap_capture *cap,
			       struct skbremap_kwin *kw, atomic64_t *reason)
{
	atomic64_add(kw->win.count, reason);
	__skbremap_empty_window(cap, kw);
	skbremap_win_abandon(&kw->win);
	cap->filling = NULL;
}

/*
 * Must hold cap->lock; the worker is not running or is the caller. Drops
 * the queue and the FILLING window, returns the USER windows: only when
 * no one can map or read the region any more (mm gone, windows part
 * unmapped, release()).
 */
void __skbremap_purge(struct skbremap_capture *cap)
{
	struct sk_buff_head batch;
	struct skbremap_kwin *kw;
	unsigned long flags;
	u32 i;

	lockdep_assert_held(&cap->lock);
	__skb_queue_head_init(&batch);
	spin_lock_irqsave(&cap->queue.lock, flags);
	skb_queue_splice_init(&cap->queue, &batch);
	spin_unlock_irqrestore(&cap->queue.lock, flags);
	atomic64_add(skb_queue_len(&batch), &cap->drop_no_window);
	__skb_queue_purge(&batch);

	/*
	 * What goes back below leaves every page table first: a VMA that a
	 * child inherited may still show it. Not a direct capture: it shows
	 * resident pages only, and its hook may be changing window states.
	 */
	for (i = 0; !cap->direct && cap->wins && i < cap->layout.windows; i++)
		if (cap->wins[i].win.state == SKBREMAP_WS_USER)
			__skbremap_unmap_window(cap, &cap->wins[i],
						cap->wins[i].win.pages_used);

	/* A direct hook may still be filling: the window side, whole. */
	spin_lock_bh(&cap->fill_lock);
	if (cap->filling)
		__skbremap_abandon(cap, cap->filling, &cap->drop_no_window);
	for (i = 0; cap->wins && i < cap->layout.windows; i++) {
		kw = &cap->wins[i];
		if (kw->win.state != SKBREMAP_WS_USER)
			continue;
		__skbremap_empty_window(cap, kw);
		skbremap_win_reclaim(&kw->win, skbremap_ctl_of(cap, kw));
		cap->ws.windows_user--;
	}
	skbremap_uq_clear(&cap->uq);
	spin_unlock_bh(&cap->fill_lock);
	cap->flush_req = false;
}

/*
 * FILLING -> USER once the window's pages are in the page tables: info
 * header, barriers, status READY. The caller wakes poll. Must hold the
 * window side (skbremap_mod.h: cap->lock, and cap->fill_lock for a direct
 * capture; the direct hook holds fill_lock alone).
 */
static void __skbremap_publish_info(struct skbremap_capture *cap,
				    struct skbremap_kwin *kw, u32 flags)
{
	u64 drops;

	drops = skbremap_drops(cap);
	skbremap_info_finish(kw->info, &kw->win, ++cap->seq,
			     drops - cap->drops_reported, flags);
	cap->drops_reported = drops;
	/* User space reads the info pages through another alias. */
	flush_kernel_vmap_range(kw->info, skbremap_info_bytes(cap));
	/* Info and data pages before seq/status (release in the core). */
	smp_wmb();
	skbremap_win_publish(&kw->win, cap->seq, skbremap_ctl_of(cap, kw));
	/* Cannot fail: at most every window is USER. */
	WARN_ON_ONCE(skbremap_uq_push(&cap->uq, kw->win.index));

	cap->ws.captured += kw->win.count;
	cap->ws.captured_bytes += kw->caplen_sum;
	cap->ws.wire_bytes += kw->wirelen_sum;
	cap->ws.copied += kw->copied;
	cap->ws.bounced += kw->bounced;
	cap->ws.remapped += kw->remapped;
	cap->ws.pages_remapped += kw->pages_remapped;
	cap->ws.windows_published++;
	if (flags & SKBREMAP_INFO_RETIRED)
		cap->ws.windows_retired++;
	cap->ws.windows_user++;
	cap->filling = NULL;
}

/*
 * Must hold mmap_lock and cap->lock (and fill_lock for a direct capture).
 * FILLING -> USER, or dropped. A direct capture's window shows only its
 * resident pages, which are in the page tables since mmap: nothing to
 * insert, so nothing that sleeps.
 */
static void __skbremap_publish(struct skbremap_capture *cap,
			       struct vm_area_struct *vma,
			       struct skbremap_kwin *kw, u32 flags)
{
	if (cap->direct) {
		WARN_ON_ONCE(kw->remap_lo != kw->remap_hi ||
			     kw->hole_lo != kw->hole_hi);
	} else if (__skbremap_insert_window(cap, vma, kw)) {
		/* No page tables for it: its packets are lost, not shown. */
		__skbremap_abandon(cap, kw, &cap->drop_nomem);
		return;
	}
	cap->ws.pages_mapped += kw->win.pages_used;
	__skbremap_publish_info(cap, kw, flags);
	wake_up_interruptible(&cap->poll_wait);
}

/* Must hold the window side. A window of the user queue goes back. */
static void __skbremap_reclaim(struct skbremap_capture *cap,
			       struct vm_area_struct *vma,
			       struct skbremap_kwin *kw)
{
	if (vma)
		__skbremap_unmap_window(cap, kw, kw->win.pages_used);
	__skbremap_empty_window(cap, kw);
	skbremap_win_reclaim(&kw->win, skbremap_ctl_of(cap, kw));
	cap->ws.windows_released++;
	cap->ws.windows_user--;
}

/* Must hold the window side. Whether a window could be opened. */
static bool __skbremap_any_free(struct skbremap_capture *cap)
{
	/* FILLING is cap->filling alone (__skbremap_check). */
	return cap->ws.windows_user + !!cap->filling < cap->layout.windows;
}

/*
 * Must hold the window side. Worker capture: mmap_lock and cap->lock, the
 * released windows' remapped (or, bounce mode, all) slots are unmapped.
 * Direct capture (@vma NULL): fill_lock; no slot of its shows anything
 * but a resident page, so there is nothing to unmap (and no sleeping).
 *
 * The user queue's head first: O(released + 1) for a consumer that
 * releases oldest first. Every USER window's status is read, for those
 * released out of order (their skbs and pages must not wait for the
 * oldest), at most once a jiffy (cap->uq_scanned): under overload the hook
 * meets a full region on every packet, and a consumer that releases in
 * order gains nothing from the whole read.
 */
static void __skbremap_take_back(struct skbremap_capture *cap,
				 struct vm_area_struct *vma)
{
	struct skbremap_kwin *kw;
	u32 i;

	lockdep_assert(lockdep_is_held(&cap->lock) ||
		       lockdep_is_held(&cap->fill_lock));
	while (cap->uq.len) {
		kw = &cap->wins[skbremap_uq_at(&cap->uq, 0)];
		/* The status word is hostile; the core decides. */
		if (!skbremap_win_released(&kw->win, skbremap_ctl_of(cap, kw),
					   &cap->ws.bad_release))
			break;
		skbremap_uq_pop(&cap->uq);
		__skbremap_reclaim(cap, vma, kw);
	}
	if (!time_after(jiffies, cap->uq_scanned))
		return;
	cap->uq_scanned = jiffies;
	for (i = 1; i < cap->uq.len;) {
		kw = &cap->wins[skbremap_uq_at(&cap->uq, i)];
		if (!skbremap_win_released(&kw->win, skbremap_ctl_of(cap, kw),
					   &cap->ws.bad_release)) {
			i++;
			continue;
		}
		skbremap_uq_remove_at(&cap->uq, i);
		__skbremap_reclaim(cap, vma, kw);
	}
}

/*
 * Must hold cap->lock and cap->fill_lock; a direct capture only (nothing
 * to unmap). Poll's take-back, without a worker pass.
 */
void __skbremap_direct_take_back(struct skbremap_capture *cap)
{
	lockdep_assert_held(&cap->lock);
	lockdep_assert_held(&cap->fill_lock);
	if (!WARN_ON_ONCE(!cap->direct))
		__skbremap_take_back(cap, NULL);
}

/* Must hold the window side. Opens the next FREE window, round-robin. */
static struct skbremap_kwin *__skbremap_open(struct skbremap_capture *cap)
{
	struct skbremap_kwin *kw;
	u32 i, n = cap->layout.windows;

	for (i = 0; i < n; i++) {
		kw = &cap->wins[(cap->next_win + i) % n];
		if (skbremap_win_open(&kw->win))
			continue;
		cap->next_win = (kw->win.index + 1) % n;
		/*
		 * The header only: entries past the count it will give are
		 * old ones of this capture, which user space has seen already
		 * (clearing the whole area would cost a page per ~85 entries).
		 */
		skbremap_info_begin(kw->info, kw->win.index);
		kw->fill_start = jiffies;
		cap->filling = kw;
		return kw;
	}
	return NULL;
}

/*
 * Room in @w for a packet of @len bytes: RING packs it after the previous
 * ring packet (the core chooses *offset), the others start it at *offset
 * of fresh pages.
 */
static int skbremap_try_place(struct skbremap_win *w, u32 path, u32 *offset,
			      u32 len, u32 *page, u32 *entry)
{
	if (path == SKBREMAP_PATH_RING)
		return skbremap_win_place_packed(w, len, PAGE_SIZE, page,
						 offset, entry);
	return skbremap_win_place(w, *offset, len, PAGE_SIZE, page, entry);
}

/*
 * Must hold mmap_lock and cap->lock. A window with room for a packet of
 * @len bytes on @path, publishing the FILLING one when it is full.
 * Returns NULL when every window is with user space.
 */
static struct skbremap_kwin *__skbremap_place(struct skbremap_capture *cap,
					      struct vm_area_struct *vma,
					      u32 path, u32 *offset, u32 len,
					      u32 *page, u32 *entry)
{
	struct skbremap_kwin *kw = cap->filling;

	if (kw && !skbremap_try_place(&kw->win, path, offset, len, page,
				      entry))
		return kw;
	if (kw)
		__skbremap_publish(cap, vma, kw, 0);
	kw = __skbremap_open(cap);
	if (!kw)
		return NULL;
	/* Cannot fail: the caller checked skbremap_win_fits_empty(). */
	if (WARN_ON_ONCE(skbremap_try_place(&kw->win, path, offset, len, page,
					    entry))) {
		skbremap_win_abandon(&kw->win);
		cap->filling = NULL;
		return NULL;
	}
	return kw;
}

/*
 * Copies @len bytes of @skb from byte @from to @pages starting at @offset
 * of pages[0].
 */
static int skbremap_bounce(const struct sk_buff *skb, u32 from,
			   struct page **pages, u32 offset, u32 len)
{
	u32 done = 0, chunk;
	int err;

	while (done < len) {
		chunk = min_t(u32, len - done, PAGE_SIZE - offset);
		err = skb_copy_bits(skb, from + done,
				    page_address(*pages) + offset, chunk);
		if (err)
			return err;
		flush_dcache_page(*pages);
		done += chunk;
		offset = 0;
		pages++;
	}
	return 0;
}

/*
 * Resident bounce: the window's own pages are reused (they only ever held
 * this capture's packets), so what the packet leaves of its first and
 * last page is zeroed: the page shows this packet and zeros, as a fresh
 * bounce page would.
 */
static void skbremap_zero_around(struct page **pages, u32 offset, u32 len)
{
	u32 end = offset + len, last = (end - 1) >> PAGE_SHIFT;

	memset(page_address(pages[0]), 0, offset);
	if (offset_in_page(end))
		memset(page_address(pages[last]) + offset_in_page(end), 0,
		       PAGE_SIZE - offset_in_page(end));
}

/*
 * Must hold cap->lock. Lays out a REMAP packet placed at slot @page,
 * @offset, as @plan says (core/path.c): its head copied into the window's
 * own pages so that it ends at a page boundary, its whole exclusive skb
 * pages recorded for the slots after it (inserted at publish), its tail
 * copied from the start of the next own page; in the window the packet
 * is contiguous, as a bounced one is. Around head and tail: zeros.
 */
static void __skbremap_remap_fill(struct skbremap_kwin *kw,
				  struct sk_buff *skb,
				  const struct skbremap_remap_plan *plan,
				  u32 page, u32 offset)
{
	const struct skb_shared_info *sh = skb_shinfo(skb);
	u32 run = page + ((offset + plan->head) >> PAGE_SHIFT), i;

	if (plan->head) {
		memset(page_address(kw->pages[page]), 0, offset);
		/* Cannot fail: the plan lies within skb->len. */
		WARN_ON_ONCE(skbremap_bounce(skb, 0, &kw->pages[page], offset,
					     plan->head));
	}
	for (i = 0; i < plan->pages; i++)
		kw->remap[run + i] = skb_frag_page(&sh->frags[plan->first - 1 +
							       i]);
	if (kw->remap_lo == kw->remap_hi)
		kw->remap_lo = run;
	kw->remap_hi = run + plan->pages;
	if (plan->tail) {
		i = run + plan->pages;
		skbremap_zero_around(&kw->pages[i], 0, plan->tail);
		WARN_ON_ONCE(skbremap_bounce(skb, plan->head +
					     (plan->pages << PAGE_SHIFT),
					     &kw->pages[i], 0, plan->tail));
	}
}

/* The bytes of a @len-byte packet a window shows: snaplen and filter verdict. */
static u32 skbremap_caplen(const struct skbremap_capture *cap, u32 len,
			   u32 snap)
{
	if (cap->cfg.snaplen && len > cap->cfg.snaplen)
		len = cap->cfg.snaplen;
	return min(len, snap);
}

/* No room for another packet: publish it. */
static bool skbremap_kwin_full(const struct skbremap_kwin *kw)
{
	return kw->win.count == kw->win.entries_max ||
	       kw->win.pages_used == kw->win.pages_max;
}

/* The info entry of a placed packet. */
static void skbremap_entry_fill(struct skbremap_info_entry *e,
				const struct sk_buff *skb,
				const struct skbremap_skb_cb *cb, u32 path,
				u32 page, u32 offset, u32 caplen)
{
	memset(e, 0, sizeof(*e));
	e->page = page;
	e->offset = offset;
	e->caplen = caplen;
	e->wirelen = skb->len;
	e->tstamp_ns = cb->tstamp_ns;
	e->ifindex = cb->ifindex;
	e->protocol = (__force u16)skb->protocol;
	e->pkttype = cb->pkttype;
	e->path = path;
	if (skb_vlan_tag_present(skb)) {
		e->flags |= SKBREMAP_PKT_VLAN;
		e->vlan_tci = skb_vlan_tag_get(skb);
		e->vlan_proto = (__force u16)skb->vlan_proto;
	}
	if (caplen < skb->len)
		e->flags |= SKBREMAP_PKT_TRUNCATED;
}

/*
 * Must hold mmap_lock and cap->lock. Consumes @skb: placed or dropped.
 *
 * The path is the core's choice (skbremap_path_choose): RING copies the
 * packet packed into the window's resident pages, BOUNCE copies it at
 * SKBREMAP_BOUNCE_OFFSET into fresh pool pages (bounce mode) or the
 * window's resident ones (remap, adaptive); both free the skb at once
 * (its bytes are in the window: holding it would only pin memory).
 * REMAP (only for a packet skbremap_skb_plan() finds whole exclusive
 * pages in) shows those pages themselves and keeps the skb, and with it
 * them, until the window's release (the deferred free). Fresh bounce
 * pages count against the memory bound (drop_mem_limit).
 */
static void __skbremap_capture_skb(struct skbremap_capture *cap,
				   struct vm_area_struct *vma,
				   struct sk_buff *skb)
{
	u32 ppw = cap->layout.pages_per_window;
	u32 offset = SKBREMAP_BOUNCE_OFFSET;
	u32 wirelen = skb->len, caplen;
	struct skbremap_remap_plan plan;
	struct skbremap_info_entry e;
	struct skbremap_kwin *kw;
	u32 npages = 0, page, entry, i = 0, path, roff = 0;
	bool eligible = false;

	caplen = skbremap_caplen(cap, wirelen, SKBREMAP_SKB_CB(skb)->snap);
	/*
	 * Only where REMAP could be chosen: remap mode, or adaptive at or
	 * above the threshold. A plan no empty window could take is no plan.
	 */
	if (cap->mode == SKBREMAP_MODE_REMAP ||
	    (cap->mode == SKBREMAP_MODE_ADAPTIVE &&
	     caplen >= cap->copy_threshold)) {
		if (skbremap_skb_plan(skb, caplen, &plan)) {
			roff = offset_in_page(PAGE_SIZE -
					      offset_in_page(plan.head));
			eligible = skbremap_win_fits_empty(ppw, roff, caplen,
							   PAGE_SIZE);
		}
	}
	path = skbremap_path_choose(cap->mode, caplen, cap->copy_threshold,
				    eligible);
	if (path == SKBREMAP_PATH_RING)
		offset = 0;	/* worst case: an empty window, from its start */
	else if (path == SKBREMAP_PATH_REMAP)
		offset = roff;	/* the head ends at a page boundary */
	/* Also a 0-byte skb: it has nothing a window could show. */
	if (!skbremap_win_fits_empty(ppw, offset, caplen, PAGE_SIZE)) {
		atomic64_inc(&cap->drop_too_big);
		goto drop;
	}
	/* Do not copy what no window can take. */
	if (!cap->filling && !__skbremap_any_free(cap)) {
		atomic64_inc(&cap->drop_no_window);
		goto drop;
	}

	if (!skbremap_resident(cap)) {
		/* Fresh zeroed pages, filled before any window is touched. */
		npages = DIV_ROUND_UP(offset + caplen, PAGE_SIZE);
		/* The skb goes once copied: only its pages stay held. */
		if (skbremap_held_bytes(cap) - SKBREMAP_SKB_CB(skb)->truesize +
		    ((u64)npages << PAGE_SHIFT) > READ_ONCE(cap->held_limit)) {
			atomic64_inc(&cap->drop_mem_limit);
			goto drop;
		}
		for (i = 0; i < npages; i++) {
			cap->scratch[i] = skbremap_pool_get(cap);
			if (!cap->scratch[i])
				goto nomem;
		}
		if (skbremap_bounce(skb, 0, cap->scratch, offset, caplen))
			goto nomem;	/* cannot happen: caplen <= skb->len */
	}

	kw = __skbremap_place(cap, vma, path, &offset, caplen, &page, &entry);
	if (!kw) {
		atomic64_inc(&cap->drop_no_window);
		goto put_pages;
	}
	if (npages) {
		memcpy(&kw->pages[page], cap->scratch,
		       npages * sizeof(*kw->pages));
	} else if (path == SKBREMAP_PATH_REMAP) {
		__skbremap_remap_fill(kw, skb, &plan, page, offset);
	} else {
		if (path == SKBREMAP_PATH_BOUNCE)
			skbremap_zero_around(&kw->pages[page], offset, caplen);
		/* Cannot fail: caplen <= skb->len. */
		WARN_ON_ONCE(skbremap_bounce(skb, 0, &kw->pages[page], offset,
					     caplen));
	}

	skbremap_entry_fill(&e, skb, SKBREMAP_SKB_CB(skb), path, page, offset,
			    caplen);
	skbremap_info_put(kw->info, entry, &e);
	kw->caplen_sum += caplen;
	kw->wirelen_sum += wirelen;
	if (path == SKBREMAP_PATH_REMAP) {
		kw->remapped++;
		kw->pages_remapped += plan.pages;
		/* Freed on release: a REMAP skb holds the pages it shows. */
		__skb_queue_tail(&kw->skbs, skb);
	} else {
		if (path == SKBREMAP_PATH_RING)
			kw->copied++;
		else
			kw->bounced++;
		consume_skb(skb);	/* destructor: skbs_held-- */
	}

	if (skbremap_kwin_full(kw))
		__skbremap_publish(cap, vma, kw, 0);
	return;

nomem:
	atomic64_inc(&cap->drop_nomem);
put_pages:
	while (i--)
		skbremap_pool_put(cap, cap->scratch[i]);
drop:
	kfree_skb(skb);
}

/*
 * Must hold cap->lock, at the first START (cap->path_set). Whether the
 * hook may fill (the direct path below): ring mode, or adaptive whose
 * threshold no packet a window can hold reaches (the calibration found
 * remapping never cheaper, as under TCG), so that every packet takes the
 * RING path; and the direct_copy parameter allows it.
 */
bool skbremap_direct_ok(const struct skbremap_capture *cap)
{
	u64 window = (u64)cap->layout.pages_per_window << PAGE_SHIFT;

	lockdep_assert_held(&cap->lock);
	if (!READ_ONCE(skbremap_direct_param))
		return false;
	return cap->mode == SKBREMAP_MODE_RING ||
	       (cap->mode == SKBREMAP_MODE_ADAPTIVE &&
		cap->copy_threshold > window);
}

/*
 * The direct path, in the hook (softirq, or BH disabled; never sleeps).
 * A direct capture (skbremap_direct_ok(): every packet takes the RING
 * path, so no slot ever shows an skb page and publishing changes no page
 * table) needs neither clone, queue nor worker pass per packet: like
 * tpacket_rcv() for AF_PACKET, the hook copies the packet from the
 * stack's skb into the FILLING window and publishes a full one, all under
 * cap->fill_lock. @skb shows the frame from its link-layer header (the
 * hook pushed it); @meta is what the worker path keeps in the clone's cb.
 * Returns true when a window was published: the caller wakes poll, after
 * the lock.
 */
static bool __skbremap_direct_put(struct skbremap_capture *cap,
				  const struct sk_buff *skb,
				  const struct skbremap_skb_cb *meta, u32 caplen,
				  bool *opened)
{
	struct skbremap_info_entry e;
	struct skbremap_kwin *kw = cap->filling;
	u32 page, offset, entry;
	bool published = false;

	lockdep_assert_held(&cap->fill_lock);
	if (!kw || skbremap_win_place_packed(&kw->win, caplen, PAGE_SIZE,
					     &page, &offset, &entry)) {
		if (kw) {
			__skbremap_publish_info(cap, kw, 0);
			published = true;
		}
		kw = __skbremap_open(cap);
		if (!kw) {
			/*
			 * Only now scan for windows user space gave back: a
			 * scan per window opened would cost the hook a status
			 * read of every window (poll() takes them back
			 * meanwhile anyway).
			 */
			__skbremap_take_back(cap, NULL);
			kw = __skbremap_open(cap);
		}
		if (!kw) {
			atomic64_inc(&cap->drop_no_window);
			return published;
		}
		*opened = true;
		/* Cannot fail: the caller checked skbremap_win_fits_empty(). */
		if (WARN_ON_ONCE(skbremap_win_place_packed(&kw->win, caplen,
							   PAGE_SIZE, &page,
							   &offset, &entry))) {
			skbremap_win_abandon(&kw->win);
			cap->filling = NULL;
			atomic64_inc(&cap->drop_too_big);
			return published;
		}
	}
	/* Cannot fail: caplen <= skb->len. */
	WARN_ON_ONCE(skbremap_bounce(skb, 0, &kw->pages[page], offset,
				     caplen));
	skbremap_entry_fill(&e, skb, meta, SKBREMAP_PATH_RING, page, offset,
			    caplen);
	skbremap_info_put(kw->info, entry, &e);
	kw->caplen_sum += caplen;
	kw->wirelen_sum += skb->len;
	kw->copied++;
	if (skbremap_kwin_full(kw)) {
		__skbremap_publish_info(cap, kw, 0);
		published = true;
	}
	return published;
}

void skbremap_direct_rcv(struct skbremap_capture *cap,
			 const struct sk_buff *skb,
			 const struct skbremap_skb_cb *meta)
{
	u32 caplen = skbremap_caplen(cap, skb->len, meta->snap);
	bool opened = false, wake;

	/* Also a 0-byte skb: it has nothing a window could show. */
	if (!skbremap_win_fits_empty(cap->layout.pages_per_window, 0, caplen,
				     PAGE_SIZE)) {
		atomic64_inc(&cap->drop_too_big);
		return;
	}
	/* Windows part unmapped, or its process gone: nobody would see it. */
	if (!atomic_read(&cap->win_vmas)) {
		atomic64_inc(&cap->drop_no_window);
		return;
	}

	spin_lock(&cap->fill_lock);
	wake = __skbremap_direct_put(cap, skb, meta, caplen, &opened);
	spin_unlock(&cap->fill_lock);

	/* The retire timeout of the window just opened (the worker decides). */
	if (opened)
		queue_delayed_work(skbremap_wq, &cap->retire,
				   usecs_to_jiffies(cap->cfg.retire_usec));
	if (wake)
		wake_up_interruptible(&cap->poll_wait);
}

/* Must hold mmap_lock and cap->lock. */
static void __skbremap_fill(struct skbremap_capture *cap,
			    struct vm_area_struct *vma)
{
	struct sk_buff_head batch;
	struct sk_buff *skb;
	unsigned long flags;

	__skb_queue_head_init(&batch);
	spin_lock_irqsave(&cap->queue.lock, flags);
	skb_queue_splice_init(&cap->queue, &batch);
	spin_unlock_irqrestore(&cap->queue.lock, flags);

	while ((skb = __skb_dequeue(&batch))) {
		__skbremap_capture_skb(cap, vma, skb);
		cond_resched();
	}
}

/* Must hold mmap_lock and cap->lock. Retire or flush the FILLING window. */
static void __skbremap_retire(struct skbremap_capture *cap,
			      struct vm_area_struct *vma)
{
	struct skbremap_kwin *kw = cap->filling;
	unsigned long due;

	if (!kw)
		return;
	if (cap->flush_req) {
		__skbremap_publish(cap, vma, kw, SKBREMAP_INFO_FLUSH);
		return;
	}
	due = kw->fill_start + usecs_to_jiffies(cap->cfg.retire_usec);
	if (time_after_eq(jiffies, due))
		__skbremap_publish(cap, vma, kw, SKBREMAP_INFO_RETIRED);
	else if (!cap->closing)
		queue_delayed_work(skbremap_wq, &cap->retire, due - jiffies);
}

#ifdef SKBREMAP_DEBUG
/*
 * Must hold cap->lock, between packets (make debug), and takes fill_lock
 * (a direct hook may be filling). Every pool page is an
 * info page or a data page of a FILLING/USER window; every skb of a window
 * is counted in skbs_held (the hook may be adding more meanwhile).
 */
static void __skbremap_check(struct skbremap_capture *cap)
{
	u64 pages = 0, skbs = 0;
	u32 i, filling = 0;

	lockdep_assert_held(&cap->lock);
	spin_lock_bh(&cap->fill_lock);
	for (i = 0; cap->wins && i < cap->layout.windows; i++) {
		const struct skbremap_kwin *kw = &cap->wins[i];

		pages += 1 + (skbremap_resident(cap) ? kw->win.pages_max :
					       kw->win.pages_used);
		skbs += skb_queue_len(&kw->skbs);
		/* Ring packets' skbs are freed at once. */
		WARN_ON_ONCE(skb_queue_len(&kw->skbs) > kw->win.count);
		WARN_ON_ONCE(kw->win.state == SKBREMAP_WS_FREE &&
			     kw->win.count);
		if (kw->win.state == SKBREMAP_WS_FILLING) {
			filling++;
			WARN_ON_ONCE(kw != cap->filling);
		}
	}
	WARN_ON_ONCE(filling > 1 || (!filling && cap->filling));
	spin_unlock_bh(&cap->fill_lock);
	WARN_ONCE(pages != atomic64_read(&cap->pages_held),
		  "capture %u: %llu pages in windows, %lld held\n", cap->id,
		  pages, (s64)atomic64_read(&cap->pages_held));
	WARN_ON_ONCE(skbs > atomic64_read(&cap->skbs_held));
}
#else
static void __skbremap_check(struct skbremap_capture *cap)
{
}
#endif

void skbremap_worker(struct work_struct *work)
{
	struct skbremap_capture *cap =
		container_of(work, struct skbremap_capture, work);
	struct mm_struct *mm = READ_ONCE(cap->mm);
	struct vm_area_struct *vma;
	bool have_mm = mm && mmget_not_zero(mm);

	if (have_mm)
		mmap_read_lock(mm);
	mutex_lock(&cap->lock);
	/* Not mapped yet, unmapped, or the process is gone: no one sees it. */
	if (!have_mm || !cap->wins || !atomic_read(&cap->win_vmas))
		goto purge;
	vma = __skbremap_find_win_vma(cap, mm);
	if (!vma) {
		pr_warn_ratelimited("capture %u: windows VMA not found\n",
				    cap->id);
		goto purge;
	}

	if (cap->direct) {
		/* The hook fills; here only take-back, retire and flush. */
		spin_lock_bh(&cap->fill_lock);
		__skbremap_take_back(cap, NULL);
		__skbremap_retire(cap, vma);
		spin_unlock_bh(&cap->fill_lock);
	} else {
		__skbremap_take_back(cap, vma);
		__skbremap_fill(cap, vma);
		__skbremap_retire(cap, vma);
	}
	/*
	 * Anything the hook queued meanwhile has queued this work again
	 * (PENDING is cleared before a work item runs).
	 */
	cap->flush_req = false;
	goto unlock;
purge:
	__skbremap_purge(cap);
unlock:
	__skbremap_check(cap);
	mutex_unlock(&cap->lock);
	if (have_mm) {
		mmap_read_unlock(mm);
		mmput(mm);
	}
}

/* The retire timeout: just run the worker, which decides. */
void skbremap_retire_timer(struct work_struct *work)
{
	struct skbremap_capture *cap =
		container_of(to_delayed_work(work), struct skbremap_capture,
			     retire);

	queue_work(skbremap_wq, &cap->work);
}
