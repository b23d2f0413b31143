// SPDX-License-Identifier: GPL-2.0
/*
 * The AF_PACKET source: what the module's ETH_P_ALL prot_hook sees, taken
 * from an AF_PACKET SOCK_RAW socket on the bound interface (or all). The
 * socket gives what the module reads from the skb: the frame from its MAC
 * header (sll_pkttype, sll_protocol and sll_ifindex for pkttype, protocol
 * and ifindex), the VLAN tag the device moved into metadata
 * (PACKET_AUXDATA, as libpcap reads it) and skb->tstamp (SO_TIMESTAMPNS).
 * Packets the socket buffer dropped are counted as seen and
 * drop_queue_full, so seen == captured + drops still holds.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <linux/if_arp.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "emu_internal.h"

#define AFP_HEADROOM	14	/* room to put an Ethernet header in front */
#define AFP_RCVBUF	(8 << 20)

int emu_afpacket_open(struct skbremap_emu *e, struct emu_source *s)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL),
		.sll_ifindex = e->ifindex,
	};
	int one = 1, rcvbuf = AFP_RCVBUF;
	int err;

	/* Protocol 0: nothing is queued before bind() picks the device. */
	s->sock = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (s->sock < 0)
		return errno == EACCES ? -EPERM : -errno;
	if (setsockopt(s->sock, SOL_PACKET, PACKET_AUXDATA, &one,
		       sizeof(one)) < 0 ||
	    setsockopt(s->sock, SOL_SOCKET, SO_TIMESTAMPNS, &one,
		       sizeof(one)) < 0) {
		err = -errno;
		goto err_close;
	}
	if (setsockopt(s->sock, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
		       sizeof(rcvbuf)) < 0)
		setsockopt(s->sock, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
			   sizeof(rcvbuf));
	if (bind(s->sock, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		err = errno == ENXIO ? -ENODEV : -errno;
		goto err_close;
	}
	s->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (s->wake_fd < 0) {
		err = -errno;
		goto err_close;
	}
	s->buf = malloc(AFP_HEADROOM + EMU_MAX_FRAME);
	if (!s->buf) {
		err = -ENOMEM;
		goto err_close_wake;
	}
	return 0;

err_close_wake:
	close(s->wake_fd);
	s->wake_fd = -1;
err_close:
	close(s->sock);
	s->sock = -1;
	return err;
}

void emu_afpacket_close(struct emu_source *s)
{
	free(s->buf);
	if (s->wake_fd >= 0)
		close(s->wake_fd);
	if (s->sock >= 0)
		close(s->sock);
}

void emu_afpacket_wake(struct emu_source *s)
{
	u64 one = 1;

	if (write(s->wake_fd, &one, sizeof(one)) < 0)
		return;	/* the counter is saturated: already woken */
}

/* Devices whose frames start at the network header. */
static bool no_link_header(u16 hatype)
{
	switch (hatype) {
	case ARPHRD_NONE:
	case ARPHRD_RAWIP:
	case ARPHRD_TUNNEL:
	case ARPHRD_TUNNEL6:
	case ARPHRD_SIT:
	case ARPHRD_PPP:
		return true;
	default:
		return false;
	}
}

static void account_socket_drops(struct skbremap_emu *e, int sock)
{
	struct tpacket_stats st;
	socklen_t len = sizeof(st);

	/* Reading the statistics resets them. */
	if (!getsockopt(sock, SOL_PACKET, PACKET_STATISTICS, &st, &len) &&
	    st.tp_drops)
		emu_hook_lost(e, st.tp_drops);
}

/*
 * One packet from the socket to the hook: 1, or 0 when none is waiting, or
 * -errno when the socket is done for (the bound interface went away).
 */
