// SPDX-License-Identifier: GPL-2.0
/*
 * Fanout groups (SKBREMAP_IOC_FANOUT): the shared symmetric flow hash
 * (kernel/core/fanout.c) on hand-built frames, and groups of emulator
 * captures through the public API: the ioctl's rules, every packet in
 * exactly one member, no flow split under hash, round robin under lb,
 * rollover away from a member that holds all its windows, and a member's
 * close handing its share to the others.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <unistd.h>

#include "harness.h"
#include "consumer.h"
#include "skbremap_core.h"

#define SYN_FLOWS	16

/* ---- the hash on hand-built frames ---------------------------------- */

static uint32_t put_eth(uint8_t *f, const uint16_t *tags, int ntags,
			uint16_t type)
{
	uint32_t off = 12;
	int i;

	memset(f, 0, 12);
	f[0] = 0x02;
	f[6] = 0x02;
	for (i = 0; i < ntags; i++) {
		f[off] = i == 0 && ntags == 2 ? 0x88 : 0x81;
		f[off + 1] = i == 0 && ntags == 2 ? 0xa8 : 0x00;
		f[off + 2] = (uint8_t)(tags[i] >> 8);
		f[off + 3] = (uint8_t)tags[i];
		off += 4;
	}
	f[off] = (uint8_t)(type >> 8);
	f[off + 1] = (uint8_t)type;
	return off + 2;
}

/* IPv4 frame; @frag: 0 none, 1 first fragment (MF), 2 a later one. */
static uint32_t ipv4_frame(uint8_t *f, int ntags, uint8_t proto,
			   const uint8_t *sa, const uint8_t *da, uint16_t sp,
			   uint16_t dp, int frag)
{
	static const uint16_t tags[2] = { 100, 200 };
	uint32_t o = put_eth(f, tags, ntags, 0x0800);
	uint8_t *ip = f + o;

	memset(ip, 0, 28);
	ip[0] = 0x45;
	ip[8] = 64;
	ip[9] = proto;
	if (frag == 1)
		ip[6] = 0x20;			/* MF */
	else if (frag == 2)
		ip[7] = 0x10;			/* offset 16 * 8 */
	memcpy(ip + 12, sa, 4);
	memcpy(ip + 16, da, 4);
	if (frag == 2) {
		memset(ip + 20, 0xee, 8);	/* payload, not ports */
	} else {
		ip[20] = (uint8_t)(sp >> 8);
		ip[21] = (uint8_t)sp;
		ip[22] = (uint8_t)(dp >> 8);
		ip[23] = (uint8_t)dp;
	}
	return o + 28;
}

static uint32_t ipv6_frame(uint8_t *f, int ntags, uint8_t proto,
			   const uint8_t *sa, const uint8_t *da, uint16_t sp,
			   uint16_t dp, bool hbh)
{
	static const uint16_t tags[2] = { 7, 8 };
	uint32_t o = put_eth(f, tags, ntags, 0x86dd);
	uint8_t *ip = f + o, *l4 = ip + 40;

	memset(ip, 0, 56);
	ip[0] = 0x60;
	ip[6] = hbh ? 0 : proto;
	memcpy(ip + 8, sa, 16);
	memcpy(ip + 24, da, 16);
	if (hbh) {
		l4[0] = proto;
		l4[1] = 0;		/* 8 bytes */
		l4 += 8;
	}
	l4[0] = (uint8_t)(sp >> 8);
	l4[1] = (uint8_t)sp;
	l4[2] = (uint8_t)(dp >> 8);
	l4[3] = (uint8_t)dp;
	return (uint32_t)(l4 + 4 - f);
}

