// SPDX-License-Identifier: GPL-2.0
/*
 * udpsend: the VM lane's UDP traffic (busybox nc cannot send exact sizes).
 *
 *   udpsend DST_IPV4 PORT MIN MAX [GAP_USEC]
 *	one datagram of every payload size from MIN to MAX, in order
 *   udpsend -l PORT
 *	sink: bind 0.0.0.0:PORT and read datagrams until killed, so the
 *	sender's datagrams draw no ICMP port unreachable (which would only
 *	double the traffic both captures have to agree on)
 *
 * Byte j of the datagram of size n is (n + j) & 0xff, so a capture that
 * shifts, truncates or mixes up pages shows up as a byte difference.
 * GAP_USEC (default 200) paces the sender so neither tcpdump's buffer nor
 * the module's windows overflow: this lane checks content, not drop
 * behaviour. Built on the host with gcc -static; runs in the initramfs.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define UDPSEND_MAX_PAYLOAD 65507

static long udpsend_arg(const char *s, long lo, long hi, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < lo || v > hi) {
		fprintf(stderr, "udpsend: bad %s '%s' (%ld..%ld)\n", what, s, lo, hi);
		exit(2);
	}
	return v;
}

static int udpsend_sink(const char *port)
{
	static unsigned char buf[UDPSEND_MAX_PAYLOAD];
	struct sockaddr_in me = { .sin_family = AF_INET };
	int fd, rcvbuf = 4 << 20;

	me.sin_port = htons(udpsend_arg(port, 1, 65535, "port"));
	me.sin_addr.s_addr = htonl(INADDR_ANY);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("udpsend: socket");
		return 1;
	}
	/* Best effort: a full receive queue drops after the taps saw it. */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(fd, (struct sockaddr *)&me, sizeof(me)) < 0) {
		perror("udpsend: bind");
		return 1;
	}
	for (;;) {
		if (recv(fd, buf, sizeof(buf), 0) < 0 && errno != EINTR) {
			perror("udpsend: recv");
			return 1;
		}
	}
}

int main(int argc, char **argv)
{
	static unsigned char buf[UDPSEND_MAX_PAYLOAD];
	struct sockaddr_in dst = { .sin_family = AF_INET };
	struct timespec gap;
	long min, max, gap_us = 200, n, sent = 0;
	int fd;

	if (argc == 3 && strcmp(argv[1], "-l") == 0)
		return udpsend_sink(argv[2]);
	if (argc != 5 && argc != 6) {
		fprintf(stderr, "usage: udpsend DST_IPV4 PORT MIN MAX [GAP_USEC]\n"
				"       udpsend -l PORT\n");
		return 2;
	}
	if (inet_pton(AF_INET, argv[1], &dst.sin_addr) != 1) {
		fprintf(stderr, "udpsend: bad address '%s'\n", argv[1]);
		return 2;
	}
	dst.sin_port = htons(udpsend_arg(argv[2], 1, 65535, "port"));
	min = udpsend_arg(argv[3], 0, UDPSEND_MAX_PAYLOAD, "min");
	max = udpsend_arg(argv[4], min, UDPSEND_MAX_PAYLOAD, "max");
	if (argc == 6)
		gap_us = udpsend_arg(argv[5], 0, 10000000, "gap");
	gap.tv_sec = gap_us / 1000000;
	gap.tv_nsec = (gap_us % 1000000) * 1000;

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("udpsend: socket");
		return 1;
	}
	for (n = min; n <= max; n++) {
		long j;

		for (j = 0; j < n; j++)
			buf[j] = (unsigned char)(n + j);
		/*
		 * ENOBUFS: the qdisc or the device queue is full for a moment
		 * (veth under TCG); nothing was sent, so send it again.
		 */
		while (sendto(fd, buf, n, 0, (struct sockaddr *)&dst, sizeof(dst)) != n) {
			if (errno == ENOBUFS || errno == EINTR || errno == ECONNREFUSED)
				continue;
			fprintf(stderr, "udpsend: sendto size %ld: %s\n", n, strerror(errno));
			return 1;
		}
		sent++;
		if (gap_us)
			nanosleep(&gap, NULL);
	}
	printf("udpsend: sent %ld datagrams, sizes %ld..%ld, to %s:%s\n",
	       sent, min, max, argv[1], argv[2]);
	close(fd);
	return 0;
}
