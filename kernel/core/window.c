// SPDX-License-Identifier: GPL-2.0
/*
 * The window state machine:
 *
 *   FREE --open--> FILLING --publish--> USER --released+reclaim--> FREE
 *                     \---abandon (teardown)---> FREE
 *
 * Only USER windows are user space's; their status word is the one (u)
 * field the host reads, and it is read as hostile input: anything but
 * RELEASED keeps the window with user space.
 */
#include "skbremap_core.h"

void skbremap_win_init(struct skbremap_win *w, u32 index, u32 pages_max,
		       u32 entries_max)
{
	memset(w, 0, sizeof(*w));
	w->state = SKBREMAP_WS_FREE;
	w->index = index;
	w->pages_max = pages_max;
	w->entries_max = entries_max;
}

int skbremap_win_open(struct skbremap_win *w)
{
	if (w->state != SKBREMAP_WS_FREE)
		return -EBUSY;
	w->state = SKBREMAP_WS_FILLING;
	w->count = 0;
	w->packets = 0;
	w->pages_used = 0;
	w->pack_off = 0;
	return 0;
}

/* Pages a packet spans, in u64 so that no u32 input can wrap. */
static u64 pages_spanned(u32 offset, u32 len, u32 page_size)
{
	return ((u64)offset + len + page_size - 1) / page_size;
}

bool skbremap_win_fits_empty(u32 pages_max, u32 offset, u32 len,
			     u32 page_size)
{
	return len && offset < page_size &&
	       pages_spanned(offset, len, page_size) <= pages_max;
}

int skbremap_win_place(struct skbremap_win *w, u32 offset, u32 len,
		       u32 page_size, u32 *page, u32 *entry)
{
	u64 need;

	if (w->state != SKBREMAP_WS_FILLING)
		return -EINVAL;
	if (!len || offset >= page_size)
		return -EINVAL;
	need = pages_spanned(offset, len, page_size);
	if (w->count >= w->entries_max ||
	    need > (u64)(w->pages_max - w->pages_used))
		return -ENOSPC;

	*page = w->pages_used;
	*entry = w->count;
	w->pages_used += (u32)need;
	w->count++;
	w->packets++;
	w->pack_off = 0;	/* fresh pages are this packet's alone */
	return 0;
}

static u64 align_up(u64 v, u32 a)
{
	return (v + a - 1) / a * a;
}

int skbremap_win_place_packed(struct skbremap_win *w, u32 len, u32 page_size,
			      u32 *page, u32 *offset, u32 *entry)
{
	u64 start, end, pages;

	if (w->state != SKBREMAP_WS_FILLING)
		return -EINVAL;
	if (!len)
		return -EINVAL;
	/*
	 * pack_off is where the open ring page (the last one given out) may
	 * take the next packet; 0 means no page is open for packing, so the
	 * packet starts on a fresh page.
	 */
	if (w->pack_off)
		start = (u64)(w->pages_used - 1) * page_size + w->pack_off;
	else
		start = (u64)w->pages_used * page_size;
	end = start + len;
	pages = (end + page_size - 1) / page_size;
	if (w->count >= w->entries_max || pages > w->pages_max)
		return -ENOSPC;

	*page = (u32)(start / page_size);
	*offset = (u32)(start % page_size);
	*entry = w->count;
	w->count++;
	w->packets++;
	w->pages_used = (u32)pages;
	end = align_up(end, SKBREMAP_RING_ALIGN);
	w->pack_off = (u32)(end - (pages - 1) * page_size);
	if (w->pack_off >= page_size)
		w->pack_off = 0;
	return 0;
}