static void hash_is_symmetric_for_ipv4_ipv6_vlan_tcp_udp(void)
{
	static const uint8_t a4[4] = { 10, 0, 0, 1 }, b4[4] = { 10, 0, 0, 2 };
	uint8_t a6[16] = { 0x20, 0x01, 0x0d, 0xb8 }, b6[16] = { 0x20, 0x01 };
	uint8_t f[128], g[128];
	uint32_t n, m, h;
	int tags, proto;

	a6[15] = 1;
	b6[15] = 2;
	for (tags = 0; tags <= 2; tags++) {
		for (proto = 0; proto < 2; proto++) {
			uint8_t p = proto ? 6 : 17;

			n = ipv4_frame(f, tags, p, a4, b4, 40000, 80, 0);
			m = ipv4_frame(g, tags, p, b4, a4, 80, 40000, 0);
			h = skbremap_flow_hash_sym(f, n);
			CHECK(h != 0);
			CHECK_EQ(h, skbremap_flow_hash_sym(g, m));
			/* Another port is another flow. */
			n = ipv4_frame(f, tags, p, a4, b4, 40001, 80, 0);
			CHECK(skbremap_flow_hash_sym(f, n) != h);

			n = ipv6_frame(f, tags, p, a6, b6, 5353, 443, false);
			m = ipv6_frame(g, tags, p, b6, a6, 443, 5353, true);
			h = skbremap_flow_hash_sym(f, n);
			CHECK(h != 0);
			CHECK_EQ(h, skbremap_flow_hash_sym(g, m));
		}
	}
	/* Same addresses both ends: the ports decide the order. */
	n = ipv4_frame(f, 0, 17, a4, a4, 1000, 2000, 0);
	m = ipv4_frame(g, 0, 17, a4, a4, 2000, 1000, 0);
	CHECK_EQ(skbremap_flow_hash_sym(f, n), skbremap_flow_hash_sym(g, m));
	/* The VLAN tag is not part of the flow (metadata one way). */
	n = ipv4_frame(f, 1, 17, a4, b4, 1, 2, 0);
	m = ipv4_frame(g, 0, 17, b4, a4, 2, 1, 0);
	CHECK_EQ(skbremap_flow_hash_sym(f, n), skbremap_flow_hash_sym(g, m));
}

static void hash_keeps_the_fragments_of_a_datagram_together(void)
{
	static const uint8_t a[4] = { 192, 0, 2, 1 }, b[4] = { 192, 0, 2, 9 };
	uint8_t f[128], g[128];
	uint32_t n, m;

	n = ipv4_frame(f, 0, 17, a, b, 4000, 53, 1);
	m = ipv4_frame(g, 0, 17, a, b, 0, 0, 2);
	CHECK_EQ(skbremap_flow_hash_sym(f, n), skbremap_flow_hash_sym(g, m));
	m = ipv4_frame(g, 0, 17, b, a, 0, 0, 2);
	CHECK_EQ(skbremap_flow_hash_sym(f, n), skbremap_flow_hash_sym(g, m));
}

static void hash_of_non_ip_and_truncated_frames_is_zero(void)
{
	static const uint8_t a[4] = { 1, 2, 3, 4 }, b[4] = { 5, 6, 7, 8 };
	uint8_t f[128], junk[256];
	uint32_t n, len, i, seed = 12345;

	put_eth(f, NULL, 0, 0x0806);		/* ARP */
	CHECK_EQ(skbremap_flow_hash_sym(f, 60), 0);
	n = ipv4_frame(f, 0, 6, a, b, 1, 2, 0);
	CHECK(skbremap_flow_hash_sym(f, n) != 0);
	CHECK_EQ(skbremap_flow_hash_sym(f, 14 + 19), 0);	/* short IP */
	CHECK_EQ(skbremap_flow_hash_sym(f, 13), 0);
	/* Any bytes of any length: no read outside (ASan watches). */
	for (i = 0; i < 20000; i++) {
		uint32_t k;
		uint8_t *p;

		len = (seed = seed * 1103515245 + 12345) % sizeof(junk);
		p = malloc(len ? len : 1);
		for (k = 0; k < len; k++)
			p[k] = (uint8_t)((seed = seed * 1103515245 + 12345) >> 16);
		if (len > 13 && (i & 1)) {
			p[12] = i & 2 ? 0x86 : 0x08;
			p[13] = i & 2 ? 0xdd : 0x00;
			if (len > 14)
				p[14] = i & 2 ? 0x60 : 0x45;
		}
		(void)skbremap_flow_hash_sym(p, len);
		free(p);
	}
}

