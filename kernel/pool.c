// SPDX-License-Identifier: GPL-2.0
/*
 * The page pool: every page the module ever shows to user space (info
 * pages and bounce pages) comes from here, zeroed, and is counted in the
 * capture's and the module's pages_held gauges until it is returned.
 *
 * Pages are never recycled from one packet to the next: a page user space
 * once saw may still be referenced by it (vmsplice, O_DIRECT, a pinned
 * get_user_pages), so it is returned with put_page() and a new zeroed page
 * is taken for the next packet. The last reference frees it, whoever holds
 * that.
 */
#include <linux/gfp.h>
#include <linux/mm.h>

#include "skbremap_mod.h"

struct page *skbremap_pool_get(struct skbremap_capture *cap)
{
	/* Not highmem: the worker writes through page_address(). */
	struct page *page = alloc_page(GFP_KERNEL | __GFP_ZERO |
				       __GFP_NOWARN);

	if (!page)
		return NULL;
	atomic64_inc(&cap->pages_held);
	atomic64_inc(&skbremap_gauges.pages_held);
	return page;
}

void skbremap_pool_put(struct skbremap_capture *cap, struct page *page)
{
	atomic64_dec(&skbremap_gauges.pages_held);
	atomic64_dec(&cap->pages_held);
	put_page(page);
}
