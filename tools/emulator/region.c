// SPDX-License-Identifier: GPL-2.0
/*
 * The region of one capture, and the remap.
 *
 * Two memfds back it. ctl_fd holds the control part; the consumer maps it
 * read-write, as the module's. win_fd holds every window's info page and
 * data pages at the same offsets as the windows part of the region
 * (window w at w * win_stride, info pages first), so that one window's
 * pages are contiguous in the file and one mmap() maps a whole window:
 *
 *   win_fd      | info 0 | data 0.0 .. 0.P-1 | info 1 | data 1.0 ...
 *   win_rw      the emulator's own MAP_SHARED read-write view of win_fd
 *   win_view    the consumer's windows part, a reserved range:
 *               info pages  MAP_FIXED from win_ro_fd, PROT_READ, always
 *               data slots  PROT_NONE anonymous while the window is the
 *                           kernel's; MAP_FIXED from win_ro_fd over them
 *                           when it is published (the remap); PROT_NONE
 *                           again when it comes back (the zap)
 *
 * The data pages stay in win_fd when their window comes back: win_fd is
 * the emulator's page pool, at most windows * win_stride bytes
 * pages, resident once touched, freed at CONFIGURE and close. The bounce
 * (worker.c) zeroes what a packet leaves of its pages, so a page shown to
 * user space holds zeros and this packet's bytes only, as the module's
 * zeroed pool pages. (Returning pages with fallocate(PUNCH_HOLE) at every
 * release and faulting fresh ones in made the emulator three times slower
 * for a cost the module does not have.)
 *
 * win_ro_fd is win_fd reopened O_RDONLY through /proc/self/fd, so every
 * consumer mapping is a shared mapping of a read-only file: the kernel
 * clears VM_MAYWRITE and mprotect(PROT_WRITE) fails with EACCES, exactly
 * as on the module's region. Without /proc the memfd is sealed with
 * F_SEAL_FUTURE_WRITE instead.
 *
 * Must hold e->lock for everything here but create/destroy, which run
 * with the capture stopped and nothing mapped (under ctl_lock).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "emu_internal.h"

static u64 win_base(struct skbremap_emu *e, u32 window)
{
	return (u64)window * e->layout.win_stride;
}

/* Bytes of a window's info pages: its data page 0 starts this far in. */
static u64 info_bytes(struct skbremap_emu *e)
{
	return (u64)e->layout.info_pages * e->page_size;
}

u8 *emu_info_page(struct skbremap_emu *e, u32 window)
{
	return e->win_rw + win_base(e, window);
}

u8 *emu_data_page(struct skbremap_emu *e, u32 window, u32 page)
{
	return e->win_rw + win_base(e, window) + info_bytes(e) +
	       (u64)page * e->page_size;
}

bool emu_resident(const struct skbremap_emu *e)
{
	return skbremap_mode_resident(e->mode);
}

struct skbremap_win_ctl *emu_win_ctl(struct skbremap_emu *e, u32 window)
{
	return skbremap_win_ctl_at(e->ctl, &e->layout, window);
}

static int memfd_sized(const char *name, u64 size, unsigned int flags)
{
	int fd = memfd_create(name, MFD_CLOEXEC | flags);

	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)size) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

static int reopen_read_only(int fd)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return open(path, O_RDONLY | O_CLOEXEC);
}

