// SPDX-License-Identifier: GPL-2.0
/*
 * A capture: one open() of /dev/skbremap. Configuration, bind, start and
 * stop, statistics, poll, teardown, and the netdevice notifier that ends a
 * capture whose interface goes away.
 *
 * Rule for every function here: no copy_{to,from}_user() under cap->lock
 * (a fault takes mmap_lock, which ranks above cap->lock); device.c copies
 * in and out around these calls.
 */
#include <linux/file.h>
#include <linux/if_ether.h>
#include <linux/memcontrol.h>
#include <linux/netdevice.h>
#include <linux/pid.h>
#include <linux/poll.h>
#include <linux/rtnetlink.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <net/net_namespace.h>

#include "skbremap_mod.h"

static atomic_t skbremap_next_id = ATOMIC_INIT(0);

/*
 * The mode gauges as the emulator keeps them: copy_threshold is the
 * configured one for ADAPTIVE (else the copy_threshold module parameter;
 * 0: calibrated at START), else 0.
 */
static void __skbremap_set_config(struct skbremap_capture *cap,
				  const struct skbremap_config *cfg, u32 mode)
{
	cap->cfg = *cfg;
	if (!cap->cfg.copy_threshold)
		cap->cfg.copy_threshold =
			min_t(u32, READ_ONCE(skbremap_copy_threshold_param),
			      SKBREMAP_MAX_COPY_THRESHOLD);
	cfg = &cap->cfg;
	cap->mode = mode;
	cap->copy_threshold = mode == SKBREMAP_MODE_ADAPTIVE ?
			      cfg->copy_threshold : 0;
	cap->calib_copy_ns = 0;
	cap->calib_remap_ns = 0;
	skbremap_layout_fill(cfg, PAGE_SIZE, &cap->layout);
	WRITE_ONCE(cap->queue_limit, cfg->queue_limit);
	/* The region's own pool pages: not counted against held_limit. */
	cap->fixed_pages = (u64)cap->layout.windows *
			   (cap->layout.info_pages +
			    (skbremap_mode_resident(mode) ?
			     cap->layout.pages_per_window : 0));
}

struct skbremap_capture *skbremap_capture_create(void)
{
	struct skbremap_config defaults = {};
	struct skbremap_capture *cap;
	u32 mode;

	cap = kzalloc(sizeof(*cap), GFP_KERNEL);
	if (!cap)
		return NULL;
	cap->id = atomic_inc_return(&skbremap_next_id);
	cap->pid = get_pid(task_tgid(current));
	cap->memcg = get_mem_cgroup_from_mm(current->mm);
	cap->held_limit = (u64)READ_ONCE(skbremap_held_limit_kb_param) << 10;
	cap->net = get_net(current->nsproxy->net_ns);
	mutex_init(&cap->lock);
	spin_lock_init(&cap->fill_lock);
	/* All zero always resolves: the region has a layout before CONFIGURE. */
	skbremap_config_resolve(&defaults, &defaults);
	skbremap_mode_resolve(defaults.mode, SKBREMAP_MOD_FEATURES, &mode);
	__skbremap_set_config(cap, &defaults, mode);
	atomic_set(&cap->ctl_vmas, 0);
	atomic_set(&cap->win_vmas, 0);
	cap->prot_hook.type = htons(ETH_P_ALL);
	cap->prot_hook.func = skbremap_hook_rcv;
	/*
	 * As AF_PACKET: the hook belongs to the opener's netns. Since 6.15
	 * an unbound ETH_P_ALL hook goes on that netns's own list, and
	 * dev_add_pack() refuses (WARN, nothing added) one without it.
	 */
	cap->prot_hook.af_packet_net = cap->net;
	skb_queue_head_init(&cap->queue);
	INIT_WORK(&cap->work, skbremap_worker);
	INIT_DELAYED_WORK(&cap->retire, skbremap_retire_timer);
	init_waitqueue_head(&cap->poll_wait);

	mutex_lock(&skbremap_captures_lock);
	list_add_tail(&cap->node, &skbremap_captures);
	mutex_unlock(&skbremap_captures_lock);
	atomic64_inc(&skbremap_gauges.captures);
	return cap;
}

/*
 * release(): every VMA holds the file, so none is left and the region can
 * go. Order: off the list (notifier), hook off + synchronize_net (nothing
 * queues), work cancelled (nothing fills), then pages and skbs returned.
 */
