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
 *
 * Every page is charged (__GFP_ACCOUNT) to the memory cgroup of the
 * process that opened the capture (cap->memcg, taken at open), as a
 * socket's buffers are charged to its owner.
 */
#include <linux/gfp.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>

#include "skbremap_mod.h"

struct page *skbremap_pool_get(struct skbremap_capture *cap)
{
	struct mem_cgroup *old;
	struct page *page;

	/*
	 * Charged to the opener's memory cgroup: the worker (and mmap, when
	 * another thread maps) allocates in a context that is not its own.
	 * Not highmem: the worker writes through page_address().
	 */
	old = set_active_memcg(cap->memcg);
	page = alloc_page(GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN |
			  __GFP_ACCOUNT);
	set_active_memcg(old);
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