int emu_region_create(struct skbremap_emu *e)
{
	const struct skbremap_layout *l = &e->layout;
	void *p;
	u64 i;
	int err;

	e->ctl_fd = memfd_sized("skbremap-ctl", l->ctl_size,
				MFD_ALLOW_SEALING);
	if (e->ctl_fd < 0)
		return e->ctl_fd;
	/* Nobody may resize a file under a mapping (that would SIGBUS). */
	if (fcntl(e->ctl_fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) < 0) {
		err = -errno;
		goto err_close_ctl;
	}
	p = mmap(NULL, l->ctl_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 e->ctl_fd, 0);
	if (p == MAP_FAILED) {
		err = -errno;
		goto err_close_ctl;
	}
	e->ctl = p;

	e->win_fd = memfd_sized("skbremap-windows", l->win_size,
				MFD_ALLOW_SEALING);
	if (e->win_fd < 0) {
		err = e->win_fd;
		goto err_unmap_ctl;
	}
	p = mmap(NULL, l->win_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 e->win_fd, 0);
	if (p == MAP_FAILED) {
		err = -errno;
		goto err_close_win;
	}
	e->win_rw = p;

	if (fcntl(e->win_fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) < 0) {
		err = -errno;
		goto err_unmap_win;
	}
	e->win_ro_fd = reopen_read_only(e->win_fd);
	if (e->win_ro_fd < 0) {
		if (fcntl(e->win_fd, F_ADD_SEALS, F_SEAL_FUTURE_WRITE) < 0) {
			err = -errno;
			goto err_unmap_win;
		}
		e->win_ro_fd = dup(e->win_fd);
		if (e->win_ro_fd < 0) {
			err = -errno;
			goto err_unmap_win;
		}
	}

	e->wins = calloc(l->windows, sizeof(*e->wins));
	e->slot_pages = malloc((u64)l->windows * l->pages_per_window *
			       sizeof(*e->slot_pages));
	skbremap_uq_init(&e->uq, calloc(l->windows, sizeof(u32)), l->windows);
	if (!e->wins || !e->slot_pages || !e->uq.slot) {
		err = -ENOMEM;
		goto err_free_wins;
	}
	/*
	 * Every mode: the emulated driver builds the same skbs whoever
	 * consumes them, so the modes differ only in how they deliver.
	 * Room for every slot of every window, and as much queued.
	 */
	err = emu_skbpool_create(&e->pool, 2 * l->windows *
				 l->pages_per_window, e->page_size);
	if (err)
		goto err_free_wins;
	for (i = 0; i < (u64)l->windows * l->pages_per_window; i++)
		e->slot_pages[i] = EMU_NO_PAGE;
	for (i = 0; i < l->windows; i++) {
		skbremap_win_init(&e->wins[i].core, i, l->pages_per_window,
				  l->info_entries_max);
		e->wins[i].slot_page = e->slot_pages +
				       (u64)i * l->pages_per_window;
	}
	skbremap_ctl_init(e->ctl, l);
	e->filling = -1;
	e->cursor = 0;
	/*
	 * The info pages are the region's for its whole life; so are all
	 * data pages in a resident mode (inserted once at mmap).
	 */
	e->st.pages_held += (u64)l->windows * l->info_pages;
	if (emu_resident(e))
		e->st.pages_held += (u64)l->windows * l->pages_per_window;
	return 0;

err_free_wins:
	free(e->uq.slot);
	skbremap_uq_init(&e->uq, NULL, 0);
	free(e->slot_pages);
	free(e->wins);
	e->slot_pages = NULL;
	e->wins = NULL;
	close(e->win_ro_fd);
	close(e->win_ro_fd);
err_unmap_win:
	munmap(e->win_rw, l->win_size);
err_close_win:
	close(e->win_fd);
err_unmap_ctl:
	munmap(e->ctl, l->ctl_size);
err_close_ctl:
	close(e->ctl_fd);
	e->ctl = NULL;
	e->win_rw = NULL;
	e->ctl_fd = e->win_fd = e->win_ro_fd = -1;
	return err;
}

/* Capture stopped, consumer mappings gone. Returns every page. */
void emu_region_destroy(struct skbremap_emu *e)
{
	if (!e->wins)
		return;
	emu_windows_drop_all(e);
	e->st.pages_held -= (u64)e->layout.windows * e->layout.info_pages;
	if (emu_resident(e))
		e->st.pages_held -= (u64)e->layout.windows *
				    e->layout.pages_per_window;
	emu_skbpool_destroy(e->pool, e->page_size);
	e->pool = NULL;
	free(e->slot_pages);
	e->slot_pages = NULL;
	free(e->uq.slot);
	skbremap_uq_init(&e->uq, NULL, 0);
	free(e->wins);
	e->wins = NULL;
	close(e->win_ro_fd);
	munmap(e->win_rw, e->layout.win_size);
	close(e->win_fd);
	munmap(e->ctl, e->layout.ctl_size);
	close(e->ctl_fd);
	e->ctl = NULL;
	e->win_rw = NULL;
	e->ctl_fd = e->win_fd = e->win_ro_fd = -1;
}

/*
 * The remap of a REMAP packet's pages: each slot of @window that carries
 * an skb pool page gets that very page, read-only, over its own pool page
 * (runs of consecutive slots and pages in one mmap call).
 */
static int show_remapped(struct skbremap_emu *e, u32 window)
{
	const struct emu_win *w = &e->wins[window];
	u64 base = win_base(e, window) + info_bytes(e);
	u32 ps = e->page_size, j = 0, n;

	while (j < w->core.pages_used) {
		u32 first = w->slot_page[j];

		if (first == EMU_NO_PAGE) {
			j++;
			continue;
		}
		for (n = 1; j + n < w->core.pages_used &&
			    w->slot_page[j + n] == first + n; n++)
			;
		if (mmap(e->win_view + base + (u64)j * ps, (u64)n * ps,
			 e->win_prot, MAP_SHARED | MAP_FIXED | MAP_POPULATE,
			 e->pool->ro_fd,
			 (off_t)((u64)first * ps)) == MAP_FAILED)
			return -errno;
		j += n;
	}
	return 0;
}

/* Map window @window's published data pages into the consumer's view. */
int emu_region_show(struct skbremap_emu *e, u32 window)
{
	u64 off = win_base(e, window) + info_bytes(e);
	u64 len = (u64)e->wins[window].core.pages_used * e->page_size;

	if (!e->win_view || !len)
		return 0;
	if (emu_resident(e))	/* own pages are there since mmap */
		return e->wins[window].remapped_pages ?
		       show_remapped(e, window) : 0;
	if (mmap(e->win_view + off, len, e->win_prot, MAP_SHARED | MAP_FIXED,
		 e->win_ro_fd, (off_t)off) == MAP_FAILED)
		return -errno;
	return 0;
}

