// SPDX-License-Identifier: GPL-2.0
/*
 * prot_hook.func: the tap. It runs for every packet of the capture's
 * network namespace (or of the bound interface) in softirq or with BH
 * disabled, so it never sleeps and never blocks: it runs the filter
 * program on the stack's skb (filter.c) and, only for a packet the filter
 * keeps, takes a private clone, puts it on the capture's bounded queue and
 * queues the worker. Everything else (copy, remap, publish) happens in the
 * worker. A direct capture (ring path only) is the exception: the hook
 * copies the packet into its window itself (skbremap_hook_direct()).
 *
 * The clone is ours alone (skb_clone() gives it no socket and no
 * destructor), so its cb holds our per-packet record and its destructor
 * keeps the skbs_held and skb_bytes_held gauges: a REMAP skb stays
 * referenced until user space releases the window that shows it (the
 * deferred, destructor-based free). What the clones pin counts against
 * the capture's memory bound (held_limit): a packet that would pass it is
 * dropped before it is cloned.
 */
#include <linux/ktime.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <net/dst.h>
#include <net/netfilter/nf_conntrack.h>

#include "skbremap_mod.h"

static void skbremap_skb_destructor(struct sk_buff *skb)
{
	struct skbremap_capture *cap = SKBREMAP_SKB_CB(skb)->cap;
	u32 truesize = SKBREMAP_SKB_CB(skb)->truesize;

	atomic64_sub(truesize, &skbremap_gauges.skb_bytes_held);
	atomic64_sub(truesize, &cap->skb_bytes_held);
	atomic64_dec(&skbremap_gauges.skbs_held);
	atomic64_inc(&cap->skbs_freed);
	atomic64_dec(&cap->skbs_held);
}

/* Wall-clock time of the packet, like AF_PACKET reports it. */
static u64 skbremap_tstamp_ns(const struct sk_buff *skb)
{
	ktime_t t = skb_tstamp(skb);

	/* 0 also for a delivery time (EDT of TCP): not a wall-clock stamp. */
	if (!t)
		return ktime_get_real_ns();
	return ktime_to_ns(t);
}

/*
 * A direct capture (worker.c): no clone. Like packet_rcv(), the frame is
 * shown from its link-layer header by moving the shared skb's data
 * pointer for the copy only, and putting data and len back afterwards.
 */
static void skbremap_hook_direct(struct skbremap_capture *cap,
				 struct sk_buff *skb, struct net_device *dev,
				 u32 snap)
{
	struct skbremap_skb_cb meta = {
		.cap = cap,
		.tstamp_ns = skbremap_tstamp_ns(skb),
		.ifindex = dev->ifindex,
		.snap = snap,
		.pkttype = skb->pkt_type,
	};
	unsigned int len = skb->len;
	u8 *data = skb->data;

	skbremap_push_mac(skb, dev);
	skbremap_direct_rcv(cap, skb, &meta);
	skb->data = data;
	skb->len = len;
}

/*
 * One capture's receive path, for its own prot_hook and for the hook of
 * its fanout group (fanout.c), which chose it (@rolled: for another
 * member without room). @skb is the stack's: the caller consumes it.
 */
void skbremap_capture_rcv(struct skbremap_capture *cap, struct sk_buff *skb,
			  struct net_device *dev, bool rolled)
{
	struct skbremap_skb_cb *cb;
	struct sk_buff *nskb;
	unsigned long flags;
	u32 limit, snap, truesize;
	bool nomem;

	if (!READ_ONCE(cap->running) || !net_eq(dev_net(dev), cap->net))
		return;
	atomic64_inc(&cap->seen);
	if (rolled)
		atomic64_inc(&cap->fanout_rollover);

	/* Before anything costs: an unselected packet is never cloned. */
	snap = skbremap_filter_run(cap, skb, dev, &nomem);
	if (!snap) {
		atomic64_inc(nomem ? &cap->drop_nomem : &cap->filtered);
		return;
	}

