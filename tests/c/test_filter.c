// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the filter program (SKBREMAP_IOC_SET_FILTER): the shared checks
 * of kernel/core/filter_check.c on programs pcap_compile() makes and on
 * hostile ones, and the emulator's hook running them. libpcap is the
 * oracle: for every expression, the packets that arrive are exactly the
 * frames pcap_offline_filter() accepts, in order, each cut to the length
 * the program returned (and to snaplen). Built with ASan/UBSan; the
 * replacement test swaps programs while the source thread runs them.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <pcap/pcap.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "consumer.h"
#include "skbremap_core.h"
#include "mix.h"

/* ---- helpers ----------------------------------------------------------- */

static struct skbremap_emu *open_mapped(struct consumer *c, uint32_t snaplen)
{
	struct skbremap_config cfg = { .windows = 4, .pages_per_window = 8,
				       .snaplen = snaplen, .queue_limit = 64 };
	struct skbremap_emu *e = NULL;

	if (skbremap_emu_open(&e))
		return NULL;
	if (skbremap_emu_ioctl(e, SKBREMAP_IOC_CONFIGURE, &cfg) ||
	    consumer_map(c, e)) {
		skbremap_emu_close(e);
		return NULL;
	}
	return e;
}

static struct skbremap_stats stats(struct skbremap_emu *e)
{
	struct skbremap_stats s;

	memset(&s, 0xff, sizeof(s));
	skbremap_emu_ioctl(e, SKBREMAP_IOC_STATS, &s);
	return s;
}

/* Every packet counted once, nothing held (after STOP and release). */
static void check_counts_add_up(struct skbremap_emu *e,
				const struct consumer *c)
{
	struct skbremap_stats s = stats(e);

	CHECK_EQ(s.seen, s.captured + s.filtered + s.drop_queue_full +
			 s.drop_no_window + s.drop_nomem + s.drop_too_big);
	CHECK_EQ(s.in_flight, 0);
	CHECK_EQ(s.captured, c->packets);
	CHECK_EQ(s.skbs_held, 0);
	CHECK_EQ(s.windows_user, 0);
	CHECK_EQ(c->errors, 0);
}

/* An Ethernet program for @expr as tcpdump -s @snaplen would compile it. */
static int compile(const char *expr, int snaplen, struct bpf_program *prog)
{
	pcap_t *p = pcap_open_dead(DLT_EN10MB, snaplen);
	int err;

	if (!p)
		return -1;
	err = pcap_compile(p, prog, expr, 1, PCAP_NETMASK_UNKNOWN);
	if (err)
		fprintf(stderr, "    pcap_compile(%s): %s\n", expr,
			pcap_geterr(p));
	pcap_close(p);
	return err;
}

static int set_filter(struct skbremap_emu *e, const struct bpf_program *prog)
{
	struct skbremap_filter f = {
		.len = prog ? prog->bf_len : 0,
		.insns = prog ? (uint64_t)(uintptr_t)prog->bf_insns : 0,
	};

	return skbremap_emu_ioctl(e, SKBREMAP_IOC_SET_FILTER, &f);
}

static int check_prog(const struct bpf_insn *insns, uint32_t len)
{
	uint16_t *masks = calloc(len ? len : 1, sizeof(*masks));
	int err;

	err = skbremap_filter_check((const struct sock_filter *)insns, len,
				    masks);
	free(masks);
	return err;
}

/* The mix as a pcap file (EN10MB) for the replay source. */
static int write_mix(const char *path)
{
	pcap_t *p = pcap_open_dead(DLT_EN10MB, 65535);
	pcap_dumper_t *d;
	uint32_t i;

	if (!p)
		return -1;
	d = pcap_dump_open(p, path);
	if (!d) {
		pcap_close(p);
		return -1;
	}
	for (i = 0; i < NFRAMES; i++) {
		struct pcap_pkthdr h = { .caplen = frame_len[i],
					 .len = frame_len[i] };

		h.ts.tv_sec = 1700000000 + i;
		pcap_dump((u_char *)d, &h, frames[i]);
	}
	pcap_dump_close(d);
	pcap_close(p);
	return 0;
}

