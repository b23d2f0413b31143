// SPDX-License-Identifier: GPL-2.0
/*
 * recvloop: the in-VM benchmark's plain-socket consumer (tools/bench/vm-bench.sh).
 *
 *   recvloop IFACE [RCVBUF_BYTES]
 *
 * One AF_PACKET SOCK_RAW socket, ETH_P_ALL, bound to IFACE; recvfrom() of
 * every frame into one buffer, which is all it does with it: counts
 * packets and bytes. No ring, no mmap: one system call and one
 * copy_to_user per packet, the baseline the seed thread compares against.
 * On a loopback device the PACKET_OUTGOING copy of each frame is counted
 * apart and not as captured, as libpcap (tcpdump) and remapd do.
 *
 * RCVBUF_BYTES (default 4194304) is asked for with SO_RCVBUFFORCE (root);
 * the kernel doubles it and charges each skb's truesize against it, so it
 * holds fewer small packets than the same bytes of a packed ring. The
 * effective value is printed.
 *
 * SIGUSR1 prints the counts so far; SIGTERM/SIGINT print them and exit 0:
 *   recvloop: packets P bytes B drops D outgoing O
 * drops is the socket's own count (PACKET_STATISTICS tp_drops, accumulated:
 * the kernel resets it on every read). Built with gcc -static for the
 * initramfs.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static volatile sig_atomic_t recvloop_report, recvloop_stop;

static void recvloop_signal(int sig)
{
	if (sig == SIGUSR1)
		recvloop_report = 1;
	else
		recvloop_stop = 1;
}

static unsigned long long recvloop_drops(int fd)
{
	static unsigned long long total;
	struct tpacket_stats st;
	socklen_t len = sizeof(st);

	if (getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &st, &len) == 0)
		total += st.tp_drops;
	return total;
}

int main(int argc, char **argv)
{
	static unsigned char buf[256 * 1024];
	unsigned long long packets = 0, bytes = 0, outgoing = 0;
	struct sockaddr_ll me = { .sll_family = AF_PACKET };
	struct timeval tick = { .tv_sec = 0, .tv_usec = 200000 };
	struct sigaction sa;
	struct ifreq ifr;
	int fd, rcvbuf = 4 << 20, loopback, eff;
	socklen_t len;

	if (argc != 2 && argc != 3) {
		fprintf(stderr, "usage: recvloop IFACE [RCVBUF_BYTES]\n");
		return 2;
	}
	if (argc == 3)
		rcvbuf = atoi(argv[2]);
	/* Protocol 0 until bound: no frame of another interface gets in. */
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0) {
		perror("recvloop: socket");
		return 1;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", argv[1]);
	if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0) {
		fprintf(stderr, "recvloop: %s: %s\n", argv[1], strerror(errno));
		return 6;
	}
	me.sll_ifindex = ifr.ifr_ifindex;
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
		perror("recvloop: SIOCGIFFLAGS");
		return 1;
	}
	loopback = !!(ifr.ifr_flags & IFF_LOOPBACK);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	len = sizeof(eff);
	getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &eff, &len);
	/* A timeout, so a signal that lands just before recvfrom is seen soon. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tick, sizeof(tick));
	me.sll_protocol = htons(ETH_P_ALL);
	if (bind(fd, (struct sockaddr *)&me, sizeof(me)) < 0) {
		perror("recvloop: bind");
		return 1;
	}
	recvloop_drops(fd); /* nothing before the bind counts */

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = recvloop_signal; /* no SA_RESTART: recvfrom returns EINTR */
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	fprintf(stderr, "recvloop: listening on %s (ifindex %d%s), SO_RCVBUF %d\n",
		argv[1], me.sll_ifindex, loopback ? ", loopback" : "", eff);

	while (!recvloop_stop) {
		struct sockaddr_ll from;
		socklen_t fromlen = sizeof(from);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), MSG_TRUNC,
				     (struct sockaddr *)&from, &fromlen);

		if (n >= 0) {
			if (loopback && from.sll_pkttype == PACKET_OUTGOING) {
				outgoing++;
			} else {
				packets++;
				bytes += (unsigned long long)n;
			}
		} else if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK) {
			perror("recvloop: recvfrom");
			return 1;
		}
		if (recvloop_report) {
			recvloop_report = 0;
			fprintf(stderr, "recvloop: packets %llu bytes %llu drops %llu outgoing %llu\n",
				packets, bytes, recvloop_drops(fd), outgoing);
		}
	}
	fprintf(stderr, "recvloop: packets %llu bytes %llu drops %llu outgoing %llu (stopped)\n",
		packets, bytes, recvloop_drops(fd), outgoing);
	return 0;
}
