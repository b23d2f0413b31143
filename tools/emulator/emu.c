// SPDX-License-Identifier: GPL-2.0
/*
 * The device side of the emulation: open/close, the ioctls, mmap, poll.
 * Each function stands for the file operation of /dev/skbremap named in
 * skbremap_emu.h and answers with the same errno values as the module.
 *
 * emu_global lists this process's captures; it is what SKBREMAP_IOC_GLOBAL
 * and SKBREMAP_IOC_CAPTURES report (the module reports all of its own).
 * Lock order: emu_global.lock, then a capture's lock (never the reverse).
 */
#define _GNU_SOURCE
#include <net/if.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "emu_internal.h"

static struct {
	pthread_mutex_t lock;
	struct skbremap_emu *list;
	u32 next_id;
} emu_global = { PTHREAD_MUTEX_INITIALIZER, NULL, 1 };

u64 emu_now_ns(int clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + (u64)ts.tv_nsec;
}

int emu_cond_init(pthread_cond_t *c)
{
	pthread_condattr_t a;
	int err;

	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	err = pthread_cond_init(c, &a);
	pthread_condattr_destroy(&a);
	return -err;
}

/*
 * A source thread takes the read side once per packet; with glibc's
 * default (readers first) a SET_FILTER could wait behind it for as long
 * as packets keep coming.
 */