/* ---- the shared checks --------------------------------------------------- */


static void checks_accept_every_program_pcap_compile_makes(void)
{
	uint32_t i;

	for (i = 0; i < NEXPRS; i++) {
		struct bpf_program prog;

		REQUIRE(compile(exprs[i].text, exprs[i].snaplen, &prog) == 0);
		if (check_prog(prog.bf_insns, prog.bf_len))
			fprintf(stderr, "    rejected: %s\n", exprs[i].text);
		CHECK_EQ(check_prog(prog.bf_insns, prog.bf_len), 0);
		CHECK(bpf_validate(prog.bf_insns, (int)prog.bf_len));
		pcap_freecode(&prog);
	}
}

#define RET_K(k)	BPF_STMT(BPF_RET | BPF_K, k)
#define LD_H(k)		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, k)

static void checks_reject_hostile_programs(void)
{
	static struct bpf_insn big[SKBREMAP_MAX_FILTER_INSNS + 1];
	struct bpf_insn ok[] = { LD_H(12), RET_K(0xffff) };
	struct bpf_insn no_ret[] = { RET_K(1), LD_H(12) };
	struct bpf_insn ja_out[] = { BPF_JUMP(BPF_JMP | BPF_JA, 1, 0, 0),
				     RET_K(1) };
	struct bpf_insn ja_last[] = { BPF_JUMP(BPF_JMP | BPF_JA, 0, 0, 0),
				      RET_K(1) };
	struct bpf_insn jt_out[] = { LD_H(12),
				     BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
					      0x800, 2, 0),
				     RET_K(1), RET_K(0) };
	struct bpf_insn jf_out[] = { LD_H(12),
				     BPF_JUMP(BPF_JMP | BPF_JGT | BPF_X,
					      0, 0, 2),
				     RET_K(1) };
	struct bpf_insn jt_ok[] = { LD_H(12),
				    BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K,
					     0x800, 1, 0),
				    RET_K(1), RET_K(0) };
	struct bpf_insn opcode[] = { BPF_STMT(0xff, 0), RET_K(1) };
	struct bpf_insn ldx_abs[] = { BPF_STMT(BPF_LDX | BPF_W | BPF_ABS, 0),
				      RET_K(1) };
	struct bpf_insn div0[] = { BPF_STMT(BPF_ALU | BPF_DIV | BPF_K, 0),
				   RET_K(1) };
	struct bpf_insn mod0[] = { BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, 0),
				   RET_K(1) };
	struct bpf_insn divx[] = { BPF_STMT(BPF_ALU | BPF_DIV | BPF_X, 0),
				   RET_K(1) };
	struct bpf_insn shl32[] = { BPF_STMT(BPF_ALU | BPF_LSH | BPF_K, 32),
				    RET_K(1) };
	struct bpf_insn shl31[] = { BPF_STMT(BPF_ALU | BPF_LSH | BPF_K, 31),
				    RET_K(1) };
	struct bpf_insn st16[] = { BPF_STMT(BPF_ST, 16), RET_K(1) };
	struct bpf_insn st_ld15[] = { BPF_STMT(BPF_ST, 15),
				      BPF_STMT(BPF_LDX | BPF_MEM, 15),
				      RET_K(1) };
	struct bpf_insn ld_unset[] = { BPF_STMT(BPF_ST, 1),
				       BPF_STMT(BPF_LD | BPF_MEM, 2),
				       RET_K(1) };
	/* Cell 3 written on the jt path only, read where both paths meet. */
	struct bpf_insn one_path[] = { LD_H(12),
				       BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
						0x800, 0, 1),
				       BPF_STMT(BPF_ST, 3),
				       BPF_STMT(BPF_LD | BPF_MEM, 3),
				       RET_K(1) };
	struct bpf_insn both_paths[] = { BPF_STMT(BPF_ST, 3), LD_H(12),
					 BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
						  0x800, 0, 1),
					 BPF_STMT(BPF_ST, 3),
					 BPF_STMT(BPF_LD | BPF_MEM, 3),
					 RET_K(1) };
	struct bpf_insn ancillary[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0xfffff000 + 4),
		BPF_STMT(BPF_RET | BPF_A, 0) };
	struct bpf_insn neg_ind[] = {
		BPF_STMT(BPF_LD | BPF_B | BPF_IND, 0xffe00000),
		BPF_STMT(BPF_RET | BPF_A, 0) };
	struct skbremap_filter f = { .len = 1 };
	uint32_t i;

