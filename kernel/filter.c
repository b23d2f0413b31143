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
 *
 * A VLAN tag the stack moved into skb metadata (veth, NICs with rx-vlan
 * offload) is put back in front of the program, as libpcap puts it back
 * into the data it hands tcpdump and writes to files: the program sees
 * the frame as it was on the wire and as the capture file shows it, so
 * it selects what "tcpdump -r" of that file selects. (Live tcpdump's own
 * filter runs in AF_PACKET on the frame without the tag and selects
 * tagged frames differently; docs/architecture.md, "VLAN tags".) That
 * takes a private clone with the tag inserted (its header is copied), so
 * it costs only for such packets, and only while a filter is set. The
 * verdict then counts the tag's 4 bytes; the captured frame keeps its tag
 * in metadata (SKBREMAP_PKT_VLAN), so its caplen is 4 bytes less.
 */
#include <linux/filter.h>
#include <linux/if_arp.h>
#include <linux/if_vlan.h>
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

/* Move @skb's data to its link-layer header, as the hook shows frames. */
void skbremap_push_mac(struct sk_buff *skb, const struct net_device *dev)
{
	int hlen;

	if (dev_has_header(dev) && skb_mac_header_was_set(skb)) {
		hlen = skb->data - skb_mac_header(skb);
		if (hlen > 0 && hlen <= skb_headroom(skb))
			skb_push(skb, hlen);
	}
}

/*
 * Whether the tag is in metadata and can be put back: an Ethernet frame
 * whose whole MAC header is in front of (or at) skb->data.
 */
static bool skbremap_tag_outside(const struct sk_buff *skb,
				 const struct net_device *dev)
{
	int hlen;

	if (!skb_vlan_tag_present(skb) || dev->type != ARPHRD_ETHER ||
	    !skb_mac_header_was_set(skb))
		return false;
	hlen = skb->data - skb_mac_header(skb);
	return hlen >= 0 && hlen <= ETH_HLEN && skb->len + hlen >= ETH_HLEN;
}

/*
 * The program on a private clone of @skb with its tag inserted; 0 and
 * *nomem when the clone or its header copy cannot be had.
 */
static u32 skbremap_run_tagged(const struct bpf_prog *prog,
			       struct sk_buff *skb,
			       const struct net_device *dev, bool *nomem)
{
	struct sk_buff *tmp;
	u32 res;

	tmp = skb_clone(skb, GFP_ATOMIC);
	if (!tmp)
		goto nomem;
	skbremap_push_mac(tmp, dev);
	tmp = __vlan_hwaccel_push_inside(tmp);	/* frees tmp on failure */
	if (!tmp)
		goto nomem;
	res = bpf_prog_run_clear_cb(prog, tmp);
	consume_skb(tmp);
	return res > VLAN_HLEN ? res - VLAN_HLEN : res;
nomem:
	*nomem = true;
	return 0;
}

/*
 * The hook's verdict on @skb as the stack handed it to prot_hook.func:
 * 0 to drop it (*nomem set when that is for want of memory rather than
 * the program's choice), else the bytes to capture (U32_MAX with no
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
			const struct net_device *dev, bool *nomem)
{
	unsigned int len = skb->len;
	u8 *data = skb->data;
	struct bpf_prog *prog;
	u32 res = U32_MAX;

	*nomem = false;
	rcu_read_lock();
	prog = rcu_dereference(cap->filter);
	if (prog && skbremap_tag_outside(skb, dev)) {
		res = skbremap_run_tagged(prog, skb, dev, nomem);
	} else if (prog) {
		skbremap_push_mac(skb, dev);
		res = bpf_prog_run_save_cb(prog, skb);
		skb->data = data;
		skb->len = len;
	}
	rcu_read_unlock();
	return res;
}