void skbremap_capture_destroy(struct skbremap_capture *cap)
{
	mutex_lock(&skbremap_captures_lock);
	list_del(&cap->node);
	mutex_unlock(&skbremap_captures_lock);

	mutex_lock(&cap->lock);
	__skbremap_unhook(cap);
	__skbremap_fanout_leave(cap);
	cap->closing = true;
	mutex_unlock(&cap->lock);

	/* The retire timer queues work; the worker arms the timer. */
	cancel_delayed_work_sync(&cap->retire);
	cancel_work_sync(&cap->work);
	cancel_delayed_work_sync(&cap->retire);

	mutex_lock(&cap->lock);
	__skbremap_purge(cap);
	__skbremap_region_free(cap);
	mutex_unlock(&cap->lock);

	WARN_ON_ONCE(atomic64_read(&cap->skbs_held));
	WARN_ON_ONCE(atomic64_read(&cap->pages_held));
	WARN_ON_ONCE(atomic64_read(&cap->skb_bytes_held));
	skbremap_filter_free(cap);	/* the hook is gone: no reader */
	if (cap->mm)
		mmdrop(cap->mm);
	put_net(cap->net);
	put_pid(cap->pid);
	mem_cgroup_put(cap->memcg);
	mutex_destroy(&cap->lock);
	kfree(cap);
	atomic64_dec(&skbremap_gauges.captures);
}

int skbremap_capture_configure(struct skbremap_capture *cap,
			       const struct skbremap_config *in)
{
	struct skbremap_config cfg;
	u32 mode;
	int err;

	err = skbremap_config_resolve(in, &cfg);
	if (err)
		return err;
	/* -EOPNOTSUPP for a mode this build lacks; 0 = the best it has. */
	err = skbremap_mode_resolve(cfg.mode, SKBREMAP_MOD_FEATURES, &mode);
	if (err)
		return err;
	mutex_lock(&cap->lock);
	if (cap->running || cap->wins)
		err = -EBUSY;	/* the region exists: its layout is fixed */
	else
		__skbremap_set_config(cap, &cfg, mode);
	mutex_unlock(&cap->lock);
	return err;
}

int skbremap_capture_bind(struct skbremap_capture *cap,
			  const struct skbremap_bind *b)
{
	struct net_device *dev;
	int err = 0;

	if (b->flags || b->reserved || b->ifindex < 0)
		return -EINVAL;
	if (b->ifindex) {
		dev = dev_get_by_index(cap->net, b->ifindex);
		if (!dev)
			return -ENODEV;
		dev_put(dev);
	}
	mutex_lock(&cap->lock);
	if (cap->running || !__skbremap_fanout_bind_ok(cap, b->ifindex)) {
		err = -EBUSY;
	} else {
		cap->ifindex = b->ifindex;
		cap->dead = false;
	}
	mutex_unlock(&cap->lock);
	return err;
}

int skbremap_capture_start(struct skbremap_capture *cap)
{
	struct net_device *dev = NULL;
	int err = 0;

	/*
	 * A STOP's flush first (the notifier's STOP does not wait for it):
	 * the part-full window is published before the hook runs again.
	 */
	flush_work(&cap->work);
	/*
	 * ADAPTIVE without a configured threshold measures it first, once
	 * per region (cap->path_set); it takes mmap_lock, which never nests
	 * with rtnl.
	 */
	if (READ_ONCE(cap->mode) == SKBREMAP_MODE_ADAPTIVE &&
	    !READ_ONCE(cap->cfg.copy_threshold) && !READ_ONCE(cap->path_set))
		skbremap_calibrate(cap);

	/* rtnl first: the device cannot go between lookup and dev_add_pack. */
	rtnl_lock();
	mutex_lock(&cap->lock);
	if (cap->running) {
		err = -EBUSY;
		goto out;
	}
	if (!cap->ctl_mapped || !cap->win_mapped ||
	    !atomic_read(&cap->ctl_vmas) || !atomic_read(&cap->win_vmas)) {
		err = -EINVAL;	/* map both parts first */
		goto out;
	}
	if (cap->dead) {
		err = -ENODEV;
		goto out;
	}
	if (cap->ifindex) {
		dev = __dev_get_by_index(cap->net, cap->ifindex);
		if (!dev || dev->reg_state != NETREG_REGISTERED) {
			err = -ENODEV;
			goto out;
		}
		netdev_hold(dev, &cap->dev_tracker, GFP_KERNEL);
	}
	cap->dev = dev;
	cap->prot_hook.dev = dev;
	WRITE_ONCE(cap->held_limit,
		   (u64)READ_ONCE(skbremap_held_limit_kb_param) << 10);
	/*
	 * After the calibration: it decides whether adaptive may remap.
	 * Once per region (see path_set), never again while windows may
	 * hold remapped pages.
	 */
	if (!cap->path_set) {
		cap->direct = skbremap_direct_ok(cap);
		cap->path_set = true;
	}
	WRITE_ONCE(cap->running, true);
	if (cap->fanout)
		__skbremap_fanout_link(cap, dev);	/* the group's hook */
	else
		dev_add_pack(&cap->prot_hook);
out:
	mutex_unlock(&cap->lock);
	rtnl_unlock();
	return err;
}