#define N(a) (uint32_t)(sizeof(a) / sizeof(a[0]))
	CHECK_EQ(check_prog(ok, N(ok)), 0);
	CHECK_EQ(check_prog(ok, 0), -EINVAL);
	CHECK_EQ(check_prog(no_ret, N(no_ret)), -EINVAL);
	CHECK_EQ(check_prog(ja_out, N(ja_out)), -EINVAL);
	CHECK_EQ(check_prog(ja_last, N(ja_last)), 0);
	CHECK_EQ(check_prog(jt_out, N(jt_out)), -EINVAL);
	CHECK_EQ(check_prog(jf_out, N(jf_out)), -EINVAL);
	CHECK_EQ(check_prog(jt_ok, N(jt_ok)), 0);
	CHECK_EQ(check_prog(opcode, N(opcode)), -EINVAL);
	CHECK_EQ(check_prog(ldx_abs, N(ldx_abs)), -EINVAL);
	CHECK_EQ(check_prog(div0, N(div0)), -EINVAL);
	CHECK_EQ(check_prog(mod0, N(mod0)), -EINVAL);
	CHECK_EQ(check_prog(divx, N(divx)), 0);
	CHECK_EQ(check_prog(shl32, N(shl32)), -EINVAL);
	CHECK_EQ(check_prog(shl31, N(shl31)), 0);
	CHECK_EQ(check_prog(st16, N(st16)), -EINVAL);
	CHECK_EQ(check_prog(st_ld15, N(st_ld15)), 0);
	CHECK_EQ(check_prog(ld_unset, N(ld_unset)), -EINVAL);
	CHECK_EQ(check_prog(one_path, N(one_path)), -EINVAL);
	CHECK_EQ(check_prog(both_paths, N(both_paths)), 0);
	CHECK_EQ(check_prog(ancillary, N(ancillary)), -EINVAL);
	CHECK_EQ(check_prog(neg_ind, N(neg_ind)), -EINVAL);

	for (i = 0; i < N(big); i++)
		big[i] = (struct bpf_insn)BPF_STMT(BPF_LD | BPF_IMM, i);
	big[SKBREMAP_MAX_FILTER_INSNS - 1] = (struct bpf_insn)RET_K(1);
	CHECK_EQ(check_prog(big, SKBREMAP_MAX_FILTER_INSNS), 0);
	big[SKBREMAP_MAX_FILTER_INSNS] = (struct bpf_insn)RET_K(1);
	CHECK_EQ(check_prog(big, SKBREMAP_MAX_FILTER_INSNS + 1), -EINVAL);

	CHECK_EQ(skbremap_filter_arg_check(&f), 0);
	f.flags = 1;
	CHECK_EQ(skbremap_filter_arg_check(&f), -EINVAL);
	f.flags = 0;
	f.len = SKBREMAP_MAX_FILTER_INSNS + 1;
	CHECK_EQ(skbremap_filter_arg_check(&f), -EINVAL);
	f.len = 0;
	CHECK_EQ(skbremap_filter_arg_check(&f), 0);
#undef N
}

/* ---- the emulator's hook ------------------------------------------------ */