static void hash_spreads_flows_over_members(void)
{
	uint8_t f[128];
	uint32_t count[4] = { 0 }, i, n;
	uint8_t a[4] = { 10, 1, 0, 0 }, b[4] = { 10, 2, 0, 0 };

	for (i = 0; i < 4000; i++) {
		a[2] = (uint8_t)(i >> 8);
		a[3] = (uint8_t)i;
		n = ipv4_frame(f, 0, 6, a, b, (uint16_t)(1024 + i), 443, 0);
		count[skbremap_fanout_scale(skbremap_flow_hash_sym(f, n), 4)]++;
	}
	for (i = 0; i < 4; i++)
		CHECK(count[i] > 800 && count[i] < 1200);
}

/* ---- groups of emulator captures ------------------------------------ */

static struct skbremap_emu *member_open(uint32_t windows, uint32_t ppw,
					uint32_t qlimit, const char *src)
{
	struct skbremap_config c = {
		.windows = windows, .pages_per_window = ppw,
		.retire_usec = 2000, .queue_limit = qlimit,
		.mode = SKBREMAP_MODE_RING,
	};
	struct skbremap_emu *e = NULL;

	if (skbremap_emu_open(&e))
		return NULL;
	if (skbremap_emu_ioctl(e, SKBREMAP_IOC_CONFIGURE, &c) ||
	    (src && skbremap_emu_set_source(e, src))) {
		skbremap_emu_close(e);
		return NULL;
	}
	return e;
}

static int join(struct skbremap_emu *e, uint32_t id, uint16_t mode,
		uint16_t flags)
{
	struct skbremap_fanout a = { .id = id, .mode = mode, .flags = flags };

	return skbremap_emu_ioctl(e, SKBREMAP_IOC_FANOUT, &a);
}

static void fanout_ioctl_rejects_bad_arguments_and_states(void)
{
	struct skbremap_emu *e = member_open(4, 4, 64, NULL);
	struct skbremap_emu *g = member_open(4, 4, 64, NULL);
	struct skbremap_fanout a = { .id = 1, .mode = SKBREMAP_FANOUT_HASH };
	struct skbremap_version v;
	struct skbremap_bind bind = { .ifindex = 1 };
	struct consumer c;

	REQUIRE(e && g);
	CHECK_EQ(skbremap_emu_ioctl(e, SKBREMAP_IOC_VERSION, &v), 0);
	CHECK(v.features & SKBREMAP_FEAT_FANOUT);
	CHECK_EQ(skbremap_emu_ioctl(e, SKBREMAP_IOC_FANOUT, NULL), -EFAULT);
	a.mode = 0;
	CHECK_EQ(skbremap_emu_ioctl(e, SKBREMAP_IOC_FANOUT, &a), -EINVAL);
	a.mode = SKBREMAP_FANOUT_LB + 1;
	CHECK_EQ(skbremap_emu_ioctl(e, SKBREMAP_IOC_FANOUT, &a), -EINVAL);
	a.mode = SKBREMAP_FANOUT_HASH;
	a.flags = 2;
	CHECK_EQ(skbremap_emu_ioctl(e, SKBREMAP_IOC_FANOUT, &a), -EINVAL);
	a.flags = 0;
	a.reserved[2] = 1;
	CHECK_EQ(skbremap_emu_ioctl(e, SKBREMAP_IOC_FANOUT, &a), -EINVAL);

	/* Join while running: -EBUSY. */
	REQUIRE(consumer_map(&c, e) == 0);
	REQUIRE(skbremap_emu_set_source(e, "synthetic:rate=10") == 0);
	REQUIRE(skbremap_emu_ioctl(e, SKBREMAP_IOC_START, NULL) == 0);
	CHECK_EQ(join(e, 1, SKBREMAP_FANOUT_HASH, 0), -EBUSY);
	skbremap_emu_ioctl(e, SKBREMAP_IOC_STOP, NULL);
	consumer_drain(&c, NULL, NULL);

	CHECK_EQ(join(e, 1, SKBREMAP_FANOUT_HASH, 0), 0);
	CHECK_EQ(join(e, 1, SKBREMAP_FANOUT_HASH, 0), -EALREADY);
	CHECK_EQ(join(e, 2, SKBREMAP_FANOUT_LB, 0), -EALREADY);
	/* Mismatched members of group 1. */
	CHECK_EQ(join(g, 1, SKBREMAP_FANOUT_LB, 0), -EINVAL);
	CHECK_EQ(join(g, 1, SKBREMAP_FANOUT_HASH,
		      SKBREMAP_FANOUT_F_ROLLOVER), -EINVAL);
	CHECK_EQ(skbremap_emu_ioctl(g, SKBREMAP_IOC_BIND, &bind), 0);
	CHECK_EQ(join(g, 1, SKBREMAP_FANOUT_HASH, 0), -EINVAL);
	bind.ifindex = 0;
	CHECK_EQ(skbremap_emu_ioctl(g, SKBREMAP_IOC_BIND, &bind), 0);
	CHECK_EQ(join(g, 1, SKBREMAP_FANOUT_HASH, 0), 0);
	/* A member stays bound as its group. */
	bind.ifindex = 1;
	CHECK_EQ(skbremap_emu_ioctl(g, SKBREMAP_IOC_BIND, &bind), -EBUSY);
	consumer_unmap(&c);
	skbremap_emu_close(e);
	skbremap_emu_close(g);
}

