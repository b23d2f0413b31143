/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The traffic mix and the tcpdump expressions of the filter tests, shared
 * by tests/c/test_filter.c (the emulator) and tests/kernel's filter smoke
 * (the module in the VM), so both hosts are checked on the same frames
 * and the same programs. Header-only: each user includes it once.
 */
#ifndef SKBREMAP_TEST_MIX_H
#define SKBREMAP_TEST_MIX_H

#include <stdint.h>
#include <string.h>

#define NFRAMES		480
#define FRAME_MAX	1600

static uint8_t frames[NFRAMES][FRAME_MAX];
static uint32_t frame_len[NFRAMES];

static uint8_t *put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
	return p + 2;
}

/*
 * Frame @i: IPv4 TCP/UDP/ICMP (one with options, one a fragment), IPv6
 * TCP/UDP (one behind a hop-by-hop header), ARP and 802.1Q-tagged IPv4 and
 * IPv6, of many sizes; the source MAC holds @i, so every frame differs.
 */
static uint32_t make_frame(uint32_t i, uint8_t *f)
{
	static const uint16_t tcp_ports[] = { 80, 443, 22, 8080 };
	uint32_t kind = i % 12, round = i / 12, pay = (i * 37) % 1400;
	uint8_t *p = f, *l3, *l4;
	uint16_t type;
	uint8_t proto;

	memset(f, 0, FRAME_MAX);
	memcpy(p, "\x02\x00\x00\x00\x00\x01", 6);
	p[6] = 0x02;
	p[8] = i >> 24;
	p[9] = i >> 16;
	p[10] = i >> 8;
	p[11] = i;
	p += 12;
	if (kind == 9 || kind == 10) {		/* 802.1Q, VLAN 10 or 20 */
		p = put16(p, 0x8100);
		p = put16(p, round % 2 ? 10 : 20);
	}
	type = kind == 8 ? 0x0806 : (kind >= 6 && kind <= 7) || kind == 10 ?
	       0x86dd : 0x0800;
	p = put16(p, type);
	l3 = p;
	proto = kind == 0 || kind == 1 || kind == 11 || kind == 7 ? 6 :
		kind == 4 ? 1 : 17;

	if (type == 0x0806) {
		memcpy(p, "\x00\x01\x08\x00\x06\x04\x00\x01", 8);
		p[17] = 1;			/* 10.0.0.1 asks for ... */
		p[14] = 10;
		p[24] = 10;
		p[27] = i % 7;
		p += 28;
		pay = 0;
		l4 = p;
	} else if (type == 0x0800) {
		uint32_t ihl = kind == 11 ? 6 : 5;

		p[0] = 0x40 | ihl;
		put16(p + 4, i & 0xffff);	/* id */
		if (kind == 5)			/* a later fragment */
			put16(p + 6, 0x2000 | 0x10);
		p[8] = 64;
		p[9] = proto;
		p[12] = 10;
		p[14] = i % 4;
		p[15] = 1;
		p[16] = 10;
		p[18] = i % 3 + 1;
		p[19] = 2;
		if (ihl == 6)
			memset(p + 20, 1, 4);	/* NOPs */
		p += ihl * 4;
		l4 = p;
	} else {
		p[0] = 0x60;
		p[6] = kind == 10 ? 0 : proto;	/* next header */
		p[7] = 64;
		memcpy(p + 8, "\x20\x01\x0d\xb8", 4);
		p[23] = i % 5;
		memcpy(p + 24, "\x20\x01\x0d\xb8", 4);
		p[37] = 1;
		p[39] = i % 3;
		p += 40;
		if (kind == 10) {		/* hop-by-hop, then UDP */
			p[0] = 17;
			p[2] = 1;		/* PadN filling 6 bytes */
			p[3] = 4;
			p += 8;
		}
		l4 = p;
	}

	if (type != 0x0806 && proto == 6) {
		put16(p, 1024 + i % 100);
		put16(p + 2, tcp_ports[round % 4]);
		p[12] = 5 << 4;
		p[13] = round % 3 == 0 ? 0x02 : round % 3 == 1 ? 0x10 : 0x11;
		p += 20;
	} else if (type != 0x0806 && proto == 17) {
		static const uint16_t udp_ports[] = { 53, 9, 5000, 123 };
		uint16_t dport = udp_ports[round % 4];

		if (dport == 5000)
			dport += i % 200;
		put16(p, 40000 + i % 50);
		put16(p + 2, dport);
		put16(p + 4, 8 + pay);
		p += 8;
	} else if (type != 0x0806) {		/* ICMP echo */
		p[0] = 8;
		p += 8;
	}
	(void)l4;
	memset(p, (int)(i & 0xff), pay);
	p += pay;
	if (type == 0x0800)
		put16(l3 + 2, (uint16_t)(p - l3));
	else if (type == 0x86dd)
		put16(l3 + 4, (uint16_t)(p - l3 - 40));
	if (p - f < 60)
		p = f + 60;			/* Ethernet padding */
	return (uint32_t)(p - f);
}

static void build_mix(void)
{
	uint32_t i;

	for (i = 0; i < NFRAMES; i++)
		frame_len[i] = make_frame(i, frames[i]);
}

struct expr {
	const char *text;
	int snaplen;
};

/* tcpdump expressions, as a user would type them. */
static const struct expr exprs[] = {
	{ "tcp", 262144 },
	{ "udp", 262144 },
	{ "icmp", 262144 },
	{ "arp", 262144 },
	{ "ip6", 262144 },
	{ "not ip", 262144 },
	{ "tcp port 80", 262144 },
	{ "udp port 53", 262144 },
	{ "host 10.0.1.1", 262144 },
	{ "net 10.0.2.0/24", 262144 },
	{ "src host 10.0.3.1 and dst port 443", 262144 },
	{ "tcp[tcpflags] & tcp-syn != 0", 262144 },
	{ "ip6 and tcp", 262144 },
	{ "ip6 and udp port 53", 262144 },
	{ "ip6 host 2001:db8::3", 262144 },
	{ "vlan", 262144 },
	{ "vlan 20 and udp", 262144 },
	{ "vlan and ip6", 262144 },
	{ "greater 1000", 262144 },
	{ "less 100", 262144 },
	{ "len >= 500 and udp", 262144 },
	{ "ip[6:2] & 0x1fff != 0", 262144 },
	{ "udp portrange 5000-5100", 262144 },
	{ "ether src 02:00:00:00:00:05", 262144 },
	{ "ip proto 17 and not port 53", 262144 },
	{ "tcp port 22 or icmp", 262144 },
	{ "ip[4:2] % 3 = 0", 262144 },
	{ "udp", 64 },
	{ "tcp or arp", 100 },
	{ "", 128 },
};

#define NEXPRS (sizeof(exprs) / sizeof(exprs[0]))

#endif /* SKBREMAP_TEST_MIX_H */