struct expect {
	uint32_t idx[NFRAMES];		/* frames pcap accepts, in order */
	uint32_t caplen[NFRAMES];	/* min(verdict, len, snaplen) */
	uint32_t n, next;
	uint64_t bad;
};

static void expect_packet(struct consumer *c,
			  const struct skbremap_info_entry *e,
			  const uint8_t *data, void *arg)
{
	struct expect *k = arg;
	uint32_t i;

	(void)c;
	if (k->next >= k->n) {
		k->bad++;
		return;
	}
	i = k->idx[k->next];
	if (e->wirelen != frame_len[i] || e->caplen != k->caplen[k->next] ||
	    memcmp(data, frames[i], e->caplen)) {
		if (!k->bad)
			fprintf(stderr, "    packet %u (frame %u): caplen %u "
				"want %u, wirelen %u want %u\n", k->next, i,
				e->caplen, k->caplen[k->next], e->wirelen,
				frame_len[i]);
		k->bad++;
	}
	k->next++;
}

/* What pcap_offline_filter() keeps of the mix, cut to @snaplen too. */
static void expect_from_libpcap(const struct bpf_program *prog,
				uint32_t snaplen, struct expect *k)
{
	uint32_t i;

	memset(k, 0, sizeof(*k));
	for (i = 0; i < NFRAMES; i++) {
		struct pcap_pkthdr h = { .caplen = frame_len[i],
					 .len = frame_len[i] };
		uint32_t v = prog ? (uint32_t)pcap_offline_filter(prog, &h,
								  frames[i]) :
				    UINT32_MAX;

		if (!v)
			continue;
		if (v > frame_len[i])
			v = frame_len[i];
		if (snaplen && v > snaplen)
			v = snaplen;
		k->idx[k->n] = i;
		k->caplen[k->n] = v;
		k->n++;
	}
}

/* Replay the mix once through @e and check it against @k. */
static void replay_expect(struct skbremap_emu *e, struct consumer *c,
			  struct expect *k)
{
	struct skbremap_stats before = stats(e), after;

	CHECK_EQ(skbremap_emu_ioctl(e, SKBREMAP_IOC_START, NULL), 0);
	consumer_run_to_end(c, expect_packet, k, 60);
	after = stats(e);
	CHECK_EQ(k->next, k->n);
	CHECK_EQ(k->bad, 0);
	CHECK_EQ(after.seen - before.seen, NFRAMES);
	CHECK_EQ(after.captured - before.captured, k->n);
	CHECK_EQ(after.filtered - before.filtered, NFRAMES - k->n);
}

static char mix_path[] = "/tmp/skbremap-filter-XXXXXX";

static void filter_passes_exactly_what_pcap_offline_filter_accepts(void)
{
	static struct expect k;
	struct consumer c;
	struct skbremap_emu *e = open_mapped(&c, 0);
	char spec[64];
	uint32_t i;

	REQUIRE(e);
	snprintf(spec, sizeof(spec), "pcap:%s", mix_path);
	REQUIRE(skbremap_emu_set_source(e, spec) == 0);
	for (i = 0; i < NEXPRS; i++) {
		struct bpf_program prog;

		REQUIRE(compile(exprs[i].text, exprs[i].snaplen, &prog) == 0);
		CHECK_EQ(set_filter(e, &prog), 0);
		expect_from_libpcap(&prog, 0, &k);
		/* The mix gives every expression something to keep and drop. */
		CHECK(k.n > 0);
		CHECK(k.n < NFRAMES || !exprs[i].text[0]);
		replay_expect(e, &c, &k);
		printf("    %-36s -s %-6d %3u of %u frames\n", exprs[i].text,
		       exprs[i].snaplen, k.n, NFRAMES);
		pcap_freecode(&prog);
	}
	/* len 0 removes the filter: everything again. */
	CHECK_EQ(set_filter(e, NULL), 0);
	expect_from_libpcap(NULL, 0, &k);
	replay_expect(e, &c, &k);
	check_counts_add_up(e, &c);
	consumer_unmap(&c);
	skbremap_emu_close(e);
}