static void group_is_full_at_max_members(void)
{
	struct skbremap_emu *m[SKBREMAP_FANOUT_MAX_MEMBERS + 1];
	int i;

	for (i = 0; i <= SKBREMAP_FANOUT_MAX_MEMBERS; i++) {
		m[i] = member_open(2, 1, 16, NULL);
		REQUIRE(m[i]);
	}
	for (i = 0; i < SKBREMAP_FANOUT_MAX_MEMBERS; i++)
		CHECK_EQ(join(m[i], 7, SKBREMAP_FANOUT_CPU, 0), 0);
	CHECK_EQ(join(m[i], 7, SKBREMAP_FANOUT_CPU, 0), -ENOSPC);
	/* One leaves: there is room again. */
	skbremap_emu_close(m[0]);
	CHECK_EQ(join(m[i], 7, SKBREMAP_FANOUT_CPU, 0), 0);
	for (i = 1; i <= SKBREMAP_FANOUT_MAX_MEMBERS; i++)
		skbremap_emu_close(m[i]);
}

/* What a run saw, per member, packet by packet. */
struct seen_pkts {
	uint32_t total;		/* packets the source made (bitmap size) */
	uint8_t *by;		/* per index: 0 none, else member + 1 */
	uint32_t dup;		/* an index seen twice */
	uint32_t bad;		/* bytes not the source's */
	uint32_t flow_member[SYN_FLOWS];	/* 0 none, else member + 1 */
	uint32_t flow_dirs[SYN_FLOWS];	/* bit 0: request, bit 1: reply */
	uint32_t split;		/* a flow's packet in another member */
	uint64_t last_ts[2];
	uint32_t ts_back;	/* timestamps going backwards in a member */
};

struct member_arg {
	struct seen_pkts *s;
	uint32_t member;
};

static void on_packet(struct consumer *c, const struct skbremap_info_entry *e,
		      const uint8_t *data, void *arg)
{
	struct member_arg *ma = arg;
	struct seen_pkts *s = ma->s;
	uint8_t want[256];
	uint64_t idx = 0;
	uint32_t i, flow;
	uint16_t sp, dp;

	(void)c;
	if (e->caplen < 50 || e->caplen > sizeof(want)) {
		s->bad++;
		return;
	}
	for (i = 0; i < 8; i++)
		idx = idx << 8 | data[42 + i];
	if (idx >= s->total ||
	    skbremap_emu_synthetic_frame_flows(idx, e->caplen, SYN_FLOWS,
					       want) ||
	    memcmp(want, data, e->caplen)) {
		s->bad++;
		return;
	}
	if (s->by[idx])
		s->dup++;
	s->by[idx] = (uint8_t)(ma->member + 1);
	sp = (uint16_t)(data[34] << 8 | data[35]);
	dp = (uint16_t)(data[36] << 8 | data[37]);
	flow = (sp == 9 ? dp : sp) - 40000;
	if (flow < SYN_FLOWS) {
		if (s->flow_member[flow] &&
		    s->flow_member[flow] != ma->member + 1)
			s->split++;
		s->flow_member[flow] = ma->member + 1;
		s->flow_dirs[flow] |= sp == 9 ? 2 : 1;
	}
	if (ma->member < 2) {
		if (e->tstamp_ns < s->last_ts[ma->member])
			s->ts_back++;
		s->last_ts[ma->member] = e->tstamp_ns;
	}
}