int skbremap_win_place_scatter(struct skbremap_win *w, const u32 *seg_pages,
			       u32 nseg, u32 *page, u32 *entry)
{
	u64 need = 0;
	u32 i;

	if (w->state != SKBREMAP_WS_FILLING)
		return -EINVAL;
	if (nseg < 2 || nseg > SKBREMAP_MAX_SEGMENTS)
		return -EINVAL;
	for (i = 0; i < nseg; i++) {
		if (!seg_pages[i])
			return -EINVAL;
		need += seg_pages[i];
	}
	if (nseg + 1 > w->entries_max - w->count ||
	    need > (u64)(w->pages_max - w->pages_used))
		return -ENOSPC;

	*page = w->pages_used;
	*entry = w->count;
	w->pages_used += (u32)need;
	w->count += nseg + 1;
	w->packets++;
	w->pack_off = 0;
	return 0;
}

int skbremap_win_reserve_entries(struct skbremap_win *w, u32 n, u32 *first)
{
	if (w->state != SKBREMAP_WS_FILLING)
		return -EINVAL;
	if (n > w->entries_max - w->count)
		return -ENOSPC;
	*first = w->count;
	w->count += n;
	return 0;
}

void skbremap_win_publish(struct skbremap_win *w, u64 seq,
			  struct skbremap_win_ctl *ctl)
{
	w->state = SKBREMAP_WS_USER;
	w->seq = seq;
	WRITE_ONCE(ctl->seq, seq);
	/* Orders the info and data pages and seq before the status word. */
	smp_store_release(&ctl->status, (u32)SKBREMAP_WIN_READY);
}

bool skbremap_win_released(const struct skbremap_win *w,
			   const struct skbremap_win_ctl *ctl, u64 *bad)
{
	u32 status;

	if (w->state != SKBREMAP_WS_USER)
		return false;
	/*
	 * Acquire pairs with user space's release store of RELEASED: its
	 * last reads of the window happen before the host takes the pages
	 * back and reuses them.
	 */
	status = smp_load_acquire(&ctl->status);
	if (status == SKBREMAP_WIN_RELEASED)
		return true;
	if (status != SKBREMAP_WIN_READY)
		(*bad)++;
	return false;
}

void skbremap_win_reclaim(struct skbremap_win *w,
			  struct skbremap_win_ctl *ctl)
{
	w->state = SKBREMAP_WS_FREE;
	w->count = 0;
	w->packets = 0;
	w->pages_used = 0;
	w->pack_off = 0;
	WRITE_ONCE(ctl->status, (u32)SKBREMAP_WIN_KERNEL);
}

void skbremap_win_abandon(struct skbremap_win *w)
{
	w->state = SKBREMAP_WS_FREE;
	w->count = 0;
	w->packets = 0;
	w->pages_used = 0;
	w->pack_off = 0;
}

void skbremap_win_count(struct skbremap_capture_info *ci,
			enum skbremap_win_state state)
{
	switch (state) {
	case SKBREMAP_WS_FREE:
		ci->windows_free++;
		break;
	case SKBREMAP_WS_FILLING:
		ci->windows_filling++;
		break;
	case SKBREMAP_WS_USER:
		ci->windows_user++;
		break;
	}
}

void skbremap_uq_init(struct skbremap_user_queue *q, u32 *slot, u32 size)
{
	q->slot = slot;
	q->size = size;
	q->head = 0;
	q->len = 0;
}

int skbremap_uq_push(struct skbremap_user_queue *q, u32 index)
{
	if (q->len >= q->size)
		return -ENOSPC;
	q->slot[(q->head + q->len) % q->size] = index;
	q->len++;
	return 0;
}

u32 skbremap_uq_at(const struct skbremap_user_queue *q, u32 i)
{
	return q->slot[(q->head + i) % q->size];
}

void skbremap_uq_pop(struct skbremap_user_queue *q)
{
	if (!q->len)
		return;
	q->head = (q->head + 1) % q->size;
	q->len--;
}

void skbremap_uq_remove_at(struct skbremap_user_queue *q, u32 i)
{
	u32 j;

	if (i >= q->len)
		return;
	for (j = i; j + 1 < q->len; j++)
		q->slot[(q->head + j) % q->size] =
			q->slot[(q->head + j + 1) % q->size];
	q->len--;
}

void skbremap_uq_clear(struct skbremap_user_queue *q)
{
	q->head = 0;
	q->len = 0;
}
