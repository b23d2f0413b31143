// SPDX-License-Identifier: GPL-2.0
/*
 * The checks a filter program (SKBREMAP_IOC_SET_FILTER) must pass before
 * either host runs it. The module then hands it to the kernel's cBPF
 * loader, which checks it again (bpf_check_classic); the emulator hands it
 * to libpcap's bpf_filter(), which checks nothing and aborts on an opcode
 * it does not know. So the rules here are those of bpf_check_classic()
 * minus what only one host can run: a program passes here exactly when it
 * loads in the kernel and libpcap runs it the same way.
 *
 * Refused beyond bpf_check_classic(): loads at negative offsets (k with
 * its top bit set: SKF_AD_OFF ancillary data, SKF_NET_OFF, SKF_LL_OFF).
 * The kernel reads skb metadata there, libpcap reads nothing and rejects
 * the packet; pcap_compile() for DLT_EN10MB on a pcap_open_dead() handle
 * never emits them.
 *
 * One difference no check can remove: a shift by X (a count taken from
 * the packet at run time) of 32 or more gives 0 in libpcap and shifts by
 * X & 31 in the kernel. pcap_compile() emits such shifts only for
 * expressions that shift by packet bytes (e.g. "ip[0] << ip[1] = 8").
 */
#include "skbremap_core.h"
#include <linux/filter.h>

int skbremap_filter_arg_check(const struct skbremap_filter *f)
{
	if (f->flags)
		return -EINVAL;
	if (f->len > SKBREMAP_MAX_FILTER_INSNS)
		return -EINVAL;
	return 0;
}

/* Opcodes both bpf_check_classic() and libpcap's bpf_filter() know. */
static bool opcode_known(u16 code)
{
	switch (code) {
	case BPF_ALU | BPF_ADD | BPF_K:
	case BPF_ALU | BPF_ADD | BPF_X:
	case BPF_ALU | BPF_SUB | BPF_K:
	case BPF_ALU | BPF_SUB | BPF_X:
	case BPF_ALU | BPF_MUL | BPF_K:
	case BPF_ALU | BPF_MUL | BPF_X:
	case BPF_ALU | BPF_DIV | BPF_K:
	case BPF_ALU | BPF_DIV | BPF_X:
	case BPF_ALU | BPF_MOD | BPF_K:
	case BPF_ALU | BPF_MOD | BPF_X:
	case BPF_ALU | BPF_AND | BPF_K:
	case BPF_ALU | BPF_AND | BPF_X:
	case BPF_ALU | BPF_OR | BPF_K:
	case BPF_ALU | BPF_OR | BPF_X:
	case BPF_ALU | BPF_XOR | BPF_K:
	case BPF_ALU | BPF_XOR | BPF_X:
	case BPF_ALU | BPF_LSH | BPF_K:
	case BPF_ALU | BPF_LSH | BPF_X:
	case BPF_ALU | BPF_RSH | BPF_K:
	case BPF_ALU | BPF_RSH | BPF_X:
	case BPF_ALU | BPF_NEG:
	case BPF_LD | BPF_W | BPF_ABS:
	case BPF_LD | BPF_H | BPF_ABS:
	case BPF_LD | BPF_B | BPF_ABS:
	case BPF_LD | BPF_W | BPF_LEN:
	case BPF_LD | BPF_W | BPF_IND:
	case BPF_LD | BPF_H | BPF_IND:
	case BPF_LD | BPF_B | BPF_IND:
	case BPF_LD | BPF_IMM:
	case BPF_LD | BPF_MEM:
	case BPF_LDX | BPF_W | BPF_LEN:
	case BPF_LDX | BPF_B | BPF_MSH:
	case BPF_LDX | BPF_IMM:
	case BPF_LDX | BPF_MEM:
	case BPF_ST:
	case BPF_STX:
	case BPF_MISC | BPF_TAX:
	case BPF_MISC | BPF_TXA:
	case BPF_RET | BPF_K:
	case BPF_RET | BPF_A:
	case BPF_JMP | BPF_JA:
	case BPF_JMP | BPF_JEQ | BPF_K:
	case BPF_JMP | BPF_JEQ | BPF_X:
	case BPF_JMP | BPF_JGE | BPF_K:
	case BPF_JMP | BPF_JGE | BPF_X:
	case BPF_JMP | BPF_JGT | BPF_K:
	case BPF_JMP | BPF_JGT | BPF_X:
	case BPF_JMP | BPF_JSET | BPF_K:
	case BPF_JMP | BPF_JSET | BPF_X:
		return true;
	}
	return false;
}