/*
 * Two members, one source: consume both until the finite source is done
 * for both, then stop both and drain the flush.
 */
static void run_pair(struct skbremap_emu **m, struct consumer *c,
		     struct seen_pkts *s, double max_seconds)
{
	struct member_arg ma[2] = { { s, 0 }, { s, 1 } };
	double end = consumer_now() + max_seconds;
	int i;

	while (consumer_now() < end) {
		int done = skbremap_emu_source_done(m[0]) &&
			   skbremap_emu_source_done(m[1]);
		int n = consumer_drain(&c[0], on_packet, &ma[0]) +
			consumer_drain(&c[1], on_packet, &ma[1]);

		if (done)
			break;
		skbremap_emu_poll(m[0], 0);
		skbremap_emu_poll(m[1], n ? 0 : 5);
	}
	for (i = 0; i < 2; i++) {
		skbremap_emu_ioctl(m[i], SKBREMAP_IOC_STOP, NULL);
		consumer_drain(&c[i], on_packet, &ma[i]);
		skbremap_emu_poll(m[i], 0);
	}
}

static bool pair_open(struct skbremap_emu **m, struct consumer *c,
		      uint16_t mode, uint16_t flags, const char *src,
		      uint32_t windows, uint32_t qlimit)
{
	int i;

	for (i = 0; i < 2; i++) {
		m[i] = member_open(windows, 2, qlimit, src);
		if (!m[i] || join(m[i], 42, mode, flags) ||
		    consumer_map(&c[i], m[i]))
			return false;
	}
	return true;
}

static void pair_close(struct skbremap_emu **m, struct consumer *c)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (!m[i])
			continue;
		consumer_unmap(&c[i]);
		skbremap_emu_close(m[i]);
	}
}

static void every_packet_exactly_once_in_mode(uint16_t mode, uint16_t flags,
					      struct seen_pkts *s,
					      struct skbremap_stats *st)
{
	struct skbremap_emu *m[2] = { NULL, NULL };
	struct consumer c[2];
	char src[128];
	uint32_t i;
	int k;

	memset(s, 0, sizeof(*s));
	s->total = 20000;
	s->by = calloc(s->total, 1);
	snprintf(src, sizeof(src),
		 "synthetic:count=%u,min=60,max=200,flows=%u,lossless=1",
		 s->total, SYN_FLOWS);
	if (!pair_open(m, c, mode, flags, src, 8, 256)) {
		CHECK(!"pair_open");
		pair_close(m, c);
		return;
	}
	for (k = 0; k < 2; k++)
		CHECK_EQ(skbremap_emu_ioctl(m[k], SKBREMAP_IOC_START, NULL), 0);
	run_pair(m, c, s, 60);
	for (k = 0; k < 2; k++)
		CHECK_EQ(skbremap_emu_ioctl(m[k], SKBREMAP_IOC_STATS, &st[k]), 0);
	pair_close(m, c);

	CHECK_EQ(s->bad, 0);
	CHECK_EQ(s->dup, 0);
	for (i = 0; i < s->total && s->by[i]; i++)
		;
	CHECK_EQ(i, s->total);			/* none missing */
	CHECK_EQ(st[0].seen + st[1].seen, s->total);
	CHECK_EQ(st[0].captured + st[1].captured, s->total);
	CHECK_EQ(st[0].drop_queue_full + st[0].drop_no_window +
		 st[1].drop_queue_full + st[1].drop_no_window, 0);
	CHECK_EQ(c[0].errors + c[1].errors, 0);
	CHECK_EQ(s->ts_back, 0);
	free(s->by);
}

