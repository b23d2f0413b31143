// SPDX-License-Identifier: GPL-2.0
/*
 * udpflood: the in-VM benchmark's loopback load (tools/bench/vm-bench.sh).
 *
 *   udpflood DST_IPV4 PORT PAYLOAD_BYTES COUNT
 *
 * Sends COUNT UDP datagrams of PAYLOAD_BYTES each to DST:PORT, unpaced
 * (ENOBUFS is retried), and prints
 *   udpflood: sent N datagrams of P bytes in S s (R/s)
 * Before sending it binds a sink on 0.0.0.0:PORT that is never read, so
 * the datagrams draw no ICMP port unreachable (not rate-limited on
 * loopback: it would double the traffic) and cost the receive side only
 * the drop at a full socket queue, the same for every consumer. The sink
 * stays bound for a second after the last datagram is sent: with RPS the
 * receive side may still be working through its backlog.
 * (tools/vm/udpsend sends one datagram of each size in a range; this one
 * repeats one size.) Built with gcc -static for the initramfs.
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

#define UDPFLOOD_MAX_PAYLOAD 65507

static long udpflood_arg(const char *s, long lo, long hi, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < lo || v > hi) {
		fprintf(stderr, "udpflood: bad %s '%s' (%ld..%ld)\n", what, s, lo, hi);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	static unsigned char buf[UDPFLOOD_MAX_PAYLOAD];
	struct sockaddr_in dst = { .sin_family = AF_INET };
	struct sockaddr_in sink = { .sin_family = AF_INET };
	struct timespec t0, t1;
	long size, count, sent = 0, j;
	int fd, sfd, small = 4096;
	double secs;

	if (argc != 5) {
		fprintf(stderr, "usage: udpflood DST_IPV4 PORT PAYLOAD_BYTES COUNT\n");
		return 2;
	}
	if (inet_pton(AF_INET, argv[1], &dst.sin_addr) != 1) {
		fprintf(stderr, "udpflood: bad address '%s'\n", argv[1]);
		return 2;
	}
	dst.sin_port = htons(udpflood_arg(argv[2], 1, 65535, "port"));
	size = udpflood_arg(argv[3], 0, UDPFLOOD_MAX_PAYLOAD, "payload size");
	count = udpflood_arg(argv[4], 1, 1000000000L, "count");
	for (j = 0; j < size; j++)
		buf[j] = (unsigned char)(size + j);

	sfd = socket(AF_INET, SOCK_DGRAM, 0);
	sink.sin_port = dst.sin_port;
	sink.sin_addr.s_addr = htonl(INADDR_ANY);
	if (sfd < 0 || bind(sfd, (struct sockaddr *)&sink, sizeof(sink)) < 0) {
		perror("udpflood: sink bind");
		return 1;
	}
	setsockopt(sfd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("udpflood: socket");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (sent < count) {
		if (sendto(fd, buf, size, 0, (struct sockaddr *)&dst, sizeof(dst)) == size) {
			sent++;
			continue;
		}
		if (errno == ENOBUFS || errno == EINTR || errno == ECONNREFUSED)
			continue;
		fprintf(stderr, "udpflood: sendto: %s\n", strerror(errno));
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("udpflood: sent %ld datagrams of %ld bytes in %.3f s (%.0f/s)\n",
	       sent, size, secs, secs > 0 ? sent / secs : 0.0);
	fflush(stdout);
	close(fd);
	sleep(1);
	close(sfd);
	return 0;
}
