// SPDX-License-Identifier: GPL-2.0
/*
 * The pcap replay source: every record of a pcap file, read with libpcap
 * at nanosecond precision, handed to the hook as fast as the consumer
 * takes them (backpressure, see skbremap_emu.h), then the end. The ABI
 * carries no link type, so records of other link types than Ethernet are
 * given a 14-byte Ethernet header in place of theirs (a cooked capture's:
 * destination zero, its address as source, its protocol as EtherType).
 * Every record is replayed, whatever its direction (pkttype) or ifindex.
 * A record with no bytes, or fewer than its link header, holds no packet
 * to deliver: it is counted by reason (skbremap_emu_source_skipped), not
 * handed to the hook.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "emu_internal.h"

#define ETH_HLEN_	14
#define SLL_HLEN	16
#define SLL2_HLEN	20

/* Bytes of the record's own link header, or -1 for an unsupported type. */
static int link_hdr_len(int dlt)
{
	switch (dlt) {
	case DLT_EN10MB:
		return 0;
	case DLT_LINUX_SLL:
		return SLL_HLEN;
	case DLT_LINUX_SLL2:
		return SLL2_HLEN;
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
		return 0;
	case DLT_NULL:
	case DLT_LOOP:
		return 4;
	default:
		return -1;
	}
}

static int open_file(const char *path, pcap_t **out)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct stat st;
	pcap_t *p;

	if (!*path)
		return -EINVAL;
	if (stat(path, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode))
		return -EINVAL;
	p = pcap_open_offline_with_tstamp_precision(path,
						    PCAP_TSTAMP_PRECISION_NANO,
						    errbuf);
	if (!p)
		return errno == EACCES ? -EACCES : -EINVAL;
	if (link_hdr_len(pcap_datalink(p)) < 0) {
		pcap_close(p);
		return -EINVAL;
	}
	*out = p;
	return 0;
}

int emu_pcap_check(const char *path)
{
	pcap_t *p;
	int err = open_file(path, &p);

	if (!err)
		pcap_close(p);
	return err;
}

int emu_pcap_open(struct skbremap_emu *e, struct emu_source *s)
{
	pcap_t *p;
	int err = open_file(e->spec.path, &p);

	if (err)
		return err;
	s->buf = malloc(EMU_MAX_FRAME);
	if (!s->buf) {
		pcap_close(p);
		return -ENOMEM;
	}
	s->pcap = p;
	s->linktype = pcap_datalink(p);
	return 0;
}

void emu_pcap_close(struct emu_source *s)
{
	if (s->pcap)
		pcap_close(s->pcap);
	free(s->buf);
}

static u16 ip_ethertype(const u8 *l3, u32 len)
{
	if (len && l3[0] >> 4 == 6)
		return ETH_P_IPV6;
	return ETH_P_IP;
}

static u16 get16(const u8 *p)
{
	return (u16)(p[0] << 8 | p[1]);
}

/*
 * Turn one record into an Ethernet frame in s->buf (or point at it as it
 * is). Returns the frame, or NULL for a record too short for its header
 * or too long for s->buf.
 */
static const u8 *to_ethernet(struct emu_source *s, const u8 *rec,
			     u32 caplen, u32 *hlen_delta,
			     struct emu_pkt_meta *m)
{
	int hl = link_hdr_len(s->linktype);
	u8 *f = s->buf;
	const u8 *l3;
	u16 type;
	u32 l3len;

	if (s->linktype == DLT_EN10MB) {
		*hlen_delta = 0;
		m->protocol = caplen >= ETH_HLEN_ ? htons(get16(rec + 12)) : 0;
		return rec;
	}
	if (caplen < (u32)hl || caplen - (u32)hl > EMU_MAX_FRAME - ETH_HLEN_)
		return NULL;
	l3 = rec + hl;
	l3len = caplen - (u32)hl;
	memset(f, 0, ETH_HLEN_);
	switch (s->linktype) {
	case DLT_LINUX_SLL:
		m->pkttype = (u8)get16(rec);
		if (get16(rec + 4) == 6)	/* halen: a MAC address */
			memcpy(f + 6, rec + 6, 6);
		type = get16(rec + 14);
		break;
	case DLT_LINUX_SLL2:
		type = get16(rec);
		m->ifindex = (s32)((u32)get16(rec + 4) << 16 | get16(rec + 6));
		m->pkttype = rec[10];
		if (rec[11] == 6)
			memcpy(f + 6, rec + 12, 6);
		break;
	default:		/* RAW, IPV4, IPV6, NULL, LOOP */
		type = ip_ethertype(l3, l3len);
		break;
	}
	f[12] = (u8)(type >> 8);
	f[13] = (u8)type;
	memcpy(f + ETH_HLEN_, l3, l3len);
	m->protocol = htons(type);
	*hlen_delta = (u32)hl;
	return f;
}

void emu_pcap_run(struct skbremap_emu *e, struct emu_source *s)
{
	struct pcap_pkthdr *h;
	const u_char *rec;
	int rc;

	while (!emu_source_should_stop(e)) {
		struct emu_pkt_meta m = {
			.ifindex = e->ifindex,
			.pkttype = PACKET_HOST,
		};
		const u8 *frame;
		u32 delta, caplen, wirelen;

		rc = pcap_next_ex(s->pcap, &h, &rec);
		if (rc != 1)
			break;		/* end of file, or a truncated one */
		frame = h->caplen ? to_ethernet(s, rec, h->caplen, &delta, &m) :
				    NULL;
		if (!frame) {	/* no packet to show: count why */
			pthread_mutex_lock(&e->lock);
			if (!h->caplen)
				e->src_skipped.empty++;
			else if (h->caplen < (u32)link_hdr_len(s->linktype))
				e->src_skipped.short_header++;
			else
				e->src_skipped.too_long++;
			pthread_mutex_unlock(&e->lock);
			continue;
		}
		if (frame == rec) {
			caplen = h->caplen;
			wirelen = h->len;
		} else {	/* 14 bytes of Ethernet replace delta bytes */
			caplen = h->caplen - delta + ETH_HLEN_;
			wirelen = h->len >= delta ? h->len - delta + ETH_HLEN_ :
						    caplen;
		}
		m.tstamp_ns = (u64)h->ts.tv_sec * 1000000000ULL +
			      (u64)h->ts.tv_usec;	/* ns at NANO precision */
		m.wirelen = wirelen;
		emu_hook(e, &m, frame, caplen);
	}
	if (!emu_source_should_stop(e))
		emu_source_end(e);
}
