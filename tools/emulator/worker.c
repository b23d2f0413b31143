// SPDX-License-Identifier: GPL-2.0
/*
 * The worker thread: the emulator's workqueue. It takes queued packets in
 * batches and builds windows with the shared core (kernel/core/window.c):
 *
 *   take a FREE window (after taking back the ones user space RELEASED),
 *   skbremap_win_place() each packet on fresh pages, bounce-copy it at
 *   EMU_BOUNCE_OFFSET into the window's zeroed data pages, write its info
 *   entry; publish when the window is full, when the retire timeout passes
 *   since its first packet (SKBREMAP_INFO_RETIRED), when a finite source
 *   ends, or at STOP (SKBREMAP_INFO_FLUSH).
 *
 * Publishing = info header, remap of the data pages into the consumer's
 * view (region.c), then the core's release store of READY.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <time.h>

#include "emu_internal.h"

#define EMU_BATCH		64
#define EMU_WAIT_WINDOW_NS	1000000ULL	/* rescan of status words */

u64 emu_drops_total(struct skbremap_emu *e)
{
	u64 d;

	pthread_mutex_lock(&e->q.lock);
	d = e->q.drop_queue_full + e->q.drop_nomem;
	pthread_mutex_unlock(&e->q.lock);
	return d + e->st.drop_no_window + e->st.drop_nomem +
	       e->st.drop_too_big;
}

/*
 * The window's pages after a zap: pool pages counted for BOUNCE, remapped
 * skb pages back to the skb page pool. Must hold e->lock.
 */
static void window_pages_return(struct skbremap_emu *e, struct emu_win *w)
{
	u32 j;

	if (!emu_resident(e))
		e->st.pages_held -= w->core.pages_used;
	if (w->remapped_pages) {
		for (j = 0; j < w->core.pages_used; j++) {
			if (w->slot_page[j] == EMU_NO_PAGE)
				continue;
			emu_skbpool_put(e->pool, &w->slot_page[j], 1);
			w->slot_page[j] = EMU_NO_PAGE;
		}
		w->remapped_pages = 0;
	}
	w->captured_bytes = w->wire_bytes = 0;
}

/* Must hold e->lock. */
static void window_reclaim(struct skbremap_emu *e, struct emu_win *w)
{
	u32 i = w->core.index;

	emu_region_zap(e, i);
	e->st.windows_released++;
	e->st.windows_user--;
	WRITE_ONCE(e->user_windows, (u32)e->st.windows_user);
	e->st.skbs_freed += w->core.packets;
	e->st.skbs_held -= w->core.packets;
	window_pages_return(e, w);
	skbremap_win_reclaim(&w->core, emu_win_ctl(e, i));
}

/* The module reads its whole user queue at most once a jiffy (HZ 250). */
#define EMU_UQ_SCAN_NS	4000000ull

/*
 * Take back the windows user space has RELEASED. Must hold e->lock. The
 * user queue's head first (O(released + 1) for a consumer that releases
 * oldest first); every USER window, for those released out of order, at
 * most every EMU_UQ_SCAN_NS, as the module does.
 */
void emu_reclaim_released(struct skbremap_emu *e)
{
	u64 now = emu_now_ns(CLOCK_MONOTONIC);
	bool any = false;
	u32 i;

	if (!e->wins)
		return;
	while (e->uq.len) {
		struct emu_win *w = &e->wins[skbremap_uq_at(&e->uq, 0)];

		if (!skbremap_win_released(&w->core,
					   emu_win_ctl(e, w->core.index),
					   &e->st.bad_release))
			break;
		skbremap_uq_pop(&e->uq);
		window_reclaim(e, w);
		any = true;
	}
	if (now - e->uq_scanned_ns < EMU_UQ_SCAN_NS)
		goto out;
	e->uq_scanned_ns = now;
	for (i = 1; i < e->uq.len;) {
		struct emu_win *w = &e->wins[skbremap_uq_at(&e->uq, i)];

		if (!skbremap_win_released(&w->core,
					   emu_win_ctl(e, w->core.index),
					   &e->st.bad_release)) {
			i++;
			continue;
		}
		skbremap_uq_remove_at(&e->uq, i);
		window_reclaim(e, w);
		any = true;
	}
out:
	if (any)
		pthread_cond_broadcast(&e->win_free);
}

