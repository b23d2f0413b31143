// SPDX-License-Identifier: GPL-2.0
/*
 * Encoding of the control part and of info pages. The control part is
 * user-writable: it is written here once at set-up and afterwards only the
 * status/seq words, through the window state machine (window.c).
 */
#include "skbremap_core.h"

void skbremap_ctl_init(void *ctl_part, const struct skbremap_layout *l)
{
	struct skbremap_ctl_hdr *h = ctl_part;

	memset(ctl_part, 0, l->ctl_size);
	h->magic = SKBREMAP_MAGIC;
	h->abi_version = SKBREMAP_ABI_VERSION;
	h->windows = l->windows;
	h->pages_per_window = l->pages_per_window;
}

struct skbremap_win_ctl *skbremap_win_ctl_at(void *ctl_part,
					     const struct skbremap_layout *l,
					     u32 window)
{
	return (struct skbremap_win_ctl *)((u8 *)ctl_part +
					   l->win_ctl_offset) + window;
}

void skbremap_info_begin(void *info_page, u32 window)
{
	struct skbremap_info_hdr *h = info_page;

	memset(h, 0, sizeof(*h));
	h->magic = SKBREMAP_INFO_MAGIC;
	h->abi_version = SKBREMAP_ABI_VERSION;
	h->window = window;
}

void skbremap_info_put(void *info_page, u32 slot,
		       const struct skbremap_info_entry *e)
{
	struct skbremap_info_entry *entries =
		(struct skbremap_info_entry *)((u8 *)info_page +
					       sizeof(struct skbremap_info_hdr));

	entries[slot] = *e;
}

void skbremap_info_finish(void *info_page, const struct skbremap_win *w,
			  u64 seq, u64 drops, u32 flags)
{
	struct skbremap_info_hdr *h = info_page;

	h->seq = seq;
	h->count = w->count;
	h->pages_used = w->pages_used;
	h->drops = drops;
	h->flags = flags;
}