void emu_rwlock_init_writer_first(pthread_rwlock_t *l)
{
	pthread_rwlockattr_t a;

	pthread_rwlockattr_init(&a);
	pthread_rwlockattr_setkind_np(&a,
		PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(l, &a);
	pthread_rwlockattr_destroy(&a);
}

void emu_cond_wait_until(pthread_cond_t *c, pthread_mutex_t *m, u64 mono_ns)
{
	struct timespec ts = {
		.tv_sec = (time_t)(mono_ns / 1000000000ULL),
		.tv_nsec = (long)(mono_ns % 1000000000ULL),
	};

	pthread_cond_timedwait(c, m, &ts);
}

/*
 * The source and worker threads block every signal: the host process (a
 * .NET runtime, say) gets its SIGINT/SIGTERM on a thread of its own.
 */
int emu_thread_create(pthread_t *t, void *(*fn)(void *), void *arg)
{
	sigset_t all, old;
	int err;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(t, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return -err;
}

/*
 * The mode gauges of the stats. copy_threshold: the configured one, or
 * the calibration's (emu_calibrate at START) when 0. Must hold e->lock
 * or own e.
 */
static void mode_stats(struct skbremap_emu *e)
{
	e->st.mode = e->mode;
	e->copy_threshold = e->cfg.copy_threshold;
	if (e->mode != SKBREMAP_MODE_ADAPTIVE)
		e->copy_threshold = 0;
	e->st.copy_threshold = e->copy_threshold;
	e->st.calib_copy_ns = 0;
	e->st.calib_remap_ns = 0;
}

int skbremap_emu_open(struct skbremap_emu **out)
{
	struct skbremap_config zero = { 0 };
	struct skbremap_emu *e;
	long ps = sysconf(_SC_PAGESIZE);
	int err;

	if (!out)
		return -EFAULT;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->page_size = (u32)ps;
	e->ctl_fd = e->win_fd = e->win_ro_fd = -1;
	e->filling = -1;
	e->pid = getpid();
	pthread_mutex_init(&e->ctl_lock, NULL);
	pthread_mutex_init(&e->lock, NULL);
	emu_cond_init(&e->poll_wait);
	emu_cond_init(&e->win_free);
	emu_queue_init(&e->q);
	emu_rwlock_init_writer_first(&e->filter_lock);
	e->spec.kind = EMU_SRC_AFPACKET;
	e->scatter = getenv("SKBREMAP_EMU_SCATTER") &&
		     !strcmp(getenv("SKBREMAP_EMU_SCATTER"), "1");

	/* A region with the defaults exists from open on, as in the module. */
	skbremap_config_resolve(&zero, &e->cfg);
	skbremap_mode_resolve(e->cfg.mode, EMU_FEATURES, &e->mode);
	mode_stats(e);
	skbremap_layout_fill(&e->cfg, e->page_size, &e->layout);
	err = emu_region_create(e);
	if (err)
		goto err_free;

	pthread_mutex_lock(&emu_global.lock);
	e->id = emu_global.next_id++;
	e->next = emu_global.list;
	emu_global.list = e;
	pthread_mutex_unlock(&emu_global.lock);
	*out = e;
	return 0;

err_free:
	pthread_rwlock_destroy(&e->filter_lock);
	emu_queue_destroy(&e->q);
	pthread_cond_destroy(&e->win_free);
	pthread_cond_destroy(&e->poll_wait);
	pthread_mutex_destroy(&e->lock);
	pthread_mutex_destroy(&e->ctl_lock);
	free(e);
	return err;
}

/* Hook-side counters joined with the worker's. Must hold e->lock. */
void emu_stats_snapshot(struct skbremap_emu *e, struct skbremap_stats *out)
{
	*out = e->st;
	pthread_mutex_lock(&e->q.lock);
	out->seen = e->q.seen;
	out->filtered = e->q.filtered;
	out->drop_queue_full = e->q.drop_queue_full;
	out->drop_nomem += e->q.drop_nomem;
	out->fanout_rollover = e->q.fanout_rollover;
	pthread_mutex_unlock(&e->q.lock);
	out->in_flight = out->seen - out->captured - out->filtered -
			 out->drop_queue_full - out->drop_no_window -
			 out->drop_nomem - out->drop_too_big;
	/*
	 * Packets held, as the module's skbs: queued, in the worker's hands,
	 * in the filling window (in_flight) and in published windows.
	 */
	out->skbs_held = e->st.skbs_held + out->in_flight;
	memset(out->reserved, 0, sizeof(out->reserved));
}

/* Must hold ctl_lock. */
static int capture_start(struct skbremap_emu *e)
{
	int err;

	if (e->running)
		return -EBUSY;
	if (!e->wins)		/* the last CONFIGURE failed to build it */
		return -ENOMEM;
	pthread_mutex_lock(&e->lock);
	if (!e->win_view || e->nr_maps < 2) {
		pthread_mutex_unlock(&e->lock);
		return -EINVAL;	/* map both parts first, as the module */
	}
	e->source_done = false;
	memset(&e->src_skipped, 0, sizeof(e->src_skipped));
	if (e->mode == SKBREMAP_MODE_ADAPTIVE && !e->cfg.copy_threshold)
		emu_calibrate(e);
	pthread_mutex_lock(&e->q.lock);
	emu_queue_reset(&e->q, e->cfg.queue_limit,
			e->spec.kind == EMU_SRC_PCAP ||
			(e->spec.kind == EMU_SRC_SYNTHETIC && e->spec.lossless));
	pthread_mutex_unlock(&e->q.lock);
	pthread_mutex_unlock(&e->lock);

	err = emu_worker_start(e);
	if (err)
		return err;
	/* A member of a fanout group runs on the group's source. */
	err = e->fanout ? emu_fanout_start(e) : emu_source_start(e);
	if (err) {
		emu_worker_stop(e);
		return err;
	}
	pthread_mutex_lock(&e->lock);
	e->running = true;
	pthread_mutex_unlock(&e->lock);
	return 0;
}

/* Must hold ctl_lock. Unhook the source, then let the worker flush. */
static int capture_stop(struct skbremap_emu *e)
{
	if (!e->running)
		return 0;
	if (e->fanout)
		emu_fanout_stop(e);
	else
		emu_source_stop(e);
	emu_worker_stop(e);
	pthread_mutex_lock(&e->lock);
	e->running = false;
	pthread_mutex_unlock(&e->lock);
	return 0;
}

/* Must hold ctl_lock. */
static int capture_configure(struct skbremap_emu *e,
			     const struct skbremap_config *in)
{
	struct skbremap_config cfg;
	int err;

	u32 mode;

	err = skbremap_config_resolve(in, &cfg);
	if (err)
		return err;
	err = skbremap_mode_resolve(cfg.mode, EMU_FEATURES, &mode);
	if (err)
		return err;
	pthread_mutex_lock(&e->lock);
	if (e->running || e->nr_maps) {
		pthread_mutex_unlock(&e->lock);
		return -EBUSY;
	}
	emu_region_destroy(e);
	e->cfg = cfg;
	e->mode = mode;
	mode_stats(e);
	skbremap_layout_fill(&cfg, e->page_size, &e->layout);
	err = emu_region_create(e);
	pthread_mutex_unlock(&e->lock);
	return err;
}

/* Must hold ctl_lock. */
static int capture_bind(struct skbremap_emu *e, const struct skbremap_bind *b)
{
	char name[IF_NAMESIZE];

	if (b->flags || b->reserved || b->ifindex < 0)
		return -EINVAL;
	if (b->ifindex && !if_indextoname((unsigned int)b->ifindex, name))
		return -ENODEV;
	if (e->running || !emu_fanout_bind_ok(e, b->ifindex))
		return -EBUSY;
	e->ifindex = b->ifindex;
	return 0;
}

static void fill_global(struct skbremap_global *g)
{
	struct skbremap_emu *e;

	memset(g, 0, sizeof(*g));
	pthread_mutex_lock(&emu_global.lock);
	for (e = emu_global.list; e; e = e->next) {
		struct skbremap_stats st;

		pthread_mutex_lock(&e->lock);
		emu_stats_snapshot(e, &st);
		g->captures++;
		g->pages_held += st.pages_held;
		g->skbs_held += st.skbs_held;
		g->mappings += e->nr_maps;
		pthread_mutex_unlock(&e->lock);
	}
	pthread_mutex_unlock(&emu_global.lock);
}

static int fill_capture(struct skbremap_capture_info *ci)
{
	struct skbremap_emu *e;
	u32 n = 0, i;

	pthread_mutex_lock(&emu_global.lock);
	for (e = emu_global.list; e && n < ci->index; e = e->next)
		n++;
	if (!e) {
		pthread_mutex_unlock(&emu_global.lock);
		return -ENOENT;
	}
	pthread_mutex_lock(&e->lock);
	memset((u8 *)ci + sizeof(ci->index), 0,
	       sizeof(*ci) - sizeof(ci->index));
	ci->id = e->id;
	ci->pid = e->pid;
	ci->ifindex = e->ifindex;
	ci->running = e->running;
	ci->windows = e->wins ? e->layout.windows : 0;
	ci->pages_per_window = e->layout.pages_per_window;
	ci->info_pages = e->layout.info_pages;
	ci->snaplen = e->layout.snaplen;
	for (i = 0; e->wins && i < e->layout.windows; i++)
		skbremap_win_count(ci, e->wins[i].core.state);
	emu_stats_snapshot(e, &ci->stats);
	emu_fanout_info(e, ci);
	pthread_mutex_unlock(&e->lock);
	pthread_mutex_unlock(&emu_global.lock);
	return 0;
}

int skbremap_emu_ioctl(struct skbremap_emu *e, unsigned long cmd, void *arg)
{
	int err = 0;

	if (!e)
		return -EBADF;
	switch (cmd) {
	case SKBREMAP_IOC_VERSION:
	case SKBREMAP_IOC_CONFIGURE:
	case SKBREMAP_IOC_LAYOUT:
	case SKBREMAP_IOC_BIND:
	case SKBREMAP_IOC_STATS:
	case SKBREMAP_IOC_GLOBAL:
	case SKBREMAP_IOC_CAPTURES:
	case SKBREMAP_IOC_SET_FILTER:
	case SKBREMAP_IOC_FANOUT:
		if (!arg)
			return -EFAULT;
		break;
	case SKBREMAP_IOC_START:
	case SKBREMAP_IOC_STOP:
		break;
	default:
		return -ENOTTY;
	}

	switch (cmd) {
	case SKBREMAP_IOC_VERSION: {
		struct skbremap_version *v = arg;

		memset(v, 0, sizeof(*v));
		v->magic = SKBREMAP_MAGIC;
		v->abi_version = SKBREMAP_ABI_VERSION;
		v->page_size = e->page_size;
		v->features = EMU_FEATURES |
			      (e->scatter ? SKBREMAP_FEAT_SCATTER : 0);
		return 0;
	}
	case SKBREMAP_IOC_LAYOUT:
		pthread_mutex_lock(&e->lock);
		*(struct skbremap_layout *)arg = e->layout;
		pthread_mutex_unlock(&e->lock);
		return 0;
	case SKBREMAP_IOC_STATS:
		pthread_mutex_lock(&e->lock);
		emu_stats_snapshot(e, arg);
		pthread_mutex_unlock(&e->lock);
		return 0;
	case SKBREMAP_IOC_GLOBAL:
		fill_global(arg);
		return 0;
	case SKBREMAP_IOC_CAPTURES:
		return fill_capture(arg);
	case SKBREMAP_IOC_SET_FILTER:	/* running or not: atomic swap */
		return emu_filter_set(e, arg);
	}

	pthread_mutex_lock(&e->ctl_lock);
	switch (cmd) {
	case SKBREMAP_IOC_CONFIGURE:
		err = capture_configure(e, arg);
		break;
	case SKBREMAP_IOC_BIND:
		err = capture_bind(e, arg);
		break;
	case SKBREMAP_IOC_START:
		err = capture_start(e);
		break;
	case SKBREMAP_IOC_STOP:
		err = capture_stop(e);
		break;
	case SKBREMAP_IOC_FANOUT:
		err = emu_fanout_join(e, arg);
		break;
	}
	pthread_mutex_unlock(&e->ctl_lock);
	return err;
}

int skbremap_emu_mmap(struct skbremap_emu *e, uint64_t offset, uint64_t length,
		      int prot, void **addr)
{
	int err;

	if (!e)
		return -EBADF;
	if (!addr)
		return -EFAULT;
	pthread_mutex_lock(&e->lock);
	err = emu_region_map(e, offset, length, prot, addr);
	pthread_mutex_unlock(&e->lock);
	return err;
}

int skbremap_emu_munmap(struct skbremap_emu *e, void *addr, uint64_t length)
{
	int err;

	if (!e)
		return -EBADF;
	pthread_mutex_lock(&e->lock);
	err = emu_region_unmap(e, addr, length);
	pthread_mutex_unlock(&e->lock);
	return err;
}

int skbremap_emu_poll(struct skbremap_emu *e, int timeout_ms)
{
	u64 deadline = 0;
	bool done_before;
	int ready;

	if (!e)
		return -EBADF;
	if (timeout_ms > 0)
		deadline = emu_now_ns(CLOCK_MONOTONIC) +
			   (u64)timeout_ms * 1000000ULL;
	pthread_mutex_lock(&e->lock);
	done_before = e->source_done;
	for (;;) {
		emu_reclaim_released(e);
		ready = emu_any_ready(e);
		if (ready || timeout_ms == 0)
			break;
		if (!done_before && e->source_done)
			break;
		if (timeout_ms < 0) {
			pthread_cond_wait(&e->poll_wait, &e->lock);
			continue;
		}
		if (emu_now_ns(CLOCK_MONOTONIC) >= deadline)
			break;
		emu_cond_wait_until(&e->poll_wait, &e->lock, deadline);
	}
	pthread_mutex_unlock(&e->lock);
	return ready;
}

int skbremap_emu_set_source(struct skbremap_emu *e, const char *spec)
{
	struct emu_source_spec s;
	int err;

	if (!e)
		return -EBADF;
	if (!spec)
		return -EFAULT;
	err = emu_source_parse(spec, &s);
	if (err)
		return err;
	pthread_mutex_lock(&e->ctl_lock);
	if (e->running) {
		pthread_mutex_unlock(&e->ctl_lock);
		emu_source_spec_free(&s);
		return -EBUSY;
	}
	emu_source_spec_free(&e->spec);
	e->spec = s;
	pthread_mutex_unlock(&e->ctl_lock);
	return 0;
}

int skbremap_emu_source_done(struct skbremap_emu *e)
{
	int done;

	if (!e)
		return -EBADF;
	pthread_mutex_lock(&e->lock);
	done = e->source_done;
	pthread_mutex_unlock(&e->lock);
	return done;
}

int skbremap_emu_source_skipped(struct skbremap_emu *e,
				struct skbremap_emu_source_skipped *out)
{
	if (!e || !out)
		return -EBADF;
	pthread_mutex_lock(&e->lock);
	*out = e->src_skipped;
	pthread_mutex_unlock(&e->lock);
	return 0;
}

void skbremap_emu_close(struct skbremap_emu *e)
{
	struct skbremap_emu **pe;

	if (!e)
		return;
	pthread_mutex_lock(&e->ctl_lock);
	capture_stop(e);
	emu_fanout_leave(e);
	pthread_mutex_unlock(&e->ctl_lock);

	pthread_mutex_lock(&emu_global.lock);
	for (pe = &emu_global.list; *pe; pe = &(*pe)->next) {
		if (*pe == e) {
			*pe = e->next;
			break;
		}
	}
	pthread_mutex_unlock(&emu_global.lock);

	/* Nobody else can reach e now. */
	emu_region_unmap_all(e);
	emu_region_destroy(e);
	emu_source_spec_free(&e->spec);
	emu_filter_free(e);
	pthread_rwlock_destroy(&e->filter_lock);
	emu_queue_destroy(&e->q);
	pthread_cond_destroy(&e->win_free);
	pthread_cond_destroy(&e->poll_wait);
	pthread_mutex_destroy(&e->lock);
	pthread_mutex_destroy(&e->ctl_lock);
	free(e);
}