/*
 * Whether a USER window's status word says READY: oldest first, up to the
 * first READY one (after emu_reclaim_released the head is READY unless user
 * space scribbled on it). Must hold e->lock.
 */
bool emu_any_ready(struct skbremap_emu *e)
{
	u32 i;

	if (!e->wins)
		return false;
	for (i = 0; i < e->uq.len; i++) {
		struct skbremap_win_ctl *ctl =
			emu_win_ctl(e, skbremap_uq_at(&e->uq, i));

		/* Acquire, as a consumer reads it (pairs with the publish). */
		if (smp_load_acquire(&ctl->status) == SKBREMAP_WIN_READY)
			return true;
	}
	return false;
}

/*
 * Teardown with the worker stopped: the filling window is abandoned and
 * every window user space holds is taken back, whatever its status word
 * says. Must hold e->lock (or own e exclusively).
 */
void emu_windows_drop_all(struct skbremap_emu *e)
{
	u32 i;

	for (i = 0; i < e->layout.windows; i++) {
		struct emu_win *w = &e->wins[i];

		if (w->core.state == SKBREMAP_WS_USER) {
			window_reclaim(e, w);
		} else if (w->core.state == SKBREMAP_WS_FILLING) {
			/* Only after the worker flushed; kept for safety. */
			emu_region_zap(e, i);
			e->st.drop_nomem += w->core.packets;
			window_pages_return(e, w);
			skbremap_win_abandon(&w->core);
		}
	}
	e->filling = -1;
	skbremap_uq_clear(&e->uq);
}

/* FILLING -> USER. Must hold e->lock; the worker's filling window. */
static void window_publish(struct skbremap_emu *e, u32 flags)
{
	struct emu_win *w = &e->wins[e->filling];
	u32 i = w->core.index;
	u64 drops = emu_drops_total(e);
	int err;

	e->filling = -1;
	err = emu_region_show(e, i);
	if (err) {
		/* Could not remap: its packets are lost for lack of memory. */
		emu_region_zap(e, i);
		e->st.drop_nomem += w->core.packets;
		window_pages_return(e, w);
		skbremap_win_abandon(&w->core);
		return;
	}
	e->seq++;
	skbremap_info_finish(emu_info_page(e, i), &w->core, e->seq,
			     drops - e->drops_published, flags);
	e->drops_published = drops;
	/* Data and info page before seq and status (the module's order). */
	smp_wmb();
	skbremap_win_publish(&w->core, e->seq, emu_win_ctl(e, i));
	/* Cannot fail: at most every window is USER. */
	(void)skbremap_uq_push(&e->uq, i);

	e->st.captured += w->core.packets;
	e->st.captured_bytes += w->captured_bytes;
	e->st.wire_bytes += w->wire_bytes;
	e->st.windows_published++;
	if (flags & SKBREMAP_INFO_RETIRED)
		e->st.windows_retired++;
	e->st.windows_user++;
	WRITE_ONCE(e->user_windows, (u32)e->st.windows_user);
	e->st.skbs_held += w->core.packets;	/* + in_flight: emu_stats_snapshot */
	e->st.pages_mapped += w->core.pages_used;
	pthread_cond_broadcast(&e->poll_wait);
}

static bool worker_stopping(struct skbremap_emu *e)
{
	bool stop;

	pthread_mutex_lock(&e->q.lock);
	stop = e->q.stop;
	pthread_mutex_unlock(&e->q.lock);
	return stop;
}

/*
 * Open a FREE window for filling, the next one in ring order. With
 * backpressure, wait for user space to release one (until STOP). Must hold
 * e->lock. Returns false when there is none: drop_no_window.
 */
