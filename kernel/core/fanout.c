// SPDX-License-Identifier: GPL-2.0
/*
 * Fanout groups (SKBREMAP_IOC_FANOUT): the host-independent part, shared
 * by the module (kernel/fanout.c) and the emulator (tools/emulator/
 * fanout.c) so that both pick the same member for the same frame:
 *
 *   - the check of the user-written struct skbremap_fanout;
 *   - the symmetric flow hash of a frame, computed here from the frame's
 *     bytes rather than with the kernel's flow dissector: the kernel's
 *     symmetric hash (__skb_get_hash_symmetric) is exported on 6.1 and
 *     6.12 but is an inline around a different export on 7.3, and the
 *     emulator has no flow dissector at all;
 *   - the choice of a member from the mode (and the rollover walk).
 *
 * The hash. A frame is parsed from its Ethernet header: up to two VLAN
 * tags (802.1Q, 802.1ad), then IPv4 (header length from IHL) or IPv6 (hop
 * by hop, routing and destination options headers skipped, at most 8).
 * The addresses and, for TCP, UDP, UDP-Lite, SCTP and DCCP, the two ports
 * are put in a canonical order (the smaller address first; for equal
 * addresses the smaller port first), so that a reply hashes like its
 * request. A fragment (IPv4 MF or offset, an IPv6 fragment header) is
 * hashed on its addresses alone, for every fragment of the datagram alike
 * (the first carries ports, the others do not), as the kernel's flow
 * dissector does without FLOW_DISSECTOR_F_PARSE_1ST_FRAG. The protocol
 * is mixed in too; the VLAN ID is not (a tag may be in the frame one way
 * and in skb metadata the other). Anything not IP (ARP, LLDP, a truncated
 * header) hashes to 0: it all goes to one member.
 */
#include "skbremap_core.h"

#define ETH_HLEN_		14
#define ETH_P_IP_		0x0800
#define ETH_P_IPV6_		0x86dd
#define ETH_P_8021Q_		0x8100
#define ETH_P_8021AD_		0x88a8

int skbremap_fanout_arg_check(const struct skbremap_fanout *a)
{
	if (a->mode < SKBREMAP_FANOUT_HASH || a->mode > SKBREMAP_FANOUT_LB)
		return -EINVAL;
	if (a->flags & ~SKBREMAP_FANOUT_F_ROLLOVER)
		return -EINVAL;
	if (a->reserved[0] || a->reserved[1] || a->reserved[2])
		return -EINVAL;
	return 0;
}

static u16 get_be16(const u8 *p)
{
	return (u16)((p[0] << 8) | p[1]);
}

static u32 get_be32(const u8 *p)
{
	return ((u32)p[0] << 24) | ((u32)p[1] << 16) | ((u32)p[2] << 8) | p[3];
}

/* murmur3's 32-bit mixing steps: every input bit reaches every output bit. */
static u32 mix(u32 h, u32 k)
{
	k *= 0xcc9e2d51;
	k = (k << 15) | (k >> 17);
	k *= 0x1b873593;
	h ^= k;
	h = (h << 13) | (h >> 19);
	return h * 5 + 0xe6546b64;
}

static u32 final_mix(u32 h)
{
	h ^= h >> 16;
	h *= 0x85ebca6b;
	h ^= h >> 13;
	h *= 0xc2b2ae35;
	h ^= h >> 16;
	return h;
}

/* memcmp of two addresses of @n bytes, without the library. */
static int addr_cmp(const u8 *a, const u8 *b, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return 0;
}

static bool has_ports(u8 proto)
{
	/* TCP, UDP, DCCP, SCTP, UDP-Lite: the ports are the first 4 bytes. */
	return proto == 6 || proto == 17 || proto == 33 || proto == 132 ||
	       proto == 136;
}

/*
 * Mix the (address, port) pairs of both ends in canonical order. @a/@b
 * point at the source and destination addresses of @alen bytes each.
 */
static u32 hash_ends(u32 h, const u8 *a, const u8 *b, u32 alen,
		     u16 pa, u16 pb)
{
	int c = addr_cmp(a, b, alen);
	const u8 *t;
	u32 i;
	u16 tp;

	if (c > 0 || (c == 0 && pa > pb)) {
		t = a;
		a = b;
		b = t;
		tp = pa;
		pa = pb;
		pb = tp;
	}
	for (i = 0; i < alen; i += 4)
		h = mix(h, get_be32(a + i));
	for (i = 0; i < alen; i += 4)
		h = mix(h, get_be32(b + i));
	return mix(h, ((u32)pa << 16) | pb);
}

u32 skbremap_flow_hash_sym(const u8 *f, u32 len)
{
	u32 off = ETH_HLEN_, tags = 0, l4 = 0, n;
	u16 type, pa = 0, pb = 0;
	bool frag = false;
	u8 proto;

	if (len < ETH_HLEN_)
		return 0;
	type = get_be16(f + 12);
	while ((type == ETH_P_8021Q_ || type == ETH_P_8021AD_) && tags < 2) {
		if (len < off + 4)
			return 0;
		type = get_be16(f + off + 2);
		off += 4;
		tags++;
	}
	if (type == ETH_P_IP_) {
		u32 ihl;

		if (len < off + 20 || (f[off] >> 4) != 4)
			return 0;
		ihl = (u32)(f[off] & 0x0f) * 4;
		if (ihl < 20 || len < off + ihl)
			return 0;
		proto = f[off + 9];
		/* MF set or a fragment offset: no ports in every fragment. */
		frag = (get_be16(f + off + 6) & 0x3fff) != 0;
		l4 = off + ihl;
		if (!frag && has_ports(proto) && len >= l4 + 4) {
			pa = get_be16(f + l4);
			pb = get_be16(f + l4 + 2);
		}
		return final_mix(hash_ends(mix(0x4, proto),
					   f + off + 12, f + off + 16, 4,
					   pa, pb));
	}
	if (type != ETH_P_IPV6_)
		return 0;
	if (len < off + 40 || (f[off] >> 4) != 6)
		return 0;
	proto = f[off + 6];
	l4 = off + 40;
	for (n = 0; n < 8; n++) {
		if (proto == 0 || proto == 43 || proto == 60) {
			/* hop-by-hop, routing, destination options */
			if (len < l4 + 8)
				break;
			proto = f[l4];
			l4 += 8 + (u32)f[l4 + 1] * 8;
		} else if (proto == 44) {
			/* fragment header: addresses only */
			if (len < l4 + 8)
				break;
			frag = true;
			proto = f[l4];
			l4 += 8;
		} else {
			break;
		}
	}
	if (!frag && has_ports(proto) && len >= l4 + 4) {
		pa = get_be16(f + l4);
		pb = get_be16(f + l4 + 2);
	}
	return final_mix(hash_ends(mix(0x6, proto), f + off + 8,
				   f + off + 24, 16, pa, pb));
}

/* hash * n / 2^32: the same spread as the kernel's reciprocal_scale(). */
u32 skbremap_fanout_scale(u32 hash, u32 n)
{
	return (u32)(((u64)hash * n) >> 32);
}