static void hash_group_every_packet_once_and_no_flow_split(void)
{
	struct skbremap_stats st[2];
	struct seen_pkts s;
	uint32_t f, used[2] = { 0, 0 };

	every_packet_exactly_once_in_mode(SKBREMAP_FANOUT_HASH, 0, &s, st);
	CHECK_EQ(s.split, 0);
	for (f = 0; f < SYN_FLOWS; f++) {
		CHECK_EQ(s.flow_dirs[f], 3);	/* both ways seen */
		if (s.flow_member[f])
			used[s.flow_member[f] - 1]++;
	}
	/* 16 flows on one member: odds 2^-15 with a good hash. */
	CHECK(used[0] > 0 && used[1] > 0);
	CHECK(st[0].seen > 0 && st[1].seen > 0);
}

static void lb_group_every_packet_once_and_round_robin(void)
{
	struct skbremap_stats st[2];
	struct seen_pkts s;
	long long d;

	every_packet_exactly_once_in_mode(SKBREMAP_FANOUT_LB, 0, &s, st);
	d = (long long)st[0].seen - (long long)st[1].seen;
	CHECK(d >= -1 && d <= 1);
	CHECK_EQ(st[0].fanout_rollover + st[1].fanout_rollover, 0);
}

static void cpu_group_every_packet_once(void)
{
	struct skbremap_stats st[2];
	struct seen_pkts s;

	every_packet_exactly_once_in_mode(SKBREMAP_FANOUT_CPU,
					  SKBREMAP_FANOUT_F_ROLLOVER, &s, st);
	CHECK(st[0].seen + st[1].seen == 20000);
}

/*
 * Member 0 never releases a window: once its windows and queue are full,
 * the group rolls its share over to member 1, and nothing is lost.
 */
static void rollover_when_a_member_holds_all_its_windows(void)
{
	struct skbremap_emu *m[2] = { NULL, NULL };
	struct member_arg ma[2];
	struct skbremap_stats st[2];
	struct consumer c[2];
	struct seen_pkts s;
	uint32_t i, held, missing;
	double end;
	int k;

	memset(&s, 0, sizeof(s));
	s.total = 5000;
	s.by = calloc(s.total, 1);
	ma[0] = (struct member_arg){ &s, 0 };
	ma[1] = (struct member_arg){ &s, 1 };
	REQUIRE(pair_open(m, c, SKBREMAP_FANOUT_LB, SKBREMAP_FANOUT_F_ROLLOVER,
			  "synthetic:count=5000,min=60,max=200,flows=16,"
			  "lossless=1", 4, 32));
	c[0].keep = true;
	for (k = 0; k < 2; k++)
		CHECK_EQ(skbremap_emu_ioctl(m[k], SKBREMAP_IOC_START, NULL), 0);
	/*
	 * Member 0's last queued packets wait for a window that never comes:
	 * run until the source is done and every packet is in a member.
	 */
	end = consumer_now() + 60;
	while (consumer_now() < end) {
		consumer_drain(&c[0], on_packet, &ma[0]);
		consumer_drain(&c[1], on_packet, &ma[1]);
		skbremap_emu_ioctl(m[0], SKBREMAP_IOC_STATS, &st[0]);
		skbremap_emu_ioctl(m[1], SKBREMAP_IOC_STATS, &st[1]);
		if (st[0].seen + st[1].seen == s.total &&
		    skbremap_emu_source_done(m[1]))
			break;
		skbremap_emu_poll(m[1], 2);
	}
	for (k = 0; k < 2; k++) {
		CHECK_EQ(skbremap_emu_ioctl(m[k], SKBREMAP_IOC_STOP, NULL), 0);
		consumer_drain(&c[k], on_packet, &ma[k]);
		CHECK_EQ(skbremap_emu_ioctl(m[k], SKBREMAP_IOC_STATS, &st[k]), 0);
	}
	CHECK_EQ(s.bad, 0);
	CHECK_EQ(s.dup, 0);
	for (i = 0, held = 0, missing = 0; i < s.total; i++) {
		held += s.by[i] == 1;
		missing += !s.by[i];
	}
	CHECK_EQ(st[0].seen + st[1].seen, s.total);
	CHECK_EQ(held, st[0].captured);
	/*
	 * Member 0 holds 4 windows; what it had queued when it ran out of
	 * windows (at most its queue) is dropped at its STOP and counted.
	 * Member 1 loses nothing and takes the rest by rollover.
	 */
	CHECK(st[0].captured > 0);
	CHECK_EQ(missing, st[0].seen - st[0].captured);
	CHECK(missing <= 32 + 1);
	CHECK_EQ(st[1].seen, st[1].captured);
	/* (Member 1 may be full for a moment too: then 0 takes one.) */
	CHECK(st[1].fanout_rollover > st[0].fanout_rollover);
	CHECK(st[1].fanout_rollover > s.total / 4);
	if (harness_checks_failed)
		fprintf(stderr, "    seen %llu/%llu captured %llu/%llu rolled %llu\n",
			(unsigned long long)st[0].seen,
			(unsigned long long)st[1].seen,
			(unsigned long long)st[0].captured,
			(unsigned long long)st[1].captured,
			(unsigned long long)st[1].fanout_rollover);
	free(s.by);
	c[0].keep = false;
	pair_close(m, c);
}