static bool window_get(struct skbremap_emu *e)
{
	u32 n = e->layout.windows;
	u32 k;

	for (;;) {
		emu_reclaim_released(e);
		for (k = 0; k < n; k++) {
			u32 i = (e->cursor + k) % n;

			if (!skbremap_win_open(&e->wins[i].core)) {
				e->filling = i;
				e->cursor = (i + 1) % n;
				return true;
			}
		}
		if (!e->q.backpressure || worker_stopping(e))
			return false;
		emu_cond_wait_until(&e->win_free, &e->lock,
				    emu_now_ns(CLOCK_MONOTONIC) +
				    EMU_WAIT_WINDOW_NS);
	}
}

static bool window_full(const struct skbremap_win *w)
{
	return w->count >= w->entries_max || w->pages_used >= w->pages_max;
}

/* The entry fields every path fills the same way. */
static void entry_fill(struct skbremap_info_entry *ent,
		       const struct emu_pkt *p, u32 path)
{
	memset(ent, 0, sizeof(*ent));
	ent->caplen = p->caplen;
	ent->wirelen = p->wirelen;
	ent->tstamp_ns = p->tstamp_ns;
	ent->ifindex = p->ifindex;
	ent->protocol = p->protocol;
	ent->pkttype = p->pkttype;
	ent->path = (u8)path;
	if (p->flags & SKBREMAP_PKT_VLAN) {
		ent->flags |= SKBREMAP_PKT_VLAN;
		ent->vlan_tci = p->vlan_tci;
		ent->vlan_proto = p->vlan_proto;
	}
	if (p->caplen < p->wirelen)
		ent->flags |= SKBREMAP_PKT_TRUNCATED;
}

/*
 * Make sure a window is filling, placing with @try until it fits (a full
 * window is published and the next one opened). Must hold e->lock.
 * Returns the window, or NULL: drop_no_window counted.
 */
static struct emu_win *filling_window(struct skbremap_emu *e)
{
	if (e->filling < 0) {
		if (!window_get(e)) {
			e->st.drop_no_window++;
			return NULL;
		}
		e->retire_at_ns = emu_now_ns(CLOCK_MONOTONIC) +
				  (u64)e->cfg.retire_usec * 1000;
	}
	return &e->wins[e->filling];
}

static void entry_write(struct skbremap_emu *e, struct emu_win *w, u32 slot,
			const struct skbremap_info_entry *ent,
			const struct emu_pkt *p)
{
	if (slot == 0)
		skbremap_info_begin(emu_info_page(e, w->core.index),
				    w->core.index);
	skbremap_info_put(emu_info_page(e, w->core.index), slot, ent);
	w->captured_bytes += p->caplen;
	w->wire_bytes += p->wirelen;
}

/*
 * BOUNCE: fresh pool pages of the window, the packet at EMU_BOUNCE_OFFSET,
 * everything else in those pages zeroed (pool pages are reused): user
 * space sees this packet's bytes and zeros, nothing else.
 */
static bool place_bounce(struct skbremap_emu *e, const struct emu_pkt *p)
{
	u32 ps = e->page_size;
	struct skbremap_info_entry ent;
	struct emu_win *w;
	u32 page, slot;
	u8 *data;
	u64 end;
	int err;

	for (;;) {
		w = filling_window(e);
		if (!w)
			return false;
		err = skbremap_win_place(&w->core, EMU_BOUNCE_OFFSET,
					 p->caplen, ps, &page, &slot);
		if (err != -ENOSPC)
			break;
		window_publish(e, 0);
	}
	if (err) {		/* cannot happen after fits_empty */
		e->st.drop_too_big++;
		return false;
	}
	data = emu_data_page(e, w->core.index, page);
	end = (u64)(w->core.pages_used - page) * ps;
	memset(data, 0, EMU_BOUNCE_OFFSET);
	emu_pkt_copy(p, ps, 0, data + EMU_BOUNCE_OFFSET, p->caplen);
	memset(data + EMU_BOUNCE_OFFSET + p->caplen, 0,
	       end - EMU_BOUNCE_OFFSET - p->caplen);

	entry_fill(&ent, p, SKBREMAP_PATH_BOUNCE);
	ent.page = page;
	ent.offset = EMU_BOUNCE_OFFSET;
	entry_write(e, w, slot, &ent, p);
	e->st.bounced++;
	if (!emu_resident(e))
		e->st.pages_held += w->core.pages_used - page;
	return true;
}