static void hide(struct skbremap_emu *e, u64 off, u64 len)
{
	/*
	 * Cannot fail short of ENOMEM splitting VMAs; a failure leaves the
	 * read-only pages visible, never anything writable.
	 */
	(void)mmap(e->win_view + off, len, PROT_NONE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED,
		   -1, 0);
}

/*
 * Resident modes: the slots that showed skb pages get their own pool
 * pages back (the zap of the remapped pages plus the re-insert).
 */
static void restore_own(struct skbremap_emu *e, u32 window)
{
	const struct emu_win *w = &e->wins[window];
	u64 base = win_base(e, window) + info_bytes(e);
	u32 ps = e->page_size, j = 0, n;

	while (j < w->core.pages_used) {
		if (w->slot_page[j] == EMU_NO_PAGE) {
			j++;
			continue;
		}
		for (n = 1; j + n < w->core.pages_used &&
			    w->slot_page[j + n] != EMU_NO_PAGE; n++)
			;
		/* On failure the old read-only pages stay: still safe. */
		(void)mmap(e->win_view + base + (u64)j * ps, (u64)n * ps,
			   e->win_prot, MAP_SHARED | MAP_FIXED | MAP_POPULATE,
			   e->win_ro_fd,
			   (off_t)(base + (u64)j * ps));
		j += n;
	}
}

/* The zap: unmap window @window's data pages from the consumer's view. */
void emu_region_zap(struct skbremap_emu *e, u32 window)
{
	u64 off = win_base(e, window) + info_bytes(e);
	u64 len = (u64)e->wins[window].core.pages_used * e->page_size;

	if (!len || !e->win_view)
		return;
	if (emu_resident(e)) {
		if (e->wins[window].remapped_pages)
			restore_own(e, window);
		return;
	}
	hide(e, off, len);
}

static int map_windows_part(struct skbremap_emu *e, int prot, void **addr)
{
	const struct skbremap_layout *l = &e->layout;
	u8 *view;
	u32 i;
	int err;

	if (e->win_view)
		return -EBUSY;
	view = mmap(NULL, l->win_size, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (view == MAP_FAILED)
		return -errno;
	e->win_view = view;
	e->win_prot = prot;
	for (i = 0; i < l->windows; i++) {
		/*
		 * Resident modes: data pages mapped once, here, for good. Not
		 * populated: the memfd is sparse until the worker writes a
		 * page, and the consumer's first read of it is a minor fault
		 * once (the module allocates and inserts them all up front).
		 */
		u64 len = emu_resident(e) ? l->win_stride : info_bytes(e);

		if (mmap(view + win_base(e, i), len, prot,
			 MAP_SHARED | MAP_FIXED, e->win_ro_fd,
			 (off_t)win_base(e, i)) == MAP_FAILED) {
			err = -errno;
			goto err_unmap;
		}
		if (e->wins[i].core.state == SKBREMAP_WS_USER) {
			err = emu_region_show(e, i);
			if (err)
				goto err_unmap;
		}
	}
	*addr = view;
	return 0;

err_unmap:
	munmap(view, l->win_size);
	e->win_view = NULL;
	return err;
}

int emu_region_map(struct skbremap_emu *e, u64 offset, u64 length, int prot,
		   void **addr)
{
	struct emu_map *m;
	void *p = NULL;
	int kind, err;

	if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC))
		return -EINVAL;
	if (!e->wins)
		return -EINVAL;
	kind = skbremap_mmap_check(&e->layout, offset, length,
				   prot & PROT_WRITE);
	if (kind < 0)
		return kind;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	if (kind == SKBREMAP_MAP_CTL) {
		p = mmap(NULL, length, prot, MAP_SHARED, e->ctl_fd, 0);
		if (p == MAP_FAILED) {
			err = -errno;
			free(m);
			return err;
		}
	} else {
		err = map_windows_part(e, prot, &p);
		if (err) {
			free(m);
			return err;
		}
	}
	m->addr = p;
	m->length = length;
	m->kind = kind;
	m->next = e->maps;
	e->maps = m;
	e->nr_maps++;
	*addr = p;
	return 0;
}

static void unmap_one(struct skbremap_emu *e, struct emu_map *m)
{
	munmap(m->addr, m->length);
	if (m->kind == EMU_MAP_WINDOWS)
		e->win_view = NULL;
	e->nr_maps--;
	free(m);
}

int emu_region_unmap(struct skbremap_emu *e, void *addr, u64 length)
{
	struct emu_map **pm, *m;

	for (pm = &e->maps; (m = *pm); pm = &m->next) {
		if (m->addr == addr && m->length == length) {
			*pm = m->next;
			unmap_one(e, m);
			return 0;
		}
	}
	return -EINVAL;
}

void emu_region_unmap_all(struct skbremap_emu *e)
{
	struct emu_map *m;

	while ((m = e->maps)) {
		e->maps = m->next;
		unmap_one(e, m);
	}
}
