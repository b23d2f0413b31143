// SPDX-License-Identifier: GPL-2.0
/*
 * Configuration checks and the region layout. Every number here comes from
 * user space (SKBREMAP_IOC_CONFIGURE) or is derived from one, so each is
 * checked on its own, and sizes are computed in u64 against limits that
 * keep them far from overflow.
 */
#include "skbremap_core.h"

static u32 or_default(u32 v, u32 def)
{
	return v ? v : def;
}

int skbremap_config_resolve(const struct skbremap_config *in,
			    struct skbremap_config *out)
{
	struct skbremap_config c;

	if (in->flags || in->reserved0)
		return -EINVAL;
	if (in->mode > SKBREMAP_MODE_ADAPTIVE)
		return -EINVAL;
	if (in->copy_threshold > SKBREMAP_MAX_COPY_THRESHOLD)
		return -EINVAL;

	memset(&c, 0, sizeof(c));
	c.windows = or_default(in->windows, SKBREMAP_DEF_WINDOWS);
	c.pages_per_window = or_default(in->pages_per_window,
					SKBREMAP_DEF_PAGES_PER_WINDOW);
	c.snaplen = in->snaplen;
	c.retire_usec = or_default(in->retire_usec, SKBREMAP_DEF_RETIRE_USEC);
	c.queue_limit = or_default(in->queue_limit, SKBREMAP_DEF_QUEUE_LIMIT);
	/* Mode 0 stays 0: the host resolves it (skbremap_mode_resolve). */
	c.mode = in->mode;
	c.copy_threshold = in->copy_threshold;
	c.info_pages = or_default(in->info_pages, 1);

	if (c.windows < SKBREMAP_MIN_WINDOWS ||
	    c.windows > SKBREMAP_MAX_WINDOWS)
		return -EINVAL;
	if (c.pages_per_window > SKBREMAP_MAX_PAGES_PER_WINDOW)
		return -EINVAL;
	if (c.snaplen > SKBREMAP_MAX_SNAPLEN)
		return -EINVAL;
	if (c.retire_usec > SKBREMAP_MAX_RETIRE_USEC)
		return -EINVAL;
	if (c.queue_limit > SKBREMAP_MAX_QUEUE_LIMIT)
		return -EINVAL;
	if (c.info_pages > SKBREMAP_MAX_INFO_PAGES)
		return -EINVAL;

	*out = c;
	return 0;
}

/* @info_pages is 1..SKBREMAP_MAX_INFO_PAGES: the product stays far below 2^32. */
u32 skbremap_info_entries_max(u32 page_size, u32 info_pages)
{
	return (info_pages * page_size - sizeof(struct skbremap_info_hdr)) /
	       sizeof(struct skbremap_info_entry);
}

static u64 round_up_page(u64 v, u32 page_size)
{
	return (v + page_size - 1) / page_size * page_size;
}

void skbremap_layout_fill(const struct skbremap_config *cfg, u32 page_size,
			  struct skbremap_layout *out)
{
	u64 ctl_bytes = sizeof(struct skbremap_ctl_hdr) +
			(u64)cfg->windows * sizeof(struct skbremap_win_ctl);
	/* A resolved config has 1..MAX; an unresolved 0 means 1 too. */
	u32 info_pages = cfg->info_pages ? cfg->info_pages : 1;

	memset(out, 0, sizeof(*out));
	out->ctl_offset = 0;
	out->ctl_size = round_up_page(ctl_bytes, page_size);
	out->win_offset = out->ctl_size;
	out->win_stride = (u64)(info_pages + cfg->pages_per_window) * page_size;
	out->win_size = out->win_stride * cfg->windows;
	out->windows = cfg->windows;
	out->pages_per_window = cfg->pages_per_window;
	out->page_size = page_size;
	out->snaplen = cfg->snaplen;
	out->info_hdr_size = sizeof(struct skbremap_info_hdr);
	out->info_entry_size = sizeof(struct skbremap_info_entry);
	out->info_entries_max =
		skbremap_info_entries_max(page_size, info_pages);
	out->info_pages = info_pages;
	out->win_ctl_offset = sizeof(struct skbremap_ctl_hdr);
	out->win_ctl_size = sizeof(struct skbremap_win_ctl);
}

int skbremap_mmap_check(const struct skbremap_layout *l, u64 offset,
			u64 length, bool writable)
{
	if (offset == l->ctl_offset && length == l->ctl_size)
		return SKBREMAP_MAP_CTL;
	if (offset == l->win_offset && length == l->win_size)
		return writable ? -EPERM : SKBREMAP_MAP_WINDOWS;
	return -EINVAL;
}
