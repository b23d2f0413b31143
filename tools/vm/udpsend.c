// SPDX-License-Identifier: GPL-2.0
/*
 * udpsend: the VM lane's UDP traffic (busybox nc cannot send exact sizes).
 *
 *   udpsend DST PORT MIN MAX [GAP_USEC]
 *	one datagram of every payload size from MIN to MAX, in order, to an
 *	IPv4 or IPv6 DST
 *   udpsend -l PORT
 *	sink: bind 0.0.0.0:PORT and read datagrams until killed, so the
 *	sender's datagrams draw no ICMP port unreachable (which would only
 *	double the traffic both captures have to agree on)
 *   udpsend -l6 PORT
 *	the same on [::]:PORT, for IPv6 and (v4-mapped) IPv4 datagrams
 *   udpsend -t DST PORT COUNT [BYTES]
 *	COUNT TCP connections one after the other: connect, send BYTES
 *	(default 100) of the pattern, shut down writing, read to EOF, close;
 *	a refused connection (SYN, RST) is counted and is not an error
 *   udpsend -tl PORT
 *	TCP sink on [::]:PORT (IPv4 too): accept, read to EOF, close
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
#include <signal.h>
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

/* DST (IPv4 or IPv6) and PORT as a socket address, its length; exit 2 if bad. */
static socklen_t udpsend_addr(const char *dst, const char *port,
			      struct sockaddr_storage *ss)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	int p = udpsend_arg(port, 1, 65535, "port");

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, dst, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(p);
		return sizeof(*in4);
	}
	if (inet_pton(AF_INET6, dst, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(p);
		return sizeof(*in6);
	}
	fprintf(stderr, "udpsend: bad address '%s'\n", dst);
	exit(2);
}

/* A socket of TYPE bound to [::]:PORT that takes IPv4 too (v4-mapped). */
static int udpsend_bind6(int type, const char *port)
{
	struct sockaddr_in6 me = { .sin6_family = AF_INET6 };
	int fd, no = 0, yes = 1, rcvbuf = 4 << 20;

	me.sin6_port = htons(udpsend_arg(port, 1, 65535, "port"));
	me.sin6_addr = in6addr_any;
	fd = socket(AF_INET6, type, 0);
	if (fd < 0) {
		perror("udpsend: socket");
		exit(1);
	}
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &no, sizeof(no));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(fd, (struct sockaddr *)&me, sizeof(me)) < 0) {
		perror("udpsend: bind");
		exit(1);
	}
	return fd;
}

static int udpsend_sink6(const char *port)
{
	static unsigned char buf[UDPSEND_MAX_PAYLOAD];
	int fd = udpsend_bind6(SOCK_DGRAM, port);

	for (;;) {
		if (recv(fd, buf, sizeof(buf), 0) < 0 && errno != EINTR) {
			perror("udpsend: recv");
			return 1;
		}
	}
}

/* Read until EOF (or an error: a reset ends the connection just as well). */
static void udpsend_drain(int fd)
{
	char buf[4096];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

static int udpsend_tcp_sink(const char *port)
{
	int fd = udpsend_bind6(SOCK_STREAM, port);

	if (listen(fd, 16) < 0) {
		perror("udpsend: listen");
		return 1;
	}
	for (;;) {
		int c = accept(fd, NULL, NULL);

		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			perror("udpsend: accept");
			return 1;
		}
		udpsend_drain(c);
		close(c);
	}
}

static int udpsend_tcp(int argc, char **argv)
{
	static unsigned char buf[UDPSEND_MAX_PAYLOAD];
	struct sockaddr_storage dst;
	socklen_t len;
	long count, bytes = 100, i, j, done = 0, refused = 0;

	if (argc != 5 && argc != 6) {
		fprintf(stderr, "usage: udpsend -t DST PORT COUNT [BYTES]\n");
		return 2;
	}
	len = udpsend_addr(argv[2], argv[3], &dst);
	count = udpsend_arg(argv[4], 1, 100000, "count");
	if (argc == 6)
		bytes = udpsend_arg(argv[5], 0, UDPSEND_MAX_PAYLOAD, "bytes");
	for (j = 0; j < bytes; j++)
		buf[j] = (unsigned char)(bytes + j);
	for (i = 0; i < count; i++) {
		int fd = socket(dst.ss_family, SOCK_STREAM, 0);

		if (fd < 0) {
			perror("udpsend: socket");
			return 1;
		}
		if (connect(fd, (struct sockaddr *)&dst, len) < 0) {
			if (errno != ECONNREFUSED) {
				fprintf(stderr, "udpsend: connect %s:%s: %s\n",
					argv[2], argv[3], strerror(errno));
				return 1;
			}
			refused++;
		} else {
			if (bytes && write(fd, buf, bytes) != bytes) {
				perror("udpsend: write");
				return 1;
			}
			shutdown(fd, SHUT_WR);
			udpsend_drain(fd);
			done++;
		}
		close(fd);
	}
	printf("udpsend: %ld TCP connections to %s port %s: %ld with %ld bytes, %ld refused\n",
	       count, argv[2], argv[3], done, bytes, refused);
	return 0;
}

int main(int argc, char **argv)
{
	static unsigned char buf[UDPSEND_MAX_PAYLOAD];
	struct sockaddr_storage dst;
	struct timespec gap;
	long min, max, gap_us = 200, n, sent = 0;
	socklen_t len;
	int fd;

	/* A peer that resets a connection must not kill the sender. */
	signal(SIGPIPE, SIG_IGN);
	if (argc == 3 && strcmp(argv[1], "-l") == 0)
		return udpsend_sink(argv[2]);
	if (argc == 3 && strcmp(argv[1], "-l6") == 0)
		return udpsend_sink6(argv[2]);
	if (argc == 3 && strcmp(argv[1], "-tl") == 0)
		return udpsend_tcp_sink(argv[2]);
	if (argc >= 2 && strcmp(argv[1], "-t") == 0)
		return udpsend_tcp(argc, argv);
	if (argc != 5 && argc != 6) {
		fprintf(stderr, "usage: udpsend DST PORT MIN MAX [GAP_USEC]\n"
				"       udpsend -l PORT | -l6 PORT\n"
				"       udpsend -t DST PORT COUNT [BYTES] | -tl PORT\n");
		return 2;
	}
	len = udpsend_addr(argv[1], argv[2], &dst);
	min = udpsend_arg(argv[3], 0, UDPSEND_MAX_PAYLOAD, "min");
	max = udpsend_arg(argv[4], min, UDPSEND_MAX_PAYLOAD, "max");
	if (argc == 6)
		gap_us = udpsend_arg(argv[5], 0, 10000000, "gap");
	gap.tv_sec = gap_us / 1000000;
	gap.tv_nsec = (gap_us % 1000000) * 1000;

	fd = socket(dst.ss_family, SOCK_DGRAM, 0);
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
		while (sendto(fd, buf, n, 0, (struct sockaddr *)&dst, len) != n) {
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
