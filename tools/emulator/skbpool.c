// SPDX-License-Identifier: GPL-2.0
/*
 * The skb page pool: the emulator's stand-in for a driver's page_pool.
 * The hook (queue.c) builds a large packet's payload in pages of this
 * memfd, one page per frag, each page holding that packet's bytes only;
 * the REMAP path then maps those very pages into the consumer's window
 * (region.c) instead of copying them: the user-space analogue of
 * vm_insert_pages() of an skb's frag pages. A page returns to the pool
 * when its packet was copied or dropped, or when the window that shows it
 * is released.
 *
 * The pool is bounded (npages); when it runs dry the hook builds the
 * packet linear instead, which the worker then copies: never a drop.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "emu_internal.h"

int emu_skbpool_create(struct emu_skbpool **out, u32 npages, u32 page_size)
{
	struct emu_skbpool *pool = calloc(1, sizeof(*pool));
	char path[64];
	u64 size = (u64)npages * page_size;
	int err;
	u32 i;

	if (!pool)
		return -ENOMEM;
	pool->fd = pool->ro_fd = -1;
	pool->free = malloc(npages * sizeof(*pool->free));
	if (!pool->free) {
		err = -ENOMEM;
		goto err_free;
	}
	pool->fd = memfd_create("skbremap-skb-pages", MFD_CLOEXEC);
	if (pool->fd < 0 || ftruncate(pool->fd, (off_t)size) < 0) {
		err = -errno;
		goto err_close;
	}
	pool->rw = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
			pool->fd, 0);
	if (pool->rw == MAP_FAILED) {
		err = -errno;
		goto err_close;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", pool->fd);
	pool->ro_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (pool->ro_fd < 0)
		pool->ro_fd = dup(pool->fd);
	if (pool->ro_fd < 0) {
		err = -errno;
		goto err_unmap;
	}
	/* Lowest pages first out, so that runs tend to be contiguous. */
	for (i = 0; i < npages; i++)
		pool->free[i] = npages - 1 - i;
	pool->nfree = npages;
	pool->npages = npages;
	pthread_mutex_init(&pool->lock, NULL);
	*out = pool;
	return 0;

err_unmap:
	munmap(pool->rw, size);
err_close:
	if (pool->fd >= 0)
		close(pool->fd);
err_free:
	free(pool->free);
	free(pool);
	return err;
}

/* Every page must be back (the region is being destroyed). */
void emu_skbpool_destroy(struct emu_skbpool *pool, u32 page_size)
{
	if (!pool)
		return;
	pthread_mutex_destroy(&pool->lock);
	close(pool->ro_fd);
	munmap(pool->rw, (u64)pool->npages * page_size);
	close(pool->fd);
	free(pool->free);
	free(pool);
}

/* All @n pages or none: returns n or 0. */
u32 emu_skbpool_get(struct emu_skbpool *pool, u32 n, u32 *pages)
{
	u32 i;

	pthread_mutex_lock(&pool->lock);
	if (pool->nfree < n) {
		pool->exhausted++;
		pthread_mutex_unlock(&pool->lock);
		return 0;
	}
	for (i = 0; i < n; i++)
		pages[i] = pool->free[--pool->nfree];
	pthread_mutex_unlock(&pool->lock);
	return n;
}

void emu_skbpool_put(struct emu_skbpool *pool, const u32 *pages, u32 n)
{
	u32 i;

	pthread_mutex_lock(&pool->lock);
	for (i = 0; i < n; i++)
		if (pages[i] != EMU_NO_PAGE)
			pool->free[pool->nfree++] = pages[i];
	pthread_mutex_unlock(&pool->lock);
}

/* Free a packet and return the frag pages it still owns. */
void emu_pkt_free(struct emu_pkt *p)
{
	if (p->pool && p->nr_frags)
		emu_skbpool_put(p->pool, p->frag, p->nr_frags);
	free(p);
}

/* Copy @len bytes from packet offset @from: head, then frags. */
void emu_pkt_copy(const struct emu_pkt *p, u32 page_size, u32 from, u8 *dst,
		  u32 len)
{
	u32 n;

	if (from < p->head_len) {
		n = p->head_len - from < len ? p->head_len - from : len;
		memcpy(dst, p->data + from, n);
		dst += n;
		from += n;
		len -= n;
	}
	while (len) {
		u32 rel = from - p->head_len;
		u32 fi = rel / page_size, fo = rel % page_size;

		n = page_size - fo < len ? page_size - fo : len;
		memcpy(dst, p->pool->rw + (u64)p->frag[fi] * page_size + fo, n);
		dst += n;
		from += n;
		len -= n;
	}
}