/* One instruction on its own; jumps are checked against @left after it. */
static bool insn_ok(const struct sock_filter *in, u32 left)
{
	if (!opcode_known(in->code))
		return false;

	switch (in->code) {
	case BPF_ALU | BPF_DIV | BPF_K:
	case BPF_ALU | BPF_MOD | BPF_K:
		return in->k != 0;
	case BPF_ALU | BPF_LSH | BPF_K:
	case BPF_ALU | BPF_RSH | BPF_K:
		return in->k < 32;
	case BPF_LD | BPF_MEM:
	case BPF_LDX | BPF_MEM:
	case BPF_ST:
	case BPF_STX:
		return in->k < BPF_MEMWORDS;
	case BPF_LD | BPF_W | BPF_ABS:
	case BPF_LD | BPF_H | BPF_ABS:
	case BPF_LD | BPF_B | BPF_ABS:
	case BPF_LD | BPF_W | BPF_IND:
	case BPF_LD | BPF_H | BPF_IND:
	case BPF_LD | BPF_B | BPF_IND:
		return in->k < 0x80000000U;
	case BPF_JMP | BPF_JA:
		return in->k < left;
	case BPF_JMP | BPF_JEQ | BPF_K:
	case BPF_JMP | BPF_JEQ | BPF_X:
	case BPF_JMP | BPF_JGE | BPF_K:
	case BPF_JMP | BPF_JGE | BPF_X:
	case BPF_JMP | BPF_JGT | BPF_K:
	case BPF_JMP | BPF_JGT | BPF_X:
	case BPF_JMP | BPF_JSET | BPF_K:
	case BPF_JMP | BPF_JSET | BPF_X:
		return in->jt < left && in->jf < left;
	}
	return true;
}

/*
 * Scratch memory is not cleared between packets (neither host does), so
 * a cell may be read only where every path to the read has written it.
 * Jumps go forward only, so one pass suffices: masks[pc] collects the
 * cells written on every jump that lands on pc.
 */
static bool loads_after_stores(const struct sock_filter *f, u32 len,
			       u16 *masks)
{
	u16 valid = 0;
	u32 pc;

	for (pc = 0; pc < len; pc++)
		masks[pc] = 0xffff;
	for (pc = 0; pc < len; pc++) {
		const struct sock_filter *in = &f[pc];

		valid &= masks[pc];
		switch (in->code) {
		case BPF_ST:
		case BPF_STX:
			valid |= 1U << in->k;
			break;
		case BPF_LD | BPF_MEM:
		case BPF_LDX | BPF_MEM:
			if (!(valid & (1U << in->k)))
				return false;
			break;
		case BPF_JMP | BPF_JA:
			masks[pc + 1 + in->k] &= valid;
			valid = 0xffff;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
		case BPF_JMP | BPF_JEQ | BPF_X:
		case BPF_JMP | BPF_JGE | BPF_K:
		case BPF_JMP | BPF_JGE | BPF_X:
		case BPF_JMP | BPF_JGT | BPF_K:
		case BPF_JMP | BPF_JGT | BPF_X:
		case BPF_JMP | BPF_JSET | BPF_K:
		case BPF_JMP | BPF_JSET | BPF_X:
			masks[pc + 1 + in->jt] &= valid;
			masks[pc + 1 + in->jf] &= valid;
			valid = 0xffff;
			break;
		}
	}
	return true;
}

int skbremap_filter_check(const struct sock_filter *f, u32 len, u16 *masks)
{
	u32 pc;
	u16 last;

	if (len == 0 || len > SKBREMAP_MAX_FILTER_INSNS)
		return -EINVAL;
	for (pc = 0; pc < len; pc++)
		if (!insn_ok(&f[pc], len - pc - 1))
			return -EINVAL;
	last = f[len - 1].code;
	if (last != (BPF_RET | BPF_K) && last != (BPF_RET | BPF_A))
		return -EINVAL;
	if (!loads_after_stores(f, len, masks))
		return -EINVAL;
	return 0;
}