/*
 * RING: copied packed after the previous ring packet into the window's
 * resident pages. No zeroing: a ring page holds only this capture's
 * packets (see the uapi header).
 */
static bool place_ring(struct skbremap_emu *e, const struct emu_pkt *p)
{
	struct skbremap_info_entry ent;
	struct emu_win *w;
	u32 page, off, slot;
	int err;

	for (;;) {
		w = filling_window(e);
		if (!w)
			return false;
		err = skbremap_win_place_packed(&w->core, p->caplen,
						e->page_size, &page, &off,
						&slot);
		if (err != -ENOSPC)
			break;
		window_publish(e, 0);
	}
	if (err) {
		e->st.drop_too_big++;
		return false;
	}
	emu_pkt_copy(p, e->page_size, 0,
		     emu_data_page(e, w->core.index, page) + off, p->caplen);
	entry_fill(&ent, p, SKBREMAP_PATH_RING);
	ent.page = page;
	ent.offset = off;
	entry_write(e, w, slot, &ent, p);
	e->st.copied++;
	return true;
}

/*
 * REMAP: the packet's whole exclusive frag pages (plan) go into the
 * window's slots as they are; its head is copied to end at the page
 * boundary before them and its tail to the start of the page after, so
 * the packet is contiguous in the window (one entry, no SCATTER). The
 * pages stay the window's until its release (window_reclaim).
 */
static bool place_remap(struct skbremap_emu *e, struct emu_pkt *p,
			const struct skbremap_remap_plan *plan)
{
	u32 ps = e->page_size;
	u32 off = (ps - plan->head % ps) % ps;
	u32 head_pages = (off + plan->head) / ps;
	struct skbremap_info_entry ent;
	struct emu_win *w;
	u32 page, slot, i, first_frag;
	u8 *base;
	int err;

	for (;;) {
		w = filling_window(e);
		if (!w)
			return false;
		err = skbremap_win_place(&w->core, off, p->caplen, ps, &page,
					 &slot);
		if (err != -ENOSPC)
			break;
		window_publish(e, 0);
	}
	if (err) {
		e->st.drop_too_big++;
		return false;
	}
	base = emu_data_page(e, w->core.index, page);
	if (plan->head) {
		memset(base, 0, off);
		emu_pkt_copy(p, ps, 0, base + off, plan->head);
	}
	if (plan->tail) {
		u8 *t = base + (u64)(head_pages + plan->pages) * ps;

		emu_pkt_copy(p, ps, plan->head + plan->pages * ps, t,
			     plan->tail);
		memset(t + plan->tail, 0, (ps - plan->tail % ps) % ps);
	}
	/* piece 0 is the linear head (head_len > 0 always with frags) */
	first_frag = plan->first - 1;
	for (i = 0; i < plan->pages; i++) {
		w->slot_page[page + head_pages + i] = p->frag[first_frag + i];
		p->frag[first_frag + i] = EMU_NO_PAGE;	/* the window's now */
	}
	w->remapped_pages += plan->pages;

	entry_fill(&ent, p, SKBREMAP_PATH_REMAP);
	ent.page = page;
	ent.offset = off;
	entry_write(e, w, slot, &ent, p);
	e->st.remapped++;
	e->st.pages_remapped += plan->pages;
	return true;
}

/* Pages of each SCATTER segment: head at EMU_BOUNCE_OFFSET, run, tail. */
static u32 scatter_segments(const struct skbremap_remap_plan *plan, u32 ps,
			    u32 *seg_pages)
{
	u32 n = 0;

	if (plan->head)
		seg_pages[n++] = (EMU_BOUNCE_OFFSET + plan->head + ps - 1) / ps;
	seg_pages[n++] = plan->pages;
	if (plan->tail)
		seg_pages[n++] = (plan->tail + ps - 1) / ps;
	return n;
}

/*
 * REMAP laid out as SCATTER (SKBREMAP_EMU_SCATTER=1): the head copied at
 * EMU_BOUNCE_OFFSET of its own pool page (as a bounce would), the skb's
 * pages after it, the tail at the start of the next pool page: three runs
 * with gaps between them, so one head entry and a segment entry per run.
 */
