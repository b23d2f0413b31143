// SPDX-License-Identifier: GPL-2.0
/*
 * Fanout groups (SKBREMAP_IOC_FANOUT), after AF_PACKET's PACKET_FANOUT
 * (net/packet/af_packet.c: fanout_add, packet_rcv_fanout, __fanout_link):
 *
 *   capture A --join--+                      +--> A's queue/worker/region
 *   capture B --join--+--> group (net, id) --+--> B's ...
 *                          one prot_hook       hook picks one running member
 *
 * A group is (network namespace, id). Its members are the captures that
 * joined it; its running members (between START and STOP) are arr[0..num).
 * The group's prot_hook is registered while num > 0 and replaces the
 * members' own: it picks one running member per packet (core/fanout.c:
 * the symmetric hash, or the CPU, or round robin; then the rollover walk)
 * and hands the stack's skb to that member's usual receive path
 * (skbremap_capture_rcv(), hook.c), which counts it in that member's seen
 * and filters, clones, queues or copies as for a capture of its own.
 *
 * Locks. skbremap_fanout_lock (a mutex) guards the list of groups and, of
 * each group, joined, num, arr[] and every member's fanout_idx. It nests
 * inside cap->lock (START, STOP, close and the notifier hold cap->lock,
 * and rtnl around it for START and the notifier):
 *   rtnl -> skbremap_captures_lock -> cap->lock -> skbremap_fanout_lock
 * It is held across dev_add_pack()/dev_remove_pack() of the group's
 * prot_hook, which sleep (synchronize_net) but take no lock of ours.
 * The hook takes no lock: arr[] is RCU-protected (the hook runs inside
 * the stack's RCU read side), num is published with release after the
 * slot it makes visible, and a member is unlinked and synchronize_net()
 * waited for before it stops counting itself running, so a hook that
 * still picked it delivers to a running capture.
 */
#include <linux/if_arp.h>
#include <linux/if_ether.h>
#include <linux/netdevice.h>
#include <linux/rcupdate.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <net/net_namespace.h>

#include "skbremap_mod.h"

struct skbremap_fanout_group {
	struct list_head node;		/* on skbremap_fanouts */
	const struct net *net;		/* compared only: members hold it */
	u32 id;
	u16 mode;
	u16 flags;
	int ifindex;			/* the members' BIND, 0 = all */
	u32 joined;			/* members (open, joined) */
	u32 num;			/* running members: arr[0..num) */
	struct skbremap_capture __rcu *arr[SKBREMAP_FANOUT_MAX_MEMBERS];
	atomic_t rr;			/* LB's round robin */
	struct packet_type prot_hook;	/* registered while num > 0 */
};

static LIST_HEAD(skbremap_fanouts);
static DEFINE_MUTEX(skbremap_fanout_lock);

/*
 * Whether @cap has no room now: every window published and not yet taken
 * back, or (a worker capture) its queue at the limit. Lockless snapshot,
 * read by the hook: a hint for the rollover, never trusted for counts.
 */
static bool skbremap_fanout_full(struct skbremap_capture *cap)
{
	if (READ_ONCE(cap->ws.windows_user) >= cap->layout.windows)
		return true;
	return !cap->direct &&
	       skb_queue_len_lockless(&cap->queue) >=
	       READ_ONCE(cap->queue_limit);
}

static u32 skbremap_fanout_hash(const struct sk_buff *skb,
				const struct net_device *dev)
{
	u8 buf[SKBREMAP_FANOUT_HASH_BYTES];
	const u8 *frame;
	int off, len;

	if (dev->type != ARPHRD_ETHER || !skb_mac_header_was_set(skb))
		return 0;
	/* From the Ethernet header, in front of (or at) skb->data. */
	off = skb_mac_header(skb) - skb->data;
	if (off > 0 || -off > skb_headroom(skb))
		return 0;
	len = min_t(int, sizeof(buf), skb->len - off);
	if (len <= 0)
		return 0;
	frame = skb_header_pointer(skb, off, len, buf);
	return frame ? skbremap_flow_hash_sym(frame, len) : 0;
}