static int receive_one(struct skbremap_emu *e, struct emu_source *s)
{
	union {
		struct cmsghdr align;
		u8 buf[CMSG_SPACE(sizeof(struct tpacket_auxdata)) +
		       CMSG_SPACE(sizeof(struct timespec))];
	} cbuf;
	u8 *data = s->buf + AFP_HEADROOM;
	struct iovec iov = { data, EMU_MAX_FRAME };
	struct sockaddr_ll sll;
	struct msghdr msg = {
		.msg_name = &sll,
		.msg_namelen = sizeof(sll),
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = cbuf.buf,
		.msg_controllen = sizeof(cbuf.buf),
	};
	struct emu_pkt_meta m = { 0 };
	struct cmsghdr *c;
	ssize_t n;
	u32 len, wirelen;

	n = recvmsg(s->sock, &msg, MSG_TRUNC | MSG_DONTWAIT);
	if (n < 0) {
		if (errno == ENETDOWN || errno == ENODEV || errno == ENXIO)
			return -errno;
		return 0;	/* EAGAIN, EINTR, ENOBUFS: try again later */
	}
	wirelen = (u32)n;
	len = wirelen > EMU_MAX_FRAME ? EMU_MAX_FRAME : wirelen;

	m.tstamp_ns = 0;
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level == SOL_PACKET &&
		    c->cmsg_type == PACKET_AUXDATA) {
			struct tpacket_auxdata aux;

			memcpy(&aux, CMSG_DATA(c), sizeof(aux));
			if (aux.tp_vlan_tci ||
			    (aux.tp_status & TP_STATUS_VLAN_VALID)) {
				m.flags |= SKBREMAP_PKT_VLAN;
				m.vlan_tci = aux.tp_vlan_tci;
				m.vlan_proto =
					aux.tp_status & TP_STATUS_VLAN_TPID_VALID ?
					htons(aux.tp_vlan_tpid) :
					htons(ETH_P_8021Q);
			}
		} else if (c->cmsg_level == SOL_SOCKET &&
			   c->cmsg_type == SCM_TIMESTAMPNS) {
			struct timespec ts;

			memcpy(&ts, CMSG_DATA(c), sizeof(ts));
			m.tstamp_ns = (u64)ts.tv_sec * 1000000000ULL +
				      (u64)ts.tv_nsec;
		}
	}
	if (!m.tstamp_ns)
		m.tstamp_ns = emu_now_ns(CLOCK_REALTIME);
	m.ifindex = sll.sll_ifindex;
	m.protocol = sll.sll_protocol;
	m.pkttype = sll.sll_pkttype;

	if (no_link_header(sll.sll_hatype)) {
		/* The ABI shows Ethernet frames: give it a header. */
		data -= AFP_HEADROOM;
		memset(data, 0, 12);
		memcpy(data + 12, &sll.sll_protocol, 2);
		len += AFP_HEADROOM;
		wirelen += AFP_HEADROOM;
	}
	m.wirelen = wirelen;
	emu_hook(e, &m, data, len);
	return 1;
}

/*
 * Until STOP, or until the bound interface goes down or away: then the
 * source ends like a finite one (the module's netdevice notifier ends the
 * capture), so skbremap_emu_source_done() turns 1.
 */
void emu_afpacket_run(struct skbremap_emu *e, struct emu_source *s)
{
	struct pollfd pfd[2] = {
		{ .fd = s->sock, .events = POLLIN },
		{ .fd = s->wake_fd, .events = POLLIN },
	};
	bool gone = false;
	u32 n;
	int rc;

	while (!gone && !emu_source_should_stop(e)) {
		if (poll(pfd, 2, 1000) < 0 && errno != EINTR)
			break;
		for (n = 0; n < 256; n++) {
			rc = receive_one(e, s);
			if (rc <= 0) {
				gone = rc < 0;
				break;
			}
		}
		if (pfd[0].revents & (POLLERR | POLLHUP | POLLNVAL) &&
		    !n && !gone) {
			int err = 0;
			socklen_t len = sizeof(err);

			getsockopt(s->sock, SOL_SOCKET, SO_ERROR, &err, &len);
			gone = err == ENETDOWN || err == ENODEV ||
			       err == ENXIO || (pfd[0].revents & POLLNVAL);
		}
		account_socket_drops(e, s->sock);
	}
	account_socket_drops(e, s->sock);
	if (gone)
		emu_source_end(e);
}