static bool place_remap_scatter(struct skbremap_emu *e, struct emu_pkt *p,
				const struct skbremap_remap_plan *plan)
{
	u32 ps = e->page_size, seg_pages[3], nseg, page, slot, i, pg, from;
	struct skbremap_info_entry ent;
	struct emu_win *w;
	int err;

	nseg = scatter_segments(plan, ps, seg_pages);
	for (;;) {
		w = filling_window(e);
		if (!w)
			return false;
		err = skbremap_win_place_scatter(&w->core, seg_pages, nseg,
						 &page, &slot);
		if (err != -ENOSPC)
			break;
		window_publish(e, 0);
	}
	if (err) {
		e->st.drop_too_big++;
		return false;
	}
	entry_fill(&ent, p, SKBREMAP_PATH_REMAP);
	ent.flags |= SKBREMAP_PKT_SCATTER;
	ent.segments = nseg;
	entry_write(e, w, slot, &ent, p);

	pg = page;
	from = 0;
	for (i = 0; i < nseg; i++) {
		bool run = seg_pages[i] == plan->pages &&
			   from == plan->head;
		u8 *base = emu_data_page(e, w->core.index, pg);
		u64 span = (u64)seg_pages[i] * ps;

		memset(&ent, 0, sizeof(ent));
		ent.flags = SKBREMAP_PKT_SEGMENT;
		ent.page = pg;
		if (run) {
			u32 j, first_frag = plan->first - 1;

			ent.path = SKBREMAP_PATH_REMAP;
			ent.caplen = plan->pages * ps;
			for (j = 0; j < plan->pages; j++) {
				w->slot_page[pg + j] = p->frag[first_frag + j];
				p->frag[first_frag + j] = EMU_NO_PAGE;
			}
			w->remapped_pages += plan->pages;
		} else {
			ent.path = SKBREMAP_PATH_BOUNCE;
			ent.offset = from ? 0 : EMU_BOUNCE_OFFSET;
			ent.caplen = from ? plan->tail : plan->head;
			memset(base, 0, span);
			emu_pkt_copy(p, ps, from, base + ent.offset, ent.caplen);
		}
		skbremap_info_put(emu_info_page(e, w->core.index), slot + 1 + i,
				  &ent);
		from += ent.caplen;
		pg += seg_pages[i];
	}
	e->st.remapped++;
	e->st.pages_remapped += plan->pages;
	return true;
}

/* The remap plan of a packet with frags, or false. */
static bool remap_plan(struct skbremap_emu *e, const struct emu_pkt *p,
		       struct skbremap_remap_plan *plan)
{
	struct skbremap_frag fr[1 + EMU_MAX_FRAME / 4096 + 1];
	u32 ps = e->page_size, i, n = 0, rest;

	if (!p->nr_frags || p->nr_frags + 1 > sizeof(fr) / sizeof(fr[0]))
		return false;
	fr[n++] = (struct skbremap_frag){ .page_offset = 0,
					  .len = p->head_len, .linear = true };
	rest = p->caplen - p->head_len;
	for (i = 0; i < p->nr_frags; i++) {
		u32 len = rest < ps ? rest : ps;

		fr[n++] = (struct skbremap_frag){ .page_offset = 0, .len = len,
						  .exclusive = true };
		rest -= len;
	}
	return skbremap_remap_eligible(fr, n, p->caplen, ps, plan);
}

/* Whether a REMAP packet laid out by @plan fits an empty window. */
static bool remap_fits_empty(struct skbremap_emu *e,
			     const struct skbremap_remap_plan *plan, u32 caplen)
{
	u32 ps = e->page_size, seg_pages[3], n, i;
	u64 pages = 0;

	if (!e->scatter)
		return skbremap_win_fits_empty(e->layout.pages_per_window,
					       (ps - plan->head % ps) % ps,
					       caplen, ps);
	n = scatter_segments(plan, ps, seg_pages);
	for (i = 0; i < n; i++)
		pages += seg_pages[i];
	return pages <= e->layout.pages_per_window &&
	       n + 1 <= e->layout.info_entries_max;
}