static int skbremap_fanout_rcv(struct sk_buff *skb, struct net_device *dev,
			       struct packet_type *pt,
			       struct net_device *orig_dev)
{
	struct skbremap_fanout_group *f =
		container_of(pt, struct skbremap_fanout_group, prot_hook);
	struct skbremap_capture *cap, *c;
	bool rolled = false;
	u32 n, idx, i;

	/* Pairs with the release in __skbremap_fanout_link(). */
	n = smp_load_acquire(&f->num);
	if (!n || !net_eq(dev_net(dev), f->net))
		goto out;
	switch (f->mode) {
	case SKBREMAP_FANOUT_HASH:
		idx = skbremap_fanout_scale(skbremap_fanout_hash(skb, dev), n);
		break;
	case SKBREMAP_FANOUT_CPU:
		idx = raw_smp_processor_id() % n;
		break;
	default:
		idx = (u32)atomic_inc_return(&f->rr) % n;
		break;
	}
	cap = rcu_dereference(f->arr[idx]);
	if (!cap)
		goto out;
	if ((f->flags & SKBREMAP_FANOUT_F_ROLLOVER) &&
	    skbremap_fanout_full(cap)) {
		for (i = 1; i < n; i++) {
			c = rcu_dereference(f->arr[(idx + i) % n]);
			if (c && !skbremap_fanout_full(c)) {
				cap = c;
				rolled = true;
				break;
			}
		}
	}
	skbremap_capture_rcv(cap, skb, dev, rolled);
out:
	consume_skb(skb);
	return 0;
}

/* Must hold skbremap_fanout_lock. */
static struct skbremap_fanout_group *
__skbremap_fanout_find(const struct net *net, u32 id)
{
	struct skbremap_fanout_group *f;

	lockdep_assert_held(&skbremap_fanout_lock);
	list_for_each_entry(f, &skbremap_fanouts, node)
		if (f->id == id && net_eq(f->net, net))
			return f;
	return NULL;
}

int skbremap_fanout_join(struct skbremap_capture *cap,
			 const struct skbremap_fanout *a)
{
	struct skbremap_fanout_group *f, *nf;
	int err;

	err = skbremap_fanout_arg_check(a);
	if (err)
		return err;
	/* Allocated before the locks; freed unused if the group exists. */
	nf = kzalloc(sizeof(*nf), GFP_KERNEL);
	if (!nf)
		return -ENOMEM;

	mutex_lock(&cap->lock);
	if (cap->running) {
		err = -EBUSY;
		goto out;
	}
	if (cap->fanout) {
		err = -EALREADY;
		goto out;
	}
	mutex_lock(&skbremap_fanout_lock);
	f = __skbremap_fanout_find(cap->net, a->id);
	if (f) {
		if (f->mode != a->mode || f->flags != a->flags ||
		    f->ifindex != cap->ifindex)
			err = -EINVAL;
		else if (f->joined >= SKBREMAP_FANOUT_MAX_MEMBERS)
			err = -ENOSPC;
	} else {
		f = nf;
		nf = NULL;
		f->net = cap->net;
		f->id = a->id;
		f->mode = a->mode;
		f->flags = a->flags;
		f->ifindex = cap->ifindex;
		f->prot_hook.type = htons(ETH_P_ALL);
		f->prot_hook.func = skbremap_fanout_rcv;
		/* As the captures' own hook (capture.c): the netns's list. */
		f->prot_hook.af_packet_net = cap->net;
		list_add_tail(&f->node, &skbremap_fanouts);
	}
	if (!err) {
		f->joined++;
		cap->fanout = f;
		cap->fanout_idx = SKBREMAP_FANOUT_NOT_LINKED;
	}
	mutex_unlock(&skbremap_fanout_lock);
out:
	mutex_unlock(&cap->lock);
	kfree(nf);
	return err;
}

/* Must hold cap->lock (and rtnl, as START does). @cap is running. */
void __skbremap_fanout_link(struct skbremap_capture *cap,
			    struct net_device *dev)
{
	struct skbremap_fanout_group *f = cap->fanout;