/* The program's return value and the configured snaplen both cap caplen. */
static void filter_verdict_and_snaplen_cap_caplen_wirelen_stays(void)
{
	static const struct { int compile_snap; uint32_t cfg_snap; } cases[] = {
		{ 100, 0 },		/* the program says 100 */
		{ 100, 64 },		/* snaplen says less */
		{ 262144, 80 },		/* snaplen with a filter */
		{ 64, 200 },		/* the program says less */
	};
	static struct expect k;
	uint32_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct bpf_program prog;
		struct consumer c;
		struct skbremap_emu *e = open_mapped(&c, cases[i].cfg_snap);
		char spec[64];
		uint32_t j, truncated = 0;

		REQUIRE(e);
		snprintf(spec, sizeof(spec), "pcap:%s", mix_path);
		REQUIRE(skbremap_emu_set_source(e, spec) == 0);
		REQUIRE(compile("ip or ip6", cases[i].compile_snap, &prog) == 0);
		CHECK_EQ(set_filter(e, &prog), 0);
		expect_from_libpcap(&prog, cases[i].cfg_snap, &k);
		for (j = 0; j < k.n; j++)
			truncated += k.caplen[j] < frame_len[k.idx[j]];
		CHECK(truncated > 0);
		/* The consumer checks PKT_TRUNCATED == (caplen < wirelen). */
		replay_expect(e, &c, &k);
		check_counts_add_up(e, &c);
		pcap_freecode(&prog);
		consumer_unmap(&c);
		skbremap_emu_close(e);
	}
}

static void set_filter_rejects_bad_programs_and_keeps_the_old_one(void)
{
	struct bpf_insn ja_out[] = { BPF_JUMP(BPF_JMP | BPF_JA, 5, 0, 0),
				     RET_K(1) };
	struct bpf_insn no_ret[] = { LD_H(12) };
	struct bpf_insn ret[] = { RET_K(0xffff) };
	struct skbremap_filter f;
	struct bpf_program none;
	static struct expect k;
	struct consumer c;
	struct skbremap_emu *e = open_mapped(&c, 0);
	char spec[64];

	REQUIRE(e);
	snprintf(spec, sizeof(spec), "pcap:%s", mix_path);
	REQUIRE(skbremap_emu_set_source(e, spec) == 0);
	REQUIRE(compile("arp", 262144, &none) == 0);
	CHECK_EQ(set_filter(e, &none), 0);

	f = (struct skbremap_filter){ .len = 2,
				      .insns = (uintptr_t)ja_out };
	CHECK_EQ(skbremap_emu_ioctl(e, SKBREMAP_IOC_SET_FILTER, &f), -EINVAL);
	f = (struct skbremap_filter){ .len = 1, .insns = (uintptr_t)no_ret };
	CHECK_EQ(skbremap_emu_ioctl(e, SKBREMAP_IOC_SET_FILTER, &f), -EINVAL);
	f = (struct skbremap_filter){ .len = 1, .flags = 1,
				      .insns = (uintptr_t)ret };
	CHECK_EQ(skbremap_emu_ioctl(e, SKBREMAP_IOC_SET_FILTER, &f), -EINVAL);
	f = (struct skbremap_filter){ .len = SKBREMAP_MAX_FILTER_INSNS + 1,
				      .insns = (uintptr_t)ret };
	CHECK_EQ(skbremap_emu_ioctl(e, SKBREMAP_IOC_SET_FILTER, &f), -EINVAL);
	f = (struct skbremap_filter){ .len = 1, .insns = 0 };
	CHECK_EQ(skbremap_emu_ioctl(e, SKBREMAP_IOC_SET_FILTER, &f), -EFAULT);
	CHECK_EQ(skbremap_emu_ioctl(e, SKBREMAP_IOC_SET_FILTER, NULL), -EFAULT);
	/* len 0 with flags is still refused: flags are checked first. */
	f = (struct skbremap_filter){ .len = 0, .flags = 2 };
	CHECK_EQ(skbremap_emu_ioctl(e, SKBREMAP_IOC_SET_FILTER, &f), -EINVAL);

	/* "arp" is still the filter. */
	expect_from_libpcap(&none, 0, &k);
	replay_expect(e, &c, &k);
	check_counts_add_up(e, &c);
	pcap_freecode(&none);
	consumer_unmap(&c);
	skbremap_emu_close(e);
}