	/* Set before dev_add_pack() published the hook; fixed while it runs. */
	if (cap->direct) {
		skbremap_hook_direct(cap, skb, dev, snap);
		return;
	}

	limit = READ_ONCE(cap->queue_limit);
	/* Cheap early test: do not clone what the queue cannot take. */
	if (skb_queue_len_lockless(&cap->queue) >= limit) {
		atomic64_inc(&cap->drop_queue_full);
		return;
	}
	/*
	 * The clone pins what the stack's skb pins, its truesize: reserved
	 * against the bound before cloning, so that hooks on several CPUs
	 * cannot pass it together.
	 */
	truesize = skb->truesize;
	if (atomic64_add_return(truesize, &cap->skb_bytes_held) +
	    skbremap_packet_page_bytes(cap) > READ_ONCE(cap->held_limit)) {
		atomic64_sub(truesize, &cap->skb_bytes_held);
		atomic64_inc(&cap->drop_mem_limit);
		return;
	}
	nskb = skb_clone(skb, GFP_ATOMIC);
	if (!nskb) {
		atomic64_sub(truesize, &cap->skb_bytes_held);
		atomic64_inc(&cap->drop_nomem);
		return;
	}

	/* Show the frame from its link-layer header, as AF_PACKET does. */
	skbremap_push_mac(nskb, dev);

	BUILD_BUG_ON(sizeof(struct skbremap_skb_cb) > sizeof(nskb->cb));
	cb = SKBREMAP_SKB_CB(nskb);
	cb->cap = cap;
	cb->tstamp_ns = skbremap_tstamp_ns(skb);
	cb->ifindex = dev->ifindex;
	cb->snap = snap;
	cb->pkttype = skb->pkt_type;
	cb->truesize = truesize;	/* skb_clone() copies it */

	/* Hold nothing of the stack's but the data: no dev, dst, conntrack. */
	nskb->dev = NULL;
	skb_dst_drop(nskb);
	nf_reset_ct(nskb);
	nskb->destructor = skbremap_skb_destructor;
	atomic64_inc(&cap->skbs_held);
	atomic64_inc(&skbremap_gauges.skbs_held);
	atomic64_add(truesize, &skbremap_gauges.skb_bytes_held);

	spin_lock_irqsave(&cap->queue.lock, flags);
	if (skb_queue_len(&cap->queue) >= limit) {
		spin_unlock_irqrestore(&cap->queue.lock, flags);
		atomic64_inc(&cap->drop_queue_full);
		kfree_skb(nskb);
		return;
	}
	__skb_queue_tail(&cap->queue, nskb);
	spin_unlock_irqrestore(&cap->queue.lock, flags);

	queue_work(skbremap_wq, &cap->work);
}

int skbremap_hook_rcv(struct sk_buff *skb, struct net_device *dev,
		      struct packet_type *pt, struct net_device *orig_dev)
{
	struct skbremap_capture *cap =
		container_of(pt, struct skbremap_capture, prot_hook);

	skbremap_capture_rcv(cap, skb, dev, false);
	consume_skb(skb);
	return 0;
}

/*
 * Must hold cap->lock. Unregisters the hook (or leaves the running members
 * of its fanout group) and waits until no CPU runs it (dev_remove_pack()
 * includes synchronize_net()); afterwards nothing adds to cap->queue
 * until the next START.
 */
void __skbremap_unhook(struct skbremap_capture *cap)
{
	lockdep_assert_held(&cap->lock);
	if (!cap->running)
		return;
	if (cap->fanout) {
		/* Out of the group first: it runs until no hook picks it. */
		__skbremap_fanout_unlink(cap);
		WRITE_ONCE(cap->running, false);
	} else {
		WRITE_ONCE(cap->running, false);
		dev_remove_pack(&cap->prot_hook);
	}
	if (cap->dev) {
		netdev_put(cap->dev, &cap->dev_tracker);
		cap->dev = NULL;
	}
}
