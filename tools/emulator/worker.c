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

/* Must hold e->lock. */
static void window_reclaim(struct skbremap_emu *e, struct emu_win *w)
{
	u32 i = w->core.index;

	emu_region_zap(e, i);
	e->st.windows_released++;
	e->st.windows_user--;
	e->st.skbs_freed += w->core.count;
	e->st.skbs_held -= w->core.count;
	e->st.pages_held -= w->core.pages_used;
	w->captured_bytes = w->wire_bytes = 0;
	skbremap_win_reclaim(&w->core, emu_win_ctl(e, i));
}

/* Take back every window user space has RELEASED. Must hold e->lock. */
void emu_reclaim_released(struct skbremap_emu *e)
{
	bool any = false;
	u32 i;

	if (!e->wins)
		return;
	for (i = 0; i < e->layout.windows; i++) {
		struct emu_win *w = &e->wins[i];

		if (skbremap_win_released(&w->core, emu_win_ctl(e, i),
					  &e->st.bad_release)) {
			window_reclaim(e, w);
			any = true;
		}
	}
	if (any)
		pthread_cond_broadcast(&e->win_free);
}

/* Whether a USER window's status word says READY. Must hold e->lock. */
bool emu_any_ready(struct skbremap_emu *e)
{
	u32 i;

	if (!e->wins)
		return false;
	for (i = 0; i < e->layout.windows; i++) {
		struct skbremap_win_ctl *ctl = emu_win_ctl(e, i);

		if (e->wins[i].core.state != SKBREMAP_WS_USER)
			continue;
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
			e->st.pages_held -= w->core.pages_used;
			e->st.drop_nomem += w->core.count;
			w->captured_bytes = w->wire_bytes = 0;
			skbremap_win_abandon(&w->core);
		}
	}
	e->filling = -1;
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
		e->st.drop_nomem += w->core.count;
		e->st.pages_held -= w->core.pages_used;
		w->captured_bytes = w->wire_bytes = 0;
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

	e->st.captured += w->core.count;
	e->st.captured_bytes += w->captured_bytes;
	e->st.wire_bytes += w->wire_bytes;
	e->st.windows_published++;
	if (flags & SKBREMAP_INFO_RETIRED)
		e->st.windows_retired++;
	e->st.windows_user++;
	e->st.skbs_held += w->core.count;	/* + in_flight: emu_stats_snapshot */
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

/* Place one packet, bounce it and write its entry. Must hold e->lock. */
static void place(struct skbremap_emu *e, const struct emu_pkt *p)
{
	u32 ps = e->page_size;
	struct skbremap_info_entry ent;
	struct emu_win *w;
	u32 page, slot;
	u8 *data;
	u64 end;
	int err;

	if (!skbremap_win_fits_empty(e->layout.pages_per_window,
				     EMU_BOUNCE_OFFSET, p->caplen, ps)) {
		e->st.drop_too_big++;
		return;
	}
	for (;;) {
		if (e->filling < 0) {
			if (!window_get(e)) {
				e->st.drop_no_window++;
				return;
			}
			e->retire_at_ns = emu_now_ns(CLOCK_MONOTONIC) +
					  (u64)e->cfg.retire_usec * 1000;
		}
		w = &e->wins[e->filling];
		err = skbremap_win_place(&w->core, EMU_BOUNCE_OFFSET,
					 p->caplen, ps, &page, &slot);
		if (err != -ENOSPC)
			break;
		window_publish(e, 0);
	}
	if (err) {		/* cannot happen after fits_empty */
		e->st.drop_too_big++;
		return;
	}

	/*
	 * The bounce. Pool pages are reused, so what the packet leaves of
	 * its pages (before the offset, after its last byte) is zeroed: user
	 * space sees this packet's bytes and zeros, nothing else.
	 */
	data = emu_data_page(e, w->core.index, page);
	end = (u64)(w->core.pages_used - page) * ps;
	memset(data, 0, EMU_BOUNCE_OFFSET);
	memcpy(data + EMU_BOUNCE_OFFSET, p->data, p->caplen);
	memset(data + EMU_BOUNCE_OFFSET + p->caplen, 0,
	       end - EMU_BOUNCE_OFFSET - p->caplen);

	memset(&ent, 0, sizeof(ent));
	ent.page = page;
	ent.offset = EMU_BOUNCE_OFFSET;
	ent.caplen = p->caplen;
	ent.wirelen = p->wirelen;
	ent.tstamp_ns = p->tstamp_ns;
	ent.ifindex = p->ifindex;
	ent.protocol = p->protocol;
	ent.pkttype = p->pkttype;
	ent.path = SKBREMAP_PATH_BOUNCE;
	if (p->flags & SKBREMAP_PKT_VLAN) {
		ent.flags |= SKBREMAP_PKT_VLAN;
		ent.vlan_tci = p->vlan_tci;
		ent.vlan_proto = p->vlan_proto;
	}
	if (p->caplen < p->wirelen)
		ent.flags |= SKBREMAP_PKT_TRUNCATED;
	if (slot == 0)
		skbremap_info_begin(emu_info_page(e, w->core.index),
				    w->core.index);
	skbremap_info_put(emu_info_page(e, w->core.index), slot, &ent);

	w->captured_bytes += p->caplen;
	w->wire_bytes += p->wirelen;
	e->st.bounced++;
	e->st.pages_held += w->core.pages_used - page;

	if (window_full(&w->core))
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
			free(batch[i]);
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
