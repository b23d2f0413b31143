// SPDX-License-Identifier: GPL-2.0
/*
 * Fanout groups (SKBREMAP_IOC_FANOUT) in the emulation, as the module's
 * (kernel/fanout.c): a group of this process is an id; its running
 * members are arr[0..num); one packet source, the group's, plays the
 * group's prot_hook and hands each packet to one running member's hook
 * (emu_hook_member), chosen by the mode with the module's shared code
 * (kernel/core/fanout.c), then the rollover walk.
 *
 * The group's source runs on a host of its own (hub: an skbremap_emu
 * that is no capture, with no region, whose emu_hook() lands here), so
 * that it outlives any one member. It starts when every member that
 * joined is running (with the spec of the member whose START did that)
 * and stops when the last running member stops.
 *
 * Locks (emu_internal.h): a member's ctl_lock -> f->ctl -> f->lock ->
 * a member's q.lock; a member's lock -> f->lock (the captures listing).
 * The source never holds f->lock while it runs a member's hook (which may
 * wait for queue room): it counts itself in the member's hook_users, and
 * a member that stops waits for that count to drop (the module's
 * synchronize_net()), after waking the source out of any such wait.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdlib.h>
#include <time.h>

#include "emu_internal.h"

/* A lossless source's wait when no member of a rollover group has room. */
#define EMU_FANOUT_RETRY_NS	200000ULL

struct emu_fanout {
	struct emu_fanout *next;	/* emu_fanouts.list */
	u32 id;
	u16 mode;
	u16 flags;
	s32 ifindex;
	u32 joined;			/* under emu_fanouts.lock */
	pthread_mutex_t ctl;
	pthread_mutex_t lock;
	pthread_cond_t idle;		/* a hook_users dropped to 0 */
	u32 num;
	struct skbremap_emu *arr[SKBREMAP_FANOUT_MAX_MEMBERS];
	u32 rr;
	bool src_running;		/* under ctl */
	struct skbremap_emu hub;	/* the group's source host */
};

static struct {
	pthread_mutex_t lock;
	struct emu_fanout *list;
} emu_fanouts = { PTHREAD_MUTEX_INITIALIZER, NULL };

static struct emu_fanout *fanout_new(const struct skbremap_fanout *a,
				     s32 ifindex)
{
	struct emu_fanout *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->id = a->id;
	f->mode = a->mode;
	f->flags = a->flags;
	f->ifindex = ifindex;
	pthread_mutex_init(&f->ctl, NULL);
	pthread_mutex_init(&f->lock, NULL);
	emu_cond_init(&f->idle);
	/* Only what the sources use: spec, ifindex, q, lock, src. */
	pthread_mutex_init(&f->hub.lock, NULL);
	pthread_mutex_init(&f->hub.ctl_lock, NULL);
	emu_queue_init(&f->hub.q);
	f->hub.ifindex = ifindex;
	f->hub.hub_of = f;
	f->hub.filling = -1;
	return f;
}

static void fanout_free(struct emu_fanout *f)
{
	emu_source_spec_free(&f->hub.spec);
	emu_queue_destroy(&f->hub.q);
	pthread_mutex_destroy(&f->hub.ctl_lock);
	pthread_mutex_destroy(&f->hub.lock);
	pthread_cond_destroy(&f->idle);
	pthread_mutex_destroy(&f->lock);
	pthread_mutex_destroy(&f->ctl);
	free(f);
}

/* Must hold e->ctl_lock. */
int emu_fanout_join(struct skbremap_emu *e, const struct skbremap_fanout *a)
{
	struct emu_fanout *f;
	int err;

	err = skbremap_fanout_arg_check(a);
	if (err)
		return err;
	if (e->running)
		return -EBUSY;
	if (e->fanout)
		return -EALREADY;
	pthread_mutex_lock(&emu_fanouts.lock);
	for (f = emu_fanouts.list; f; f = f->next)
		if (f->id == a->id)
			break;
	if (f) {
		if (f->mode != a->mode || f->flags != a->flags ||
		    f->ifindex != e->ifindex)
			err = -EINVAL;
		else if (f->joined >= SKBREMAP_FANOUT_MAX_MEMBERS)
			err = -ENOSPC;
	} else {
		f = fanout_new(a, e->ifindex);
		if (!f) {
			err = -ENOMEM;
		} else {
			f->next = emu_fanouts.list;
			emu_fanouts.list = f;
		}
	}
	if (!err) {
		f->joined++;
		pthread_mutex_lock(&e->lock);
		e->fanout = f;
		pthread_mutex_lock(&f->lock);
		e->fanout_idx = SKBREMAP_FANOUT_NOT_LINKED;
		pthread_mutex_unlock(&f->lock);
		pthread_mutex_unlock(&e->lock);
	}
	pthread_mutex_unlock(&emu_fanouts.lock);
	return err;
}