/* Must hold cap->lock. Unhook; the worker then publishes the rest. */
static void __skbremap_stop(struct skbremap_capture *cap)
{
	lockdep_assert_held(&cap->lock);
	__skbremap_unhook(cap);
	cap->flush_req = true;
	queue_work(skbremap_wq, &cap->work);
}

int skbremap_capture_stop(struct skbremap_capture *cap)
{
	mutex_lock(&cap->lock);
	if (cap->running)
		__skbremap_stop(cap);
	mutex_unlock(&cap->lock);
	/*
	 * Not under cap->lock: the worker takes it. Afterwards the queue is
	 * empty and the part-full window published (SKBREMAP_INFO_FLUSH), so
	 * seen == captured + filtered + drops.
	 */
	flush_work(&cap->work);
	return 0;
}

/* Must hold cap->lock. */
static void __skbremap_stats(struct skbremap_capture *cap,
			     struct skbremap_stats *st)
{
	u64 drops;

	lockdep_assert_held(&cap->lock);
	memset(st, 0, sizeof(*st));
	/* A direct hook may be publishing: the window side, whole. */
	spin_lock_bh(&cap->fill_lock);
	st->drop_queue_full = atomic64_read(&cap->drop_queue_full);
	st->drop_no_window = atomic64_read(&cap->drop_no_window);
	st->drop_nomem = atomic64_read(&cap->drop_nomem);
	st->drop_too_big = atomic64_read(&cap->drop_too_big);
	st->drop_mem_limit = atomic64_read(&cap->drop_mem_limit);
	st->filtered = atomic64_read(&cap->filtered);
	st->captured = cap->ws.captured;
	/*
	 * The hook counts seen before the outcome: reading seen last keeps
	 * in_flight = seen - captured - filtered - drops from going
	 * negative.
	 */
	smp_rmb();
	st->seen = atomic64_read(&cap->seen);
	drops = st->drop_queue_full + st->drop_no_window + st->drop_nomem +
		st->drop_too_big + st->drop_mem_limit;
	st->in_flight = st->seen - st->captured - st->filtered - drops;
	st->captured_bytes = cap->ws.captured_bytes;
	st->wire_bytes = cap->ws.wire_bytes;
	st->windows_published = cap->ws.windows_published;
	st->windows_retired = cap->ws.windows_retired;
	st->windows_released = cap->ws.windows_released;
	st->windows_user = cap->ws.windows_user;
	st->bounced = cap->ws.bounced;
	st->copied = cap->ws.copied;
	st->remapped = cap->ws.remapped;
	st->pages_remapped = cap->ws.pages_remapped;
	st->mode = cap->mode;
	st->copy_threshold = cap->copy_threshold;
	st->calib_copy_ns = cap->calib_copy_ns;
	st->calib_remap_ns = cap->calib_remap_ns;
	st->pages_mapped = cap->ws.pages_mapped;
	st->pages_held = atomic64_read(&cap->pages_held);
	st->skbs_held = atomic64_read(&cap->skbs_held);
	st->skbs_freed = atomic64_read(&cap->skbs_freed);
	st->skb_bytes_held = atomic64_read(&cap->skb_bytes_held);
	st->mem_limit = cap->held_limit;
	st->bad_release = cap->ws.bad_release;
	st->fanout_rollover = atomic64_read(&cap->fanout_rollover);
	spin_unlock_bh(&cap->fill_lock);
}

void skbremap_capture_stats(struct skbremap_capture *cap,
			    struct skbremap_stats *st)
{
	mutex_lock(&cap->lock);
	__skbremap_stats(cap, st);
	mutex_unlock(&cap->lock);
}

/* The index-th capture opened in @net: the others are not the caller's to see. */
int skbremap_capture_info(const struct net *net, u32 index,
			  struct skbremap_capture_info *ci)
{
	struct skbremap_capture *cap;
	int err = -ENOENT;
	u32 i, n = 0;