	lockdep_assert_held(&cap->lock);
	mutex_lock(&skbremap_fanout_lock);
	cap->fanout_idx = f->num;
	rcu_assign_pointer(f->arr[f->num], cap);
	/* The slot before the count: the hook reads num with acquire. */
	smp_store_release(&f->num, f->num + 1);
	if (f->num == 1) {
		f->prot_hook.dev = dev;
		dev_add_pack(&f->prot_hook);
	}
	mutex_unlock(&skbremap_fanout_lock);
}

/*
 * Must hold cap->lock. Takes @cap out of the running members (the last
 * one moves into its slot: its share goes to the others) and waits until
 * no hook can still hand it a packet. Afterwards the caller may stop it.
 */
void __skbremap_fanout_unlink(struct skbremap_capture *cap)
{
	struct skbremap_fanout_group *f = cap->fanout;
	struct skbremap_capture *last;
	u32 i;

	lockdep_assert_held(&cap->lock);
	mutex_lock(&skbremap_fanout_lock);
	/*
	 * Read under the group's lock, never before it: another member's
	 * unlink moves this one into its slot (last->fanout_idx below)
	 * holding only skbremap_fanout_lock, not this capture's cap->lock.
	 */
	i = cap->fanout_idx;
	if (WARN_ON_ONCE(i >= f->num)) {
		mutex_unlock(&skbremap_fanout_lock);
		return;
	}
	last = rcu_dereference_protected(f->arr[f->num - 1],
					 lockdep_is_held(&skbremap_fanout_lock));
	rcu_assign_pointer(f->arr[i], last);
	last->fanout_idx = i;
	/*
	 * The old last slot keeps its (running) capture until a link
	 * overwrites it: a hook that read the old num still finds one.
	 */
	WRITE_ONCE(f->num, f->num - 1);
	cap->fanout_idx = SKBREMAP_FANOUT_NOT_LINKED;
	if (!f->num) {
		dev_remove_pack(&f->prot_hook);	/* synchronize_net() */
		f->prot_hook.dev = NULL;
		RCU_INIT_POINTER(f->arr[0], NULL);
		mutex_unlock(&skbremap_fanout_lock);
		return;
	}
	mutex_unlock(&skbremap_fanout_lock);
	synchronize_net();
}

/* Must hold cap->lock; @cap is stopped (unlinked). close() only. */
void __skbremap_fanout_leave(struct skbremap_capture *cap)
{
	struct skbremap_fanout_group *f = cap->fanout;

	lockdep_assert_held(&cap->lock);
	if (!f)
		return;
	mutex_lock(&skbremap_fanout_lock);
	WARN_ON_ONCE(cap->fanout_idx != SKBREMAP_FANOUT_NOT_LINKED);
	cap->fanout = NULL;
	if (!--f->joined) {
		WARN_ON_ONCE(f->num);
		list_del(&f->node);
		kfree(f);
	}
	mutex_unlock(&skbremap_fanout_lock);
}

/* Must hold cap->lock. The group's part of SKBREMAP_IOC_CAPTURES. */
void __skbremap_fanout_info(struct skbremap_capture *cap,
			    struct skbremap_capture_info *ci)
{
	struct skbremap_fanout_group *f = cap->fanout;

	lockdep_assert_held(&cap->lock);
	if (!f)
		return;
	mutex_lock(&skbremap_fanout_lock);
	ci->fanout_id = f->id;
	ci->fanout_mode = f->mode;
	ci->fanout_flags = f->flags;
	ci->fanout_member = cap->fanout_idx;
	ci->fanout_members = f->num;
	mutex_unlock(&skbremap_fanout_lock);
}

/* Must hold cap->lock. A member is bound as its group: BIND may not move it. */
bool __skbremap_fanout_bind_ok(struct skbremap_capture *cap, int ifindex)
{
	lockdep_assert_held(&cap->lock);
	return !cap->fanout || cap->fanout->ifindex == ifindex;
}
