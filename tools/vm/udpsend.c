// SPDX-License-Identifier: GPL-2.0
/*
 * udpsend: one UDP datagram of every payload size from MIN to MAX, in order,
 * for the VM lane's traffic (busybox nc cannot send exact sizes).
 *
 *   udpsend DST_IPV4 PORT MIN MAX [GAP_USEC]
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

int main(int argc, char **argv)
{
	static unsigned char buf[UDPSEND_MAX_PAYLOAD];
	struct sockaddr_in dst = { .sin_family = AF_INET };
	struct timespec gap;
	long min, max, gap_us = 200, n, sent = 0;
	int fd;

	if (argc != 5 && argc != 6) {
		fprintf(stderr, "usage: udpsend DST_IPV4 PORT MIN MAX [GAP_USEC]\n");
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
		 * ECONNREFUSED is the ICMP port unreachable of an earlier
		 * datagram (nobody listens): expected, send this one again.
		 */
		while (sendto(fd, buf, n, 0, (struct sockaddr *)&dst, sizeof(dst)) != n) {
			if (errno == ECONNREFUSED || errno == EINTR)
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