/* Choose the path for one packet and place it. Must hold e->lock. */
static void place(struct skbremap_emu *e, struct emu_pkt *p)
{
	struct skbremap_remap_plan plan;
	bool eligible = false;
	u32 path;

	/* Ring packets start at offset 0 of an empty window: fit too. */
	if (!skbremap_win_fits_empty(e->layout.pages_per_window,
				     EMU_BOUNCE_OFFSET, p->caplen,
				     e->page_size)) {
		e->st.drop_too_big++;
		return;
	}
	/* Only where REMAP could be chosen, as the module does. */
	if (e->mode == SKBREMAP_MODE_REMAP ||
	    (e->mode == SKBREMAP_MODE_ADAPTIVE &&
	     p->caplen >= e->copy_threshold))
		eligible = remap_plan(e, p, &plan) && remap_fits_empty(e, &plan,
								       p->caplen);
	path = skbremap_path_choose(e->mode, p->caplen, e->copy_threshold,
				    eligible);
	switch (path) {
	case SKBREMAP_PATH_REMAP:
		if (!(e->scatter ? place_remap_scatter(e, p, &plan) :
				   place_remap(e, p, &plan)))
			return;
		break;
	case SKBREMAP_PATH_RING:
		if (!place_ring(e, p))
			return;
		break;
	default:
		if (!place_bounce(e, p))
			return;
		break;
	}
	if (window_full(&e->wins[e->filling].core))
		window_publish(e, 0);
}

static void *worker_main(void *arg)
{
	struct skbremap_emu *e = arg;
	struct emu_queue *q = &e->q;
	struct emu_pkt *batch[EMU_BATCH];
	bool stop, ended, retire;
	u32 n, i;

	for (;;) {
		pthread_mutex_lock(&q->lock);
		for (;;) {
			if (q->head || q->stop || q->source_ended)
				break;
			/* e->filling and retire_at_ns are the worker's own. */
			if (e->filling < 0) {
				pthread_cond_wait(&q->work, &q->lock);
				continue;
			}
			if (emu_now_ns(CLOCK_MONOTONIC) >= e->retire_at_ns)
				break;
			emu_cond_wait_until(&q->work, &q->lock,
					    e->retire_at_ns);
		}
		n = emu_queue_take(q, batch, EMU_BATCH);
		stop = q->stop && !q->head;
		ended = q->source_ended && !q->head;
		pthread_mutex_unlock(&q->lock);

		pthread_mutex_lock(&e->lock);
		for (i = 0; i < n; i++) {
			place(e, batch[i]);
			emu_pkt_free(batch[i]);
		}
		retire = e->filling >= 0 &&
			 emu_now_ns(CLOCK_MONOTONIC) >= e->retire_at_ns;
		if (e->filling >= 0 && (stop || ended))
			window_publish(e, SKBREMAP_INFO_FLUSH);
		else if (retire)
			window_publish(e, SKBREMAP_INFO_RETIRED);
		if (ended && !e->source_done) {
			e->source_done = true;
			pthread_cond_broadcast(&e->poll_wait);
		}
		pthread_mutex_unlock(&e->lock);

		if (stop)
			break;
		if (ended && !n) {
			/* Nothing more will come until STOP. */
			pthread_mutex_lock(&q->lock);
			while (!q->stop && !q->head)
				pthread_cond_wait(&q->work, &q->lock);
			pthread_mutex_unlock(&q->lock);
		}
	}
	return NULL;
}

/* Must hold ctl_lock; the capture is stopped. */
int emu_worker_start(struct skbremap_emu *e)
{
	return emu_thread_create(&e->worker_thread, worker_main, e);
}

/*
 * Must hold ctl_lock, with the source thread joined: the worker drains
 * what is queued, publishes the part-full window with FLUSH and ends.
 */
void emu_worker_stop(struct skbremap_emu *e)
{
	pthread_mutex_lock(&e->q.lock);
	e->q.stop = true;
	pthread_cond_signal(&e->q.work);
	pthread_mutex_unlock(&e->q.lock);
	pthread_mutex_lock(&e->lock);
	pthread_cond_broadcast(&e->win_free);
	pthread_mutex_unlock(&e->lock);
	pthread_join(e->worker_thread, NULL);
}
