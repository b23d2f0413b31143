// SPDX-License-Identifier: GPL-2.0
/*
 * The bounded queue between the packet hook (source thread) and the
 * worker: the emulator's version of the module's per-capture skb queue.
 * emu_hook() is prot_hook.func: it counts, runs the filter program,
 * truncates to the program's verdict and snaplen, copies and queues, and
 * it drops and counts when the queue is at queue_limit; only a source that
 * asked for backpressure (pcap replay) waits instead.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <time.h>

#include "emu_internal.h"

void emu_queue_init(struct emu_queue *q)
{
	pthread_mutex_init(&q->lock, NULL);
	emu_cond_init(&q->work);
	emu_cond_init(&q->space);
	q->head = NULL;
	q->tail = &q->head;
}

static void queue_free_all(struct emu_queue *q)
{
	struct emu_pkt *p;

	while ((p = q->head)) {
		q->head = p->next;
		emu_pkt_free(p);
	}
	q->tail = &q->head;
	q->len = 0;
}

void emu_queue_destroy(struct emu_queue *q)
{
	queue_free_all(q);
	pthread_cond_destroy(&q->space);
	pthread_cond_destroy(&q->work);
	pthread_mutex_destroy(&q->lock);
}

/* Before START; the counters are never reset. Must hold q->lock. */
void emu_queue_reset(struct emu_queue *q, u32 limit, bool backpressure)
{
	queue_free_all(q);
	q->limit = limit;
	q->src_stop = false;
	q->stop = false;
	q->source_ended = false;
	q->backpressure = backpressure;
}

/*
 * The emulator's skb: linear, or (with an skb page pool, see skbpool.c)
 * a linear head of EMU_HEAD_LEN bytes plus whole-page frags, as a driver
 * with header split and a page_pool builds it. Copying the bytes in is
 * the NIC's DMA, not a delivery cost.
 */
static struct emu_pkt *pkt_build(struct skbremap_emu *e, const u8 *data,
				 u32 caplen)
{
	struct emu_skbpool *pool = e->pool;	/* fixed while running */
	u32 ps = e->page_size;
	u32 nfr = 0, head = caplen, i;
	struct emu_pkt *p;

	if (pool && caplen >= EMU_HEAD_LEN + ps) {
		head = EMU_HEAD_LEN;
		nfr = (caplen - head + ps - 1) / ps;
	}
	p = malloc(sizeof(*p) + head + nfr * sizeof(u32));
	if (!p)
		return NULL;
	p->pool = NULL;
	p->nr_frags = 0;
	p->frag = (u32 *)(p->data + head);
	if (nfr && emu_skbpool_get(pool, nfr, p->frag) == nfr) {
		p->pool = pool;
		p->nr_frags = nfr;
		for (i = 0; i < nfr; i++) {
			u32 off = head + i * ps;
			u32 n = caplen - off < ps ? caplen - off : ps;

			memcpy(pool->rw + (u64)p->frag[i] * ps, data + off, n);
		}
	} else if (nfr) {
		/* Pool dry: a linear skb (copied later, never dropped). */
		free(p);
		p = malloc(sizeof(*p) + caplen);
		if (!p)
			return NULL;
		p->pool = NULL;
		p->nr_frags = 0;
		p->frag = NULL;
		head = caplen;
	}
	p->head_len = head;
	memcpy(p->data, data, head);
	return p;
}

/*
 * One capture's hook. @rolled: a fanout group gave it a packet the member
 * its mode chose had no room for.
 */