/*
 * Two programs swapped as fast as possible while the synthetic source
 * runs them: A keeps even IP ids and returns 100, B keeps ids divisible
 * by 3 and returns everything. Each packet must show exactly one program's
 * verdict: kept by A and cut to 100, or kept by B and whole, never kept
 * by neither and never B's length on a packet only A keeps.
 */
struct swapper {
	struct skbremap_emu *e;
	struct skbremap_filter f[2];
	int stop;
	uint64_t swaps;
	uint64_t errors;
};

static void *swap_main(void *arg)
{
	struct swapper *s = arg;

	while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE)) {
		uint64_t n = __atomic_load_n(&s->swaps, __ATOMIC_RELAXED);

		if (skbremap_emu_ioctl(s->e, SKBREMAP_IOC_SET_FILTER,
				       &s->f[n & 1]))
			s->errors++;
		__atomic_store_n(&s->swaps, n + 1, __ATOMIC_RELEASE);
		usleep(20);
	}
	return NULL;
}

struct ab_check {
	uint64_t by_a, by_b, either, neither, mixed;
};

static void ab_packet(struct consumer *c, const struct skbremap_info_entry *e,
		      const uint8_t *data, void *arg)
{
	struct ab_check *k = arg;
	uint32_t id = (uint32_t)data[18] << 8 | data[19];
	bool a = id % 2 == 0, b = id % 3 == 0;

	(void)c;
	if (!a && !b) {
		k->neither++;
		return;
	}
	if (e->wirelen <= 100)
		k->either++;
	else if (e->caplen == 100 && a)
		k->by_a++;
	else if (e->caplen == e->wirelen && b)
		k->by_b++;
	else
		k->mixed++;
}

static void replacing_the_filter_during_capture_is_atomic(void)
{
	struct bpf_program a, b;
	struct swapper s = { 0 };
	struct ab_check k = { 0 };
	struct consumer c;
	struct skbremap_emu *e = open_mapped(&c, 0);
	pthread_t t;

	REQUIRE(e);
	REQUIRE(compile("ip[4:2] & 1 = 0", 100, &a) == 0);
	REQUIRE(compile("ip[4:2] % 3 = 0", 262144, &b) == 0);
	s.e = e;
	s.f[0] = (struct skbremap_filter){ .len = a.bf_len,
					   .insns = (uintptr_t)a.bf_insns };
	s.f[1] = (struct skbremap_filter){ .len = b.bf_len,
					   .insns = (uintptr_t)b.bf_insns };
	REQUIRE(skbremap_emu_set_source(e, "synthetic:count=30000,min=60,"
				       "max=300,lossless=1") == 0);
	REQUIRE(pthread_create(&t, NULL, swap_main, &s) == 0);
	while (!__atomic_load_n(&s.swaps, __ATOMIC_ACQUIRE))
		usleep(100);
	CHECK_EQ(skbremap_emu_ioctl(e, SKBREMAP_IOC_START, NULL), 0);
	consumer_run_to_end(&c, ab_packet, &k, 120);
	__atomic_store_n(&s.stop, 1, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	printf("    %llu swaps; kept by A %llu, by B %llu, by either %llu\n",
	       (unsigned long long)s.swaps, (unsigned long long)k.by_a,
	       (unsigned long long)k.by_b, (unsigned long long)k.either);
	CHECK_EQ(s.errors, 0);
	CHECK_EQ(k.neither, 0);
	CHECK_EQ(k.mixed, 0);
	CHECK(k.by_a > 0);
	CHECK(k.by_b > 0);
	CHECK_EQ(stats(e).seen, 30000);
	check_counts_add_up(e, &c);
	/* Removal while stopped, then close frees whatever is installed. */
	CHECK_EQ(set_filter(e, NULL), 0);
	CHECK_EQ(set_filter(e, &a), 0);
	pcap_freecode(&a);
	pcap_freecode(&b);
	consumer_unmap(&c);
	skbremap_emu_close(e);
}

/*
 * veth moves a frame's VLAN tag into skb metadata before AF_PACKET sees
 * it; the hook must put it back for the program, as libpcap does for
 * tcpdump. Tagged frames (802.1Q VLAN 5 and 802.1ad VLAN 0x123) and
 * untagged ones go from skbr-a to skbr-b in a private network namespace;
 * "vlan 5" compiled with snaplen 40 must keep exactly the VLAN 5 frames,
 * each cut to 40 bytes of the tagged frame: 36 here, tag in metadata.
 */
static void wire_frame(uint16_t tpid, uint16_t tci, uint8_t tag, uint8_t *f)
{
	static const uint8_t hdr[12] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					 0x02, 0x52, 0x42, 0x56, 0x4c, 0x4e };
	uint8_t *p = f + 12;

	memcpy(f, hdr, 12);
	if (tpid) {
		p = put16(p, tpid);
		p = put16(p, tci);
	}
	p = put16(p, 0x0800);
	memset(p, tag, (size_t)(f + 64 - p));
}