/* Must hold e->ctl_lock; e's worker runs. START of a member. */
int emu_fanout_start(struct skbremap_emu *e)
{
	struct emu_fanout *f = e->fanout;
	bool all;
	int err = 0;

	pthread_mutex_lock(&f->ctl);
	pthread_mutex_lock(&f->lock);
	e->fanout_idx = f->num;
	e->hook_users = 0;
	f->arr[f->num++] = e;
	pthread_mutex_unlock(&f->lock);

	pthread_mutex_lock(&emu_fanouts.lock);
	all = f->num == f->joined;
	pthread_mutex_unlock(&emu_fanouts.lock);
	if (all && !f->src_running) {
		emu_source_spec_free(&f->hub.spec);
		err = emu_source_spec_copy(&f->hub.spec, &e->spec);
		if (!err) {
			pthread_mutex_lock(&f->hub.q.lock);
			emu_queue_reset(&f->hub.q, 1, false);
			pthread_mutex_unlock(&f->hub.q.lock);
			err = emu_source_start(&f->hub);
		}
		if (err) {
			pthread_mutex_lock(&f->lock);
			f->arr[e->fanout_idx] = f->arr[--f->num];
			f->arr[e->fanout_idx]->fanout_idx = e->fanout_idx;
			e->fanout_idx = SKBREMAP_FANOUT_NOT_LINKED;
			pthread_mutex_unlock(&f->lock);
		} else {
			f->src_running = true;
		}
	}
	pthread_mutex_unlock(&f->ctl);
	return err;
}

/*
 * Must hold e->ctl_lock. STOP of a running member: out of the running
 * members (the last one takes its slot, and its share), then no source
 * in its hook; the group's source stops with the last member.
 */
void emu_fanout_stop(struct skbremap_emu *e)
{
	struct emu_fanout *f = e->fanout;
	u32 i;

	pthread_mutex_lock(&f->ctl);
	/* A source waiting in e's hook for queue room gives up (drops). */
	pthread_mutex_lock(&e->q.lock);
	e->q.src_stop = true;
	pthread_cond_broadcast(&e->q.space);
	pthread_mutex_unlock(&e->q.lock);

	pthread_mutex_lock(&f->lock);
	i = e->fanout_idx;
	if (i < f->num) {
		f->arr[i] = f->arr[--f->num];
		f->arr[i]->fanout_idx = i;
		f->arr[f->num] = NULL;
	}
	e->fanout_idx = SKBREMAP_FANOUT_NOT_LINKED;
	while (e->hook_users)
		pthread_cond_wait(&f->idle, &f->lock);
	pthread_mutex_unlock(&f->lock);

	if (!f->num && f->src_running) {
		emu_source_stop(&f->hub);
		f->src_running = false;
	}
	pthread_mutex_unlock(&f->ctl);
}

/* Must hold e->ctl_lock; e is stopped. close() only. */
void emu_fanout_leave(struct skbremap_emu *e)
{
	struct emu_fanout *f = e->fanout, **pf;

	if (!f)
		return;
	pthread_mutex_lock(&e->lock);
	e->fanout = NULL;
	pthread_mutex_unlock(&e->lock);
	pthread_mutex_lock(&emu_fanouts.lock);
	if (--f->joined) {
		pthread_mutex_unlock(&emu_fanouts.lock);
		return;
	}
	for (pf = &emu_fanouts.list; *pf; pf = &(*pf)->next) {
		if (*pf == f) {
			*pf = f->next;
			break;
		}
	}
	pthread_mutex_unlock(&emu_fanouts.lock);
	fanout_free(f);
}

