// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/skbremap: the misc device and its file operations. Every ioctl
 * argument is copied into a kernel struct first and checked there (core/
 * and capture.c); nothing is read from user memory twice. Results are
 * built in zeroed kernel structs and copied out after every lock is
 * dropped.
 */
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/uaccess.h>
#include <net/net_namespace.h>

#include "skbremap_mod.h"

static int skbremap_open(struct inode *inode, struct file *file)
{
	struct skbremap_capture *cap;
	int err;

	/*
	 * As AF_PACKET's packet_create(): CAP_NET_RAW over the opener's
	 * network namespace, the only one the capture can see and bind
	 * (root of a container's user namespace qualifies for its own).
	 * group_capture=1 leaves the decision to the device node's mode
	 * and group, already checked by the VFS.
	 */
	if (!READ_ONCE(skbremap_group_capture_param) &&
	    !ns_capable(current->nsproxy->net_ns->user_ns, CAP_NET_RAW))
		return -EPERM;
	cap = skbremap_capture_create();
	if (!cap)
		return -ENOMEM;
	err = skbremap_mapping_create(cap);
	if (err) {
		skbremap_capture_destroy(cap);
		return err;
	}
	/* Before any mmap: its VMAs join the capture's own address_space. */
	file->f_mapping = cap->inode->i_mapping;
	file->private_data = cap;
	return stream_open(inode, file);
}

static int skbremap_release(struct inode *inode, struct file *file)
{
	struct skbremap_capture *cap = file->private_data;
	struct inode *own = cap->inode;

	skbremap_capture_destroy(cap);
	/* Nothing may follow f_mapping into the inode that goes now. */
	file->f_mapping = inode->i_mapping;
	skbremap_mapping_destroy(own);
	return 0;
}

static __poll_t skbremap_poll(struct file *file, poll_table *wait)
{
	struct skbremap_capture *cap = file->private_data;

	poll_wait(file, &cap->poll_wait, wait);
	return skbremap_capture_poll(cap);
}

/*
 * SKBREMAP_IOC_GLOBAL. The module-wide gauges (every namespace, and what
 * closed captures still hold) only for a capture opened in the initial
 * network namespace by someone with CAP_SYS_ADMIN there: the host's
 * administrator. Anyone else gets the sums over the captures opened in
 * the same network namespace as this one.
 */
static void skbremap_global_fill(struct file *file, struct skbremap_global *g)
{
	struct skbremap_capture *cap = file->private_data;
	struct skbremap_capture *c;

	memset(g, 0, sizeof(*g));
	if (net_eq(cap->net, &init_net) &&
	    file_ns_capable(file, &init_user_ns, CAP_SYS_ADMIN)) {
		g->captures = atomic64_read(&skbremap_gauges.captures);
		g->pages_held = atomic64_read(&skbremap_gauges.pages_held);
		g->skbs_held = atomic64_read(&skbremap_gauges.skbs_held);
		g->mappings = atomic64_read(&skbremap_gauges.mappings);
		g->skb_bytes_held =
			atomic64_read(&skbremap_gauges.skb_bytes_held);
		return;
	}
	mutex_lock(&skbremap_captures_lock);
	list_for_each_entry(c, &skbremap_captures, node) {
		if (!net_eq(c->net, cap->net))
			continue;
		g->captures++;
		g->pages_held += atomic64_read(&c->pages_held);
		g->skbs_held += atomic64_read(&c->skbs_held);
		g->skb_bytes_held += atomic64_read(&c->skb_bytes_held);
		g->mappings += atomic_read(&c->ctl_vmas) +
			       atomic_read(&c->win_vmas);
	}
	mutex_unlock(&skbremap_captures_lock);
}