static int send_frame(int ifindex, const uint8_t *f)
{
	struct sockaddr_ll to = { .sll_family = AF_PACKET,
				  .sll_ifindex = ifindex, .sll_halen = 6 };
	int s = socket(AF_PACKET, SOCK_RAW, 0), rc;

	if (s < 0)
		return -1;
	memset(to.sll_addr, 0xff, 6);
	rc = (int)sendto(s, f, 64, 0, (struct sockaddr *)&to, sizeof(to));
	close(s);
	return rc == 64 ? 0 : -1;
}

struct tag_check {
	uint32_t found, bad;
};

static void tag_packet(struct consumer *c, const struct skbremap_info_entry *e,
		       const uint8_t *data, void *arg)
{
	struct tag_check *k = arg;

	(void)c;
	if (memcmp(data + 6, "\x02\x52\x42\x56\x4c\x4e", 6))
		return;			/* not ours (IPv6 ND, ...) */
	k->found++;
	if (!(e->flags & SKBREMAP_PKT_VLAN) || (e->vlan_tci & 0xfff) != 5 ||
	    e->caplen != 36 || e->wirelen != 60 || data[14] != 1)
		k->bad++;
}

static void tagged_in_netns(void)
{
	static const struct { uint16_t tpid, tci; uint8_t tag; } sent[] = {
		{ ETH_P_8021Q, 0x2005, 1 },	/* VLAN 5, priority 1 */
		{ ETH_P_8021AD, 0x0123, 2 },	/* VLAN 0x123 */
		{ 0, 0, 3 },			/* untagged */
		{ ETH_P_8021Q, 0x0006, 4 },	/* VLAN 6 */
	};
	/* The sender is the consumer: room for all, published late. */
	struct skbremap_config cfg = { .windows = 8, .pages_per_window = 16,
				       .retire_usec = 200000 };
	struct skbremap_bind b = { 0 };
	struct tag_check k = { 0 };
	struct bpf_program prog;
	struct skbremap_emu *e;
	struct consumer c;
	uint32_t want = 0;
	uint8_t f[64];
	int i, j, a_idx;

	a_idx = (int)if_nametoindex("skbr-a");
	b.ifindex = (int)if_nametoindex("skbr-b");
	REQUIRE(a_idx && b.ifindex);
	e = open_mapped(&c, 0);
	REQUIRE(e);
	consumer_unmap(&c);		/* BIND and CONFIGURE while unmapped */
	CHECK_EQ(skbremap_emu_ioctl(e, SKBREMAP_IOC_BIND, &b), 0);
	CHECK_EQ(skbremap_emu_ioctl(e, SKBREMAP_IOC_CONFIGURE, &cfg), 0);
	REQUIRE(consumer_map(&c, e) == 0);
	REQUIRE(compile("vlan 5", 40, &prog) == 0);
	CHECK_EQ(set_filter(e, &prog), 0);
	/* libpcap on the frames as they are on the wire: the oracle. */
	for (i = 0; i < 4; i++) {
		struct pcap_pkthdr h = { .caplen = 64, .len = 64 };

		wire_frame(sent[i].tpid, sent[i].tci, sent[i].tag, f);
		want += pcap_offline_filter(&prog, &h, f) ? 5 : 0;
	}
	CHECK_EQ(want, 5);
	REQUIRE(skbremap_emu_ioctl(e, SKBREMAP_IOC_START, NULL) == 0);
	for (j = 0; j < 5; j++)
		for (i = 0; i < 4; i++) {
			wire_frame(sent[i].tpid, sent[i].tci, sent[i].tag, f);
			CHECK_EQ(send_frame(a_idx, f), 0);
		}
	for (i = 0; i < 20 && k.found < want; i++) {
		skbremap_emu_poll(e, 100);
		consumer_drain(&c, tag_packet, &k);
	}
	skbremap_emu_ioctl(e, SKBREMAP_IOC_STOP, NULL);
	consumer_drain(&c, tag_packet, &k);
	skbremap_emu_poll(e, 0);
	CHECK_EQ(k.found, want);
	CHECK_EQ(k.bad, 0);
	CHECK(stats(e).filtered >= 15);
	check_counts_add_up(e, &c);
	pcap_freecode(&prog);
	consumer_unmap(&c);
	skbremap_emu_close(e);
}