static void captures_list_the_group_mode_and_member_index(void)
{
	struct skbremap_emu *m[2] = { NULL, NULL };
	struct skbremap_capture_info ci;
	struct consumer c[2];
	uint32_t i, found = 0, members = 0;
	int k;

	REQUIRE(pair_open(m, c, SKBREMAP_FANOUT_LB, SKBREMAP_FANOUT_F_ROLLOVER,
			  "synthetic:rate=100", 4, 32));
	for (i = 0;; i++) {
		memset(&ci, 0, sizeof(ci));
		ci.index = i;
		if (skbremap_emu_ioctl(m[0], SKBREMAP_IOC_CAPTURES, &ci))
			break;
		if (ci.fanout_id != 42)
			continue;
		CHECK_EQ(ci.fanout_mode, SKBREMAP_FANOUT_LB);
		CHECK_EQ(ci.fanout_flags, SKBREMAP_FANOUT_F_ROLLOVER);
		CHECK_EQ(ci.fanout_member, SKBREMAP_FANOUT_NOT_LINKED);
		CHECK_EQ(ci.fanout_members, 0);
		found++;
	}
	CHECK_EQ(found, 2);
	for (k = 0; k < 2; k++)
		CHECK_EQ(skbremap_emu_ioctl(m[k], SKBREMAP_IOC_START, NULL), 0);
	for (i = 0;; i++) {
		memset(&ci, 0, sizeof(ci));
		ci.index = i;
		if (skbremap_emu_ioctl(m[0], SKBREMAP_IOC_CAPTURES, &ci))
			break;
		if (ci.fanout_id != 42)
			continue;
		CHECK(ci.fanout_member < 2);
		members |= 1u << ci.fanout_member;
		CHECK_EQ(ci.fanout_members, 2);
		CHECK(ci.running);
	}
	CHECK_EQ(members, 3);
	/* A capture in no group says so. */
	{
		struct skbremap_emu *lone = member_open(2, 1, 16, NULL);

		REQUIRE(lone);
		for (i = 0;; i++) {
			memset(&ci, 0, sizeof(ci));
			ci.index = i;
			if (skbremap_emu_ioctl(lone, SKBREMAP_IOC_CAPTURES, &ci))
				break;
			if (ci.fanout_mode == 0) {
				CHECK_EQ(ci.fanout_id, 0);
				CHECK_EQ(ci.fanout_member,
					 SKBREMAP_FANOUT_NOT_LINKED);
			}
		}
		skbremap_emu_close(lone);
	}
	pair_close(m, c);
}

/*
 * A member closed mid-run hands its share to the other: everything the
 * source made afterwards is in member 1; nothing is duplicated; what is
 * missing is exactly what the counters call dropped.
 */
