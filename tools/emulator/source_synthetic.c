// SPDX-License-Identifier: GPL-2.0
/*
 * The synthetic source: deterministic Ethernet/IPv4/UDP frames, so that a
 * consumer can check every byte it receives against
 * skbremap_emu_synthetic_frame() (skbremap_emu.h describes the frame).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <stdlib.h>
#include <time.h>

#include "emu_internal.h"

#define SYN_HDR_LEN	42	/* Ethernet 14 + IPv4 20 + UDP 8 */
#define SYN_MAX_LEN	65535

static u8 pattern_byte(u64 index, u32 pos)
{
	u64 x = index * 0x9e3779b97f4a7c15ULL + pos * 0xbf58476d1ce4e5b9ULL;

	x ^= x >> 31;
	return (u8)(x >> 24);
}

static u32 csum_add(u32 sum, const u8 *p, u32 len)
{
	u32 i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (u32)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (u32)p[len - 1] << 8;
	return sum;
}

static u16 csum_fold(u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (u16)~sum;
}

static void put16(u8 *p, u16 v)
{
	p[0] = (u8)(v >> 8);
	p[1] = (u8)v;
}

/* The whole frame of @len >= SYN_HDR_LEN bytes. */
static void build(u64 index, u32 len, u8 *f)
{
	static const u8 dst[6] = { 0x02, 0x52, 0x42, 0x00, 0x00, 0x02 };
	static const u8 saddr[4] = { 198, 18, 0, 1 };
	static const u8 daddr[4] = { 198, 18, 0, 2 };
	u8 *ip = f + 14, *udp = f + 34, *pl = f + 42;
	u32 plen = len - SYN_HDR_LEN, i, sum;

	memcpy(f, dst, 6);
	f[6] = 0x02;
	f[7] = 0x00;
	f[8] = (u8)(index >> 24);
	f[9] = (u8)(index >> 16);
	f[10] = (u8)(index >> 8);
	f[11] = (u8)index;
	put16(f + 12, ETH_P_IP);

	ip[0] = 0x45;
	ip[1] = 0;
	put16(ip + 2, (u16)(len - 14));
	put16(ip + 4, (u16)index);
	put16(ip + 6, 0x4000);		/* DF */
	ip[8] = 64;
	ip[9] = 17;			/* UDP */
	put16(ip + 10, 0);
	memcpy(ip + 12, saddr, 4);
	memcpy(ip + 16, daddr, 4);
	put16(ip + 10, csum_fold(csum_add(0, ip, 20)));

	for (i = 0; i < plen && i < 8; i++)
		pl[i] = (u8)(index >> (56 - 8 * i));
	for (; i < plen; i++)
		pl[i] = pattern_byte(index, i);

	put16(udp, 40000);
	put16(udp + 2, 9);
	put16(udp + 4, (u16)(len - 34));
	put16(udp + 6, 0);
	sum = csum_add(0, saddr, 4);
	sum = csum_add(sum, daddr, 4);
	sum += 17 + (len - 34);
	sum = csum_add(sum, udp, len - 34);
	sum = csum_fold(sum);
	put16(udp + 6, sum ? (u16)sum : 0xffff);
}

/*
 * flows=F: frame i belongs to flow i % F, told apart by its UDP source
 * port (40000 + flow); the UDP checksum becomes 0 ("none", valid for
 * IPv4), since the frame's own covered the old port.
 */
static void spread_flow(u8 *f, u64 flow)
{
	put16(f + 34, (u16)(40000 + flow));
	put16(f + 40, 0);
}

int skbremap_emu_synthetic_frame(uint64_t index, uint32_t len, uint8_t *buf)
{
	u8 runt[SYN_HDR_LEN];

	if (!len || len > SYN_MAX_LEN || !buf)
		return -EINVAL;
	if (len >= SYN_HDR_LEN) {
		build(index, len, buf);
		return 0;
	}
	build(index, SYN_HDR_LEN, runt);
	memcpy(buf, runt, len);
	return 0;
}

void emu_synthetic_run(struct skbremap_emu *e, struct emu_source *s)
{
	const struct emu_source_spec *sp = &e->spec;
	u32 range = sp->max - sp->min + 1;
	struct emu_pkt_meta m = {
		.ifindex = e->ifindex,
		.protocol = htons(ETH_P_IP),
		.pkttype = PACKET_HOST,
	};
	u64 start = emu_now_ns(CLOCK_MONOTONIC);
	u8 *buf = malloc(SYN_MAX_LEN);
	u64 i;

	(void)s;
	if (!buf) {
		emu_source_end(e);
		return;
	}
	for (i = 0; !sp->count || i < sp->count; i++) {
		u32 len = sp->min + (u32)(i * sp->step % range);

		if (sp->rate) {
			u64 at = start + i / sp->rate * 1000000000ULL +
				 i % sp->rate * 1000000000ULL / sp->rate;

			if (emu_now_ns(CLOCK_MONOTONIC) < at)
				emu_source_sleep_until(e, at);
		}
		/* Checked every packet: cheap next to building the frame. */
		if (emu_source_should_stop(e))
			break;
		skbremap_emu_synthetic_frame(i, len, buf);
		if (sp->flows > 1 && len >= SYN_HDR_LEN)
			spread_flow(buf, i % sp->flows);
		m.tstamp_ns = emu_now_ns(CLOCK_REALTIME);
		m.wirelen = len;
		emu_hook(e, &m, buf, len);
	}
	free(buf);
	if (sp->count && i == sp->count)
		emu_source_end(e);
}
