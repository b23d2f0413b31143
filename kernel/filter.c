// SPDX-License-Identifier: GPL-2.0
/*
 * The capture's filter program (SKBREMAP_IOC_SET_FILTER): classic BPF from
 * pcap_compile(), checked by the rules the emulator shares
 * (core/filter_check.c), then loaded with the kernel's own cBPF machinery
 * (bpf_prog_create(): bpf_check_classic() again, then the conversion to
 * eBPF and the JIT where enabled) and run by the hook on the original skb,
 * before anything is cloned or queued, as packet_rcv() runs a socket's
 * filter.
 *
 * The program is copied from user space once, into our own buffer, and
 * both checks and the loader read that copy: user space cannot change it
 * between check and load.
 *
 * cap->filter is RCU-protected. Rule: it is replaced only under cap->lock
 * (so concurrent SET_FILTERs each retire the program they replaced, once);
 * the hook reads it under rcu_read_lock(); a replaced program is destroyed
 * only after a grace period, so a hook still running it finishes first.
 * Every packet is judged by exactly one program (or none).
 */
#include <linux/filter.h>
#include <linux/mm.h>
#include <linux/netdevice.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "skbremap_mod.h"

/* Copy and check @uf's program; a loaded bpf_prog in *out, or NULL (len 0). */
static int skbremap_filter_load(const struct skbremap_filter *uf,
				struct bpf_prog **out)
{
	struct sock_fprog_kern fprog;
	struct sock_filter *insns;
	u16 *masks;
	int err;

	*out = NULL;
	if (!uf->len)
		return 0;

	insns = vmemdup_user(u64_to_user_ptr(uf->insns),
			     array_size(uf->len, sizeof(*insns)));
	if (IS_ERR(insns))
		return PTR_ERR(insns);
	masks = kvmalloc_array(uf->len, sizeof(*masks), GFP_KERNEL);
	if (!masks) {
		err = -ENOMEM;
		goto out_insns;
	}
	err = skbremap_filter_check(insns, uf->len, masks);
	kvfree(masks);
	if (err)
		goto out_insns;

	fprog.len = uf->len;	/* <= SKBREMAP_MAX_FILTER_INSNS: fits u16 */
	fprog.filter = insns;
	err = bpf_prog_create(out, &fprog);	/* copies the insns */
out_insns:
	kvfree(insns);
	return err;
}

int skbremap_filter_set(struct skbremap_capture *cap,
			const struct skbremap_filter *uf)
{
	struct bpf_prog *prog, *old;
	int err;

	err = skbremap_filter_arg_check(uf);
	if (err)
		return err;
	err = skbremap_filter_load(uf, &prog);
	if (err)
		return err;

	mutex_lock(&cap->lock);
	old = rcu_replace_pointer(cap->filter, prog,
				  lockdep_is_held(&cap->lock));
	mutex_unlock(&cap->lock);

	if (old) {
		/* No hook still runs the old program after this. */
		synchronize_net();
		bpf_prog_destroy(old);
	}
	return 0;
}

/*
 * Teardown: the hook is unregistered (dev_remove_pack() waited for it),
 * so nobody can see the program any more.
 */
void skbremap_filter_free(struct skbremap_capture *cap)
{
	struct bpf_prog *prog = rcu_dereference_protected(cap->filter, true);

	RCU_INIT_POINTER(cap->filter, NULL);
	if (prog)
		bpf_prog_destroy(prog);
}

/*
 * The hook's verdict on @skb as the stack handed it to prot_hook.func:
 * 0 to drop it, else the bytes the program wants captured (U32_MAX with no
 * filter). The skb is shared with the stack and the other taps, so, like
 * packet_rcv(), we move its data pointer to the link-layer header only for
 * the run and put data and len back afterwards; bpf_prog_run_save_cb()
 * leaves the stack's cb as it was.
 *
 * Called from the hook (softirq, or process context with BH disabled),
 * which already runs inside the RCU read-side section of
 * __netif_receive_skb_core() or dev_queue_xmit_nit(); the explicit
 * rcu_read_lock() documents the rule and costs nothing there.
 */
u32 skbremap_filter_run(struct skbremap_capture *cap, struct sk_buff *skb,
			const struct net_device *dev)
{
	unsigned int len = skb->len;
	u8 *data = skb->data;
	struct bpf_prog *prog;
	u32 res = U32_MAX;
	int hlen;

	rcu_read_lock();
	prog = rcu_dereference(cap->filter);
	if (prog) {
		if (dev_has_header(dev) && skb_mac_header_was_set(skb)) {
			hlen = skb->data - skb_mac_header(skb);
			if (hlen > 0 && hlen <= skb_headroom(skb))
				skb_push(skb, hlen);
		}
		res = bpf_prog_run_save_cb(prog, skb);
		skb->data = data;
		skb->len = len;
	}
	rcu_read_unlock();
	return res;
}