	mutex_lock(&skbremap_captures_lock);
	list_for_each_entry(cap, &skbremap_captures, node) {
		if (!net_eq(cap->net, net) || n++ != index)
			continue;
		memset(ci, 0, sizeof(*ci));
		ci->index = index;
		ci->id = cap->id;
		ci->pid = pid_vnr(cap->pid);
		mutex_lock(&cap->lock);
		ci->ifindex = cap->ifindex;
		ci->running = cap->running;
		ci->pages_per_window = cap->layout.pages_per_window;
		ci->snaplen = cap->layout.snaplen;
		ci->info_pages = cap->layout.info_pages;
		spin_lock_bh(&cap->fill_lock);
		for (i = 0; cap->wins && i < cap->layout.windows; i++)
			skbremap_win_count(ci, cap->wins[i].win.state);
		spin_unlock_bh(&cap->fill_lock);
		if (cap->wins)
			ci->windows = cap->layout.windows;
		__skbremap_stats(cap, &ci->stats);
		ci->fanout_member = SKBREMAP_FANOUT_NOT_LINKED;
		__skbremap_fanout_info(cap, ci);
		mutex_unlock(&cap->lock);
		err = 0;
		break;
	}
	mutex_unlock(&skbremap_captures_lock);
	return err;
}

/*
 * POLLIN: a window is READY. A RELEASED one kicks the worker, which takes
 * it back. POLLERR | POLLHUP: the bound interface is gone.
 *
 * The USER windows are looked at oldest first (the user queue) up to the
 * first READY one: O(released + 1) for a consumer that releases in order;
 * all of them at most once a jiffy (cap->uq_scanned, as the take-back),
 * for windows released out of order.
 */
__poll_t skbremap_capture_poll(struct skbremap_capture *cap)
{
	struct skbremap_win_ctl *ctl;
	bool kick = false, whole;
	__poll_t mask = 0;
	u32 i, status;

	mutex_lock(&cap->lock);
	if (cap->dead)
		mask |= EPOLLERR | EPOLLHUP;
	spin_lock_bh(&cap->fill_lock);
	whole = time_after(jiffies, cap->uq_scanned);
	for (i = 0; cap->wins && i < cap->uq.len; i++) {
		ctl = skbremap_win_ctl_at(cap->ctl, &cap->layout,
					  skbremap_uq_at(&cap->uq, i));
		/* Hostile word, used as a hint only. */
		status = READ_ONCE(ctl->status);
		if (status == SKBREMAP_WIN_READY) {
			mask |= EPOLLIN | EPOLLRDNORM;
			if (!whole)
				break;
		} else if (status == SKBREMAP_WIN_RELEASED) {
			kick = true;
		}
	}
	/* Read whole and nothing to take back: not again this jiffy. */
	if (whole && !kick)
		cap->uq_scanned = jiffies;
	/*
	 * A direct capture's take-back changes no page table: done here,
	 * under the locks held, rather than by a worker woken for it.
	 */
	if (kick && cap->direct) {
		__skbremap_direct_take_back(cap);
		kick = false;
	}
	spin_unlock_bh(&cap->fill_lock);
	if (kick && !cap->closing)
		queue_work(skbremap_wq, &cap->work);
	mutex_unlock(&cap->lock);
	return mask;
}

/* Must hold rtnl. A capture bound to @dev ends: poll says POLLHUP. */
static void skbremap_netdev_gone(struct net_device *dev)
{
	struct skbremap_capture *cap;

	mutex_lock(&skbremap_captures_lock);
	list_for_each_entry(cap, &skbremap_captures, node) {
		mutex_lock(&cap->lock);
		if (cap->ifindex == dev->ifindex &&
		    net_eq(cap->net, dev_net(dev))) {
			if (cap->running)
				__skbremap_stop(cap);
			cap->dead = true;
			wake_up_interruptible(&cap->poll_wait);
		}
		mutex_unlock(&cap->lock);
	}
	mutex_unlock(&skbremap_captures_lock);
}

static int skbremap_netdev_event(struct notifier_block *nb,
				 unsigned long event, void *ptr)
{
	if (event == NETDEV_UNREGISTER)
		skbremap_netdev_gone(netdev_notifier_info_to_dev(ptr));
	return NOTIFY_DONE;
}

static struct notifier_block skbremap_netdev_nb = {
	.notifier_call = skbremap_netdev_event,
};

int skbremap_netdev_notifier_register(void)
{
	return register_netdevice_notifier(&skbremap_netdev_nb);
}

void skbremap_netdev_notifier_unregister(void)
{
	unregister_netdevice_notifier(&skbremap_netdev_nb);
}