static void member_close_hands_its_share_to_the_others(void)
{
	struct skbremap_emu *m[2] = { NULL, NULL };
	struct member_arg ma[2];
	struct skbremap_stats st0, st1;
	struct skbremap_capture_info ci;
	struct consumer c[2];
	struct seen_pkts s;
	uint64_t max0 = 0, after = 0, missing = 0, missing_after = 0, i;
	double end;
	int k;

	memset(&s, 0, sizeof(s));
	s.total = 1u << 22;
	s.by = calloc(s.total, 1);
	ma[0] = (struct member_arg){ &s, 0 };
	ma[1] = (struct member_arg){ &s, 1 };
	REQUIRE(pair_open(m, c, SKBREMAP_FANOUT_LB, 0,
			  "synthetic:rate=20000,min=60,max=200,flows=16,"
			  "lossless=1", 8, 256));
	for (k = 0; k < 2; k++)
		CHECK_EQ(skbremap_emu_ioctl(m[k], SKBREMAP_IOC_START, NULL), 0);
	end = consumer_now() + 0.5;
	while (consumer_now() < end) {
		consumer_drain(&c[0], on_packet, &ma[0]);
		consumer_drain(&c[1], on_packet, &ma[1]);
		skbremap_emu_poll(m[0], 0);
		skbremap_emu_poll(m[1], 2);
	}
	/* Member 0 goes: STOP (its flush), drain, counters, close. */
	CHECK_EQ(skbremap_emu_ioctl(m[0], SKBREMAP_IOC_STOP, NULL), 0);
	consumer_drain(&c[0], on_packet, &ma[0]);
	CHECK_EQ(skbremap_emu_ioctl(m[0], SKBREMAP_IOC_STATS, &st0), 0);
	consumer_unmap(&c[0]);
	skbremap_emu_close(m[0]);
	m[0] = NULL;
	memset(&ci, 0, sizeof(ci));
	ci.index = 0;
	CHECK_EQ(skbremap_emu_ioctl(m[1], SKBREMAP_IOC_CAPTURES, &ci), 0);
	CHECK_EQ(ci.fanout_member, 0);
	CHECK_EQ(ci.fanout_members, 1);

	end = consumer_now() + 0.5;
	while (consumer_now() < end) {
		consumer_drain(&c[1], on_packet, &ma[1]);
		skbremap_emu_poll(m[1], 2);
	}
	CHECK_EQ(skbremap_emu_ioctl(m[1], SKBREMAP_IOC_STOP, NULL), 0);
	consumer_drain(&c[1], on_packet, &ma[1]);
	CHECK_EQ(skbremap_emu_ioctl(m[1], SKBREMAP_IOC_STATS, &st1), 0);

	CHECK_EQ(s.bad, 0);
	CHECK_EQ(s.dup, 0);
	CHECK(st0.captured > 0);
	for (i = 0; i < s.total; i++)
		if (s.by[i] == 1 && i > max0)
			max0 = i;
	for (i = 0; i < st0.seen + st1.seen && i < s.total; i++) {
		if (!s.by[i])
			missing += 1;
		if (i > max0)
			after += s.by[i] == 2;
		if (i > max0 && !s.by[i])
			missing_after++;
	}
	/* Missing is what the counters call dropped, nothing more. */
	CHECK_EQ(missing, st0.seen - st0.captured + st1.seen - st1.captured);
	/* Once member 0 is gone, member 1 takes every packet. */
	CHECK(after > 100);
	CHECK_EQ(missing_after, 0);
	CHECK_EQ(st1.seen, st1.captured);
	CHECK(st0.seen + st1.seen <= s.total);
	free(s.by);
	consumer_unmap(&c[1]);
	skbremap_emu_close(m[1]);
}

int main(void)
{
	RUN(hash_is_symmetric_for_ipv4_ipv6_vlan_tcp_udp);
	RUN(hash_keeps_the_fragments_of_a_datagram_together);
	RUN(hash_of_non_ip_and_truncated_frames_is_zero);
	RUN(hash_spreads_flows_over_members);
	RUN(fanout_ioctl_rejects_bad_arguments_and_states);
	RUN(group_is_full_at_max_members);
	RUN(hash_group_every_packet_once_and_no_flow_split);
	RUN(lb_group_every_packet_once_and_round_robin);
	RUN(cpu_group_every_packet_once);
	RUN(rollover_when_a_member_holds_all_its_windows);
	RUN(captures_list_the_group_mode_and_member_index);
	RUN(member_close_hands_its_share_to_the_others);
	return harness_summary("test_fanout");
}