void emu_hook_member(struct skbremap_emu *e, const struct emu_pkt_meta *m,
		     const u8 *data, u32 len, bool rolled)
{
	struct emu_queue *q = &e->q;
	u32 snaplen = e->layout.snaplen;	/* fixed while running */
	u32 wirelen = m->wirelen > len ? m->wirelen : len;
	u32 caplen = snaplen && len > snaplen ? snaplen : len;
	struct emu_pkt *p;
	bool nomem;
	u32 verdict;

	/* Before anything is queued or copied, as the module's hook. */
	verdict = emu_filter_run(e, m, data, len, wirelen, &nomem);
	if (verdict < caplen)
		caplen = verdict;

	pthread_mutex_lock(&q->lock);
	q->seen++;
	if (rolled)
		q->fanout_rollover++;
	if (!verdict) {
		if (nomem)
			q->drop_nomem++;
		else
			q->filtered++;
		goto out;
	}
	while (q->len >= q->limit && q->backpressure && !q->src_stop)
		pthread_cond_wait(&q->space, &q->lock);
	if (q->len >= q->limit) {
		q->drop_queue_full++;
		goto out;
	}
	pthread_mutex_unlock(&q->lock);

	p = pkt_build(e, data, caplen);

	pthread_mutex_lock(&q->lock);
	if (!p) {
		q->drop_nomem++;
		goto out;
	}
	p->next = NULL;
	p->tstamp_ns = m->tstamp_ns;
	p->caplen = caplen;
	p->wirelen = wirelen;
	p->ifindex = m->ifindex;
	p->protocol = m->protocol;
	p->vlan_tci = m->vlan_tci;
	p->vlan_proto = m->vlan_proto;
	p->pkttype = m->pkttype;
	p->reserved = 0;
	p->flags = m->flags;
	/* Only the source adds, so the room checked above is still there. */
	*q->tail = p;
	q->tail = &p->next;
	q->len++;
	pthread_cond_signal(&q->work);
out:
	pthread_mutex_unlock(&q->lock);
}

/* prot_hook.func: the capture's, or its fanout group's (fanout.c). */
void emu_hook(struct skbremap_emu *e, const struct emu_pkt_meta *m,
	      const u8 *data, u32 len)
{
	if (e->hub_of)
		emu_fanout_rcv(e->hub_of, m, data, len);
	else
		emu_hook_member(e, m, data, len, false);
}

void emu_source_end(struct skbremap_emu *e)
{
	if (e->hub_of) {
		emu_fanout_source_end(e->hub_of);
		return;
	}
	pthread_mutex_lock(&e->q.lock);
	e->q.source_ended = true;
	pthread_cond_signal(&e->q.work);
	pthread_mutex_unlock(&e->q.lock);
}

bool emu_source_should_stop(struct skbremap_emu *e)
{
	bool stop;

	pthread_mutex_lock(&e->q.lock);
	stop = e->q.src_stop;
	pthread_mutex_unlock(&e->q.lock);
	return stop;
}

/* Rate pacing of a source: sleep until @mono_ns or STOP. */
void emu_source_sleep_until(struct skbremap_emu *e, u64 mono_ns)
{
	pthread_mutex_lock(&e->q.lock);
	while (!e->q.src_stop && emu_now_ns(CLOCK_MONOTONIC) < mono_ns)
		emu_cond_wait_until(&e->q.space, &e->q.lock, mono_ns);
	pthread_mutex_unlock(&e->q.lock);
}

/* Worker: unlink up to @max packets in order. Must hold q->lock. */
u32 emu_queue_take(struct emu_queue *q, struct emu_pkt **batch, u32 max)
{
	u32 n = 0;

	while (n < max && q->head) {
		batch[n] = q->head;
		q->head = q->head->next;
		n++;
	}
	if (!q->head)
		q->tail = &q->head;
	q->len -= n;
	if (n)
		pthread_cond_broadcast(&q->space);
	return n;
}

/* Packets the source lost before the hook (socket buffer overrun). */
void emu_hook_lost(struct skbremap_emu *e, u64 n)
{
	if (e->hub_of) {
		emu_fanout_lost(e->hub_of, n);
		return;
	}
	pthread_mutex_lock(&e->q.lock);
	e->q.seen += n;
	e->q.drop_queue_full += n;
	pthread_mutex_unlock(&e->q.lock);
}
