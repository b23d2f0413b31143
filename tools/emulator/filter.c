// SPDX-License-Identifier: GPL-2.0
/*
 * The capture's filter program (SKBREMAP_IOC_SET_FILTER), the emulator's
 * version of kernel/filter.c: the same checks (kernel/core/filter_check.c),
 * then libpcap's interpreter in place of the kernel's cBPF machinery.
 *
 * Replacement is atomic w.r.t. the hook. e->filter_lock is a rwlock:
 *   read   the source thread, for the one bpf_filter() run of a packet
 *   write  SET_FILTER and close, only to swap or clear the pointer
 * so the old program is freed only after the last run that could see it
 * has finished (the write lock is the source thread's quiescent point),
 * and every packet is judged by exactly one program or none.
 *
 * A VLAN tag the source got as metadata (SKBREMAP_PKT_VLAN, from
 * PACKET_AUXDATA) is put back in front of the program, as libpcap puts it
 * back for tcpdump and as the module does: the program sees the frame as
 * it was on the wire. Its verdict then counts the tag's 4 bytes, so the
 * captured frame (tag still in metadata) is cut 4 bytes shorter.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <stdlib.h>
#include <pcap/pcap.h>

#include "emu_internal.h"

struct emu_filter {
	u32 len;
	struct bpf_insn insns[];
};

/* struct sock_filter and struct bpf_insn are the same four fields. */
_Static_assert(sizeof(struct bpf_insn) == 8, "struct bpf_insn is not 8 bytes");
_Static_assert(offsetof(struct bpf_insn, k) == 4, "bpf_insn.k not at 4");

/* Any consumer thread; concurrent SET_FILTERs each swap atomically. */
static void filter_swap(struct skbremap_emu *e, struct emu_filter *nf)
{
	struct emu_filter *old;

	pthread_rwlock_wrlock(&e->filter_lock);
	old = e->filter;
	e->filter = nf;
	pthread_rwlock_unlock(&e->filter_lock);
	free(old);
}

int emu_filter_set(struct skbremap_emu *e, const struct skbremap_filter *uf)
{
	struct emu_filter *nf;
	u16 *masks;
	int err;

	err = skbremap_filter_arg_check(uf);
	if (err)
		return err;
	if (!uf->len) {
		filter_swap(e, NULL);
		return 0;
	}
	if (!uf->insns)
		return -EFAULT;

	/* Copy first: user space may change its array after the check. */
	nf = malloc(sizeof(*nf) + (size_t)uf->len * sizeof(nf->insns[0]));
	masks = malloc((size_t)uf->len * sizeof(*masks));
	if (!nf || !masks) {
		err = -ENOMEM;
		goto out;
	}
	nf->len = uf->len;
	memcpy(nf->insns, (const void *)(uintptr_t)uf->insns,
	       (size_t)uf->len * sizeof(nf->insns[0]));

	err = skbremap_filter_check((const struct sock_filter *)nf->insns,
				    nf->len, masks);
	/* libpcap's own precondition for bpf_filter(), never weaker. */
	if (!err && !bpf_validate(nf->insns, (int)nf->len))
		err = -EINVAL;
	if (err)
		goto out;
	filter_swap(e, nf);
	nf = NULL;
out:
	free(masks);
	free(nf);
	return err;
}

/* close: nobody runs the filter any more. */
void emu_filter_free(struct skbremap_emu *e)
{
	free(e->filter);
	e->filter = NULL;
	free(e->filter_scratch);
	e->filter_scratch = NULL;
}

/*
 * @data with the tag of @m inserted after the MAC addresses, in the source
 * thread's scratch buffer. Must hold filter_lock (read).
 */
static u32 run_tagged(struct skbremap_emu *e, const struct emu_pkt_meta *m,
		      const u8 *data, u32 len, u32 wirelen, bool *nomem)
{
	u16 tci = htons(m->vlan_tci);
	u8 *t = e->filter_scratch;
	u32 res;

	if (!t) {
		t = malloc(EMU_MAX_FRAME + EMU_VLAN_HLEN);
		if (!t) {
			*nomem = true;
			return 0;
		}
		e->filter_scratch = t;
	}
	memcpy(t, data, 12);
	memcpy(t + 12, &m->vlan_proto, 2);	/* network byte order */
	memcpy(t + 14, &tci, 2);
	memcpy(t + 16, data + 12, len - 12);
	res = bpf_filter(e->filter->insns, t, wirelen + EMU_VLAN_HLEN,
			 len + EMU_VLAN_HLEN);
	return res > EMU_VLAN_HLEN ? res - EMU_VLAN_HLEN : res;
}

/*
 * The hook's verdict on one frame of @len bytes present, @wirelen on the
 * wire: 0 to drop it (*nomem set when that is for want of memory, not the
 * program's choice), else the bytes to capture (UINT32_MAX with no
 * filter). Source thread only.
 */
u32 emu_filter_run(struct skbremap_emu *e, const struct emu_pkt_meta *m,
		   const u8 *data, u32 len, u32 wirelen, bool *nomem)
{
	u32 res = UINT32_MAX;

	*nomem = false;
	pthread_rwlock_rdlock(&e->filter_lock);
	if (e->filter && (m->flags & SKBREMAP_PKT_VLAN) && len >= 12)
		res = run_tagged(e, m, data, len, wirelen, nomem);
	else if (e->filter)
		res = bpf_filter(e->filter->insns, data, wirelen, len);
	pthread_rwlock_unlock(&e->filter_lock);
	return res;
}