/* Must hold e->lock. */
void emu_fanout_info(struct skbremap_emu *e, struct skbremap_capture_info *ci)
{
	struct emu_fanout *f = e->fanout;

	ci->fanout_member = SKBREMAP_FANOUT_NOT_LINKED;
	if (!f)
		return;
	pthread_mutex_lock(&f->lock);
	ci->fanout_id = f->id;
	ci->fanout_mode = f->mode;
	ci->fanout_flags = f->flags;
	ci->fanout_member = e->fanout_idx;
	ci->fanout_members = f->num;
	pthread_mutex_unlock(&f->lock);
}

/* Must hold e->ctl_lock. */
bool emu_fanout_bind_ok(struct skbremap_emu *e, s32 ifindex)
{
	return !e->fanout || e->fanout->ifindex == ifindex;
}

/* No free window, or the queue full (see the module's). Under f->lock. */
static bool member_full(struct skbremap_emu *e)
{
	bool full;

	if (READ_ONCE(e->user_windows) >= e->layout.windows)
		return true;
	pthread_mutex_lock(&e->q.lock);
	full = e->q.len >= e->q.limit;
	pthread_mutex_unlock(&e->q.lock);
	return full;
}

/* The group's prot_hook: on the group's source thread. */
void emu_fanout_rcv(struct emu_fanout *f, const struct emu_pkt_meta *m,
		    const u8 *data, u32 len)
{
	struct skbremap_emu *e;
	bool rolled = false;
	u32 n, idx, i;

retry:
	pthread_mutex_lock(&f->lock);
	n = f->num;
	if (!n) {
		pthread_mutex_unlock(&f->lock);
		return;
	}
	switch (f->mode) {
	case SKBREMAP_FANOUT_HASH:
		idx = skbremap_fanout_scale(skbremap_flow_hash_sym(data, len),
					    n);
		break;
	case SKBREMAP_FANOUT_CPU:
		/* One source thread: the CPU it runs on. */
		idx = (u32)sched_getcpu() % n;
		break;
	default:
		idx = f->rr++ % n;
		break;
	}
	e = f->arr[idx];
	if ((f->flags & SKBREMAP_FANOUT_F_ROLLOVER) && member_full(e)) {
		for (i = 1; i < n; i++) {
			if (!member_full(f->arr[(idx + i) % n])) {
				e = f->arr[(idx + i) % n];
				rolled = true;
				break;
			}
		}
		/*
		 * None has room. A lossless source (pcap, lossless=1) waits
		 * for room rather than drop, so it must not wait on the
		 * chosen member alone, which may never release a window:
		 * it waits a moment and chooses again (round robin moves on).
		 */
		if (!rolled && e->q.backpressure &&
		    !emu_source_should_stop(&f->hub)) {
			pthread_mutex_unlock(&f->lock);
			emu_source_sleep_until(&f->hub,
					       emu_now_ns(CLOCK_MONOTONIC) +
					       EMU_FANOUT_RETRY_NS);
			goto retry;
		}
	}
	e->hook_users++;
	pthread_mutex_unlock(&f->lock);

	emu_hook_member(e, m, data, len, rolled);

	pthread_mutex_lock(&f->lock);
	if (!--e->hook_users)
		pthread_cond_broadcast(&f->idle);
	pthread_mutex_unlock(&f->lock);
}

/* A finite source ended: every running member's worker flushes. */
void emu_fanout_source_end(struct emu_fanout *f)
{
	u32 i;

	pthread_mutex_lock(&f->lock);
	for (i = 0; i < f->num; i++)
		emu_source_end(f->arr[i]);
	pthread_mutex_unlock(&f->lock);
}

/* Packets the group's AF_PACKET socket lost: counted by member 0. */
void emu_fanout_lost(struct emu_fanout *f, u64 n)
{
	pthread_mutex_lock(&f->lock);
	if (f->num)
		emu_hook_lost(f->arr[0], n);
	pthread_mutex_unlock(&f->lock);
}