static long skbremap_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	struct skbremap_capture *cap = file->private_data;
	void __user *uarg = (void __user *)arg;
	union {
		struct skbremap_version version;
		struct skbremap_config config;
		struct skbremap_layout layout;
		struct skbremap_bind bind;
		struct skbremap_stats stats;
		struct skbremap_global global;
		struct skbremap_capture_info info;
		struct skbremap_filter filter;
		struct skbremap_fanout fanout;
	} *u, ubuf;
	long ret;

	/* Zeroed: reserved fields and padding never leak stack bytes. */
	u = &ubuf;
	memset(u, 0, sizeof(*u));

	switch (cmd) {
	case SKBREMAP_IOC_VERSION:
		u->version.magic = SKBREMAP_MAGIC;
		u->version.abi_version = SKBREMAP_ABI_VERSION;
		u->version.page_size = PAGE_SIZE;
		u->version.features = SKBREMAP_MOD_FEATURES;
		ret = copy_to_user(uarg, &u->version, sizeof(u->version)) ?
		      -EFAULT : 0;
		break;
	case SKBREMAP_IOC_CONFIGURE:
		ret = -EFAULT;
		if (!copy_from_user(&u->config, uarg, sizeof(u->config)))
			ret = skbremap_capture_configure(cap, &u->config);
		break;
	case SKBREMAP_IOC_LAYOUT:
		mutex_lock(&cap->lock);
		u->layout = cap->layout;
		mutex_unlock(&cap->lock);
		ret = copy_to_user(uarg, &u->layout, sizeof(u->layout)) ?
		      -EFAULT : 0;
		break;
	case SKBREMAP_IOC_BIND:
		ret = -EFAULT;
		if (!copy_from_user(&u->bind, uarg, sizeof(u->bind)))
			ret = skbremap_capture_bind(cap, &u->bind);
		break;
	case SKBREMAP_IOC_START:
		ret = skbremap_capture_start(cap);
		break;
	case SKBREMAP_IOC_STOP:
		ret = skbremap_capture_stop(cap);
		break;
	case SKBREMAP_IOC_STATS:
		skbremap_capture_stats(cap, &u->stats);
		ret = copy_to_user(uarg, &u->stats, sizeof(u->stats)) ?
		      -EFAULT : 0;
		break;
	case SKBREMAP_IOC_GLOBAL:
		skbremap_global_fill(file, &u->global);
		ret = copy_to_user(uarg, &u->global, sizeof(u->global)) ?
		      -EFAULT : 0;
		break;
	case SKBREMAP_IOC_CAPTURES:
		ret = -EFAULT;
		if (copy_from_user(&u->info.index, uarg, sizeof(u->info.index)))
			break;
		ret = skbremap_capture_info(cap->net, u->info.index, &u->info);
		if (!ret && copy_to_user(uarg, &u->info, sizeof(u->info)))
			ret = -EFAULT;
		break;
	case SKBREMAP_IOC_SET_FILTER:
		ret = -EFAULT;
		if (!copy_from_user(&u->filter, uarg, sizeof(u->filter)))
			ret = skbremap_filter_set(cap, &u->filter);
		break;
	case SKBREMAP_IOC_FANOUT:
		ret = -EFAULT;
		if (!copy_from_user(&u->fanout, uarg, sizeof(u->fanout)))
			ret = skbremap_fanout_join(cap, &u->fanout);
		break;
	default:
		ret = -ENOTTY;
		break;
	}
	return ret;
}

static const struct file_operations skbremap_fops = {
	.owner		= THIS_MODULE,
	.open		= skbremap_open,
	.release	= skbremap_release,
	.unlocked_ioctl	= skbremap_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.mmap		= skbremap_mmap,
	.poll		= skbremap_poll,
};

static struct miscdevice skbremap_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= SKBREMAP_DEVICE_NAME,
	.fops	= &skbremap_fops,
	/*
	 * root only, as devtmpfs creates it; the packages' udev rule makes
	 * it root:skbcapture 0660 (and group_capture=1 lets that group in).
	 */
	.mode	= 0600,
};

int skbremap_device_register(void)
{
	return misc_register(&skbremap_misc);
}

void skbremap_device_unregister(void)
{
	misc_deregister(&skbremap_misc);
}