static void wait_operstate_up(const char *ifname)
{
	char path[128], state[16];
	int i;

	snprintf(path, sizeof(path), "/sys/class/net/%s/operstate", ifname);
	for (i = 0; i < 100; i++) {
		FILE *f = fopen(path, "r");
		bool up = false;

		if (f) {
			up = fgets(state, sizeof(state), f) &&
			     !strncmp(state, "up", 2);
			fclose(f);
		}
		if (up)
			return;
		usleep(20000);
	}
}

static void vlan_tag_from_metadata_is_put_back_for_the_program(void)
{
	pid_t pid = fork();
	int status = 0;

	REQUIRE(pid >= 0);
	if (pid == 0) {
		if (unshare(CLONE_NEWNET) ||
		    system("ip link add skbr-a type veth peer name skbr-b && "
			   "ip link set skbr-a up && ip link set skbr-b up"))
			_exit(77);
		wait_operstate_up("skbr-a");
		wait_operstate_up("skbr-b");
		tagged_in_netns();
		fflush(stderr);
		_exit(harness_checks_failed ? 1 : 0);
	}
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status));
	if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
		skip_test("no network namespace or ip(8)");
		return;
	}
	CHECK_EQ(WEXITSTATUS(status), 0);
}

int main(void)
{
	int fd = mkstemp(mix_path);

	if (fd < 0)
		return 2;
	close(fd);
	build_mix();
	if (write_mix(mix_path)) {
		unlink(mix_path);
		return 2;
	}
	RUN(checks_accept_every_program_pcap_compile_makes);
	RUN(checks_reject_hostile_programs);
	RUN(filter_passes_exactly_what_pcap_offline_filter_accepts);
	RUN(filter_verdict_and_snaplen_cap_caplen_wirelen_stays);
	RUN(set_filter_rejects_bad_programs_and_keeps_the_old_one);
	RUN(replacing_the_filter_during_capture_is_atomic);
	RUN(vlan_tag_from_metadata_is_put_back_for_the_program);
	unlink(mix_path);
	return harness_summary("test_filter");
}
