// SPDX-License-Identifier: GPL-2.0
/*
 * What poll() and the take-back cost with many windows: one capture of
 * /dev/skbremap (ring mode: the hook fills, poll takes released windows
 * back itself), W windows of one data page, bound to lo; UDP datagrams to
 * 127.0.0.1 until every window is published (READY, held by us); then
 *
 *   held     poll(timeout 0) with all W windows held and none released:
 *            ns per call, the mean of CALLS calls
 *   release  the consumer's step: release the oldest window, poll(0) (the
 *            take-back of that window inside it), W times: ns per step
 * REPS fills, BATCHES batches of held each: the fastest of each is kept
 * (a shared host's interference only adds).
 *
 * One line per run: "POLLBENCH <label> windows W held NS release NS".
 * tools/bench/takeback/poll-run.sh runs it against two builds of the
 * module in one boot.
 *
 *   pollbench LABEL [WINDOWS] [CALLS]
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include <linux/skbremap.h>

#define REPS	3	/* fills of every window */
#define BATCHES	5	/* timed batches of CALLS polls per fill */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void die(const char *what)
{
	printf("POLLBENCH FAIL: %s: %s\n", what, strerror(errno));
	exit(1);
}

static volatile struct skbremap_win_ctl *ctl_of(void *ctl,
						const struct skbremap_layout *l,
						unsigned int i)
{
	return (volatile struct skbremap_win_ctl *)((char *)ctl +
		l->win_ctl_offset + (size_t)i * l->win_ctl_size);
}

static unsigned int count_ready(void *ctl, const struct skbremap_layout *l)
{
	unsigned int i, n = 0;

	for (i = 0; i < l->windows; i++)
		n += __atomic_load_n(&ctl_of(ctl, l, i)->status,
				     __ATOMIC_ACQUIRE) == SKBREMAP_WIN_READY;
	return n;
}

int main(int argc, char **argv)
{
	const char *label = argc > 1 ? argv[1] : "run";
	unsigned int windows = argc > 2 ? atoi(argv[2]) : 256;
	unsigned int calls = argc > 3 ? atoi(argv[3]) : 400;
	struct skbremap_config c = { 0 };
	struct skbremap_bind b = { 0 };
	struct skbremap_layout l;
	struct sockaddr_in to = { 0 };
	struct pollfd pfd;
	unsigned int i, j, k, r, *order;
	uint64_t t, t0, held_ns, release_ns, *seq;
	char payload[22] = "skbremap pollbench";
	void *ctl, *win;
	int fd, s;

	fd = open("/dev/skbremap", O_RDWR);
	if (fd < 0)
		die("open /dev/skbremap");
	c.windows = windows;
	c.pages_per_window = 1;
	c.mode = SKBREMAP_MODE_RING;
	c.retire_usec = 1000;
	c.info_pages = 1;
	if (ioctl(fd, SKBREMAP_IOC_CONFIGURE, &c))
		die("CONFIGURE");
	b.ifindex = 1;	/* lo */
	if (ioctl(fd, SKBREMAP_IOC_BIND, &b) || ioctl(fd, SKBREMAP_IOC_LAYOUT, &l))
		die("BIND/LAYOUT");
	ctl = mmap(NULL, l.ctl_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		   l.ctl_offset);
	win = mmap(NULL, l.win_size, PROT_READ, MAP_SHARED, fd, l.win_offset);
	if (ctl == MAP_FAILED || win == MAP_FAILED)
		die("mmap");
	if (ioctl(fd, SKBREMAP_IOC_START))
		die("START");

	s = socket(AF_INET, SOCK_DGRAM, 0);
	to.sin_family = AF_INET;
	to.sin_port = htons(9);
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	pfd.fd = fd;
	pfd.events = POLLIN;
	order = calloc(windows, sizeof(*order));
	seq = calloc(windows, sizeof(*seq));
	held_ns = release_ns = UINT64_MAX;
	/* REPS times: fill every window, time; the fastest of each counts. */
	for (r = 0; r < REPS; r++) {
		for (i = 0; count_ready(ctl, &l) < windows && i < 200; i++) {
			for (j = 0; j < 500; j++)
				sendto(s, payload, sizeof(payload), 0,
				       (struct sockaddr *)&to, sizeof(to));
			usleep(20000);
		}
		usleep(50000);
		if (count_ready(ctl, &l) < windows) {
			printf("POLLBENCH FAIL: only %u of %u windows published\n",
			       count_ready(ctl, &l), windows);
			return 1;
		}
		for (k = 0; k < BATCHES; k++) {
			t0 = now_ns();
			for (i = 0; i < calls; i++)
				if (poll(&pfd, 1, 0) != 1 ||
				    !(pfd.revents & POLLIN))
					die("poll with windows ready");
			t = (now_ns() - t0) / calls;
			if (t < held_ns)
				held_ns = t;
		}
		/* Oldest first, as a consumer releases. */
		for (i = 0; i < windows; i++) {
			order[i] = i;
			seq[i] = ctl_of(ctl, &l, i)->seq;
		}
		for (i = 1; i < windows; i++)
			for (j = i; j > 0 && seq[order[j]] < seq[order[j - 1]]; j--) {
				unsigned int o = order[j];

				order[j] = order[j - 1];
				order[j - 1] = o;
			}
		t0 = now_ns();
		for (i = 0; i < windows; i++) {
			__atomic_store_n(&ctl_of(ctl, &l, order[i])->status,
					 SKBREMAP_WIN_RELEASED, __ATOMIC_RELEASE);
			poll(&pfd, 1, 0);
		}
		t = (now_ns() - t0) / windows;
		if (t < release_ns)
			release_ns = t;
		/* Every window must be back with the kernel. */
		for (i = 0; i < windows; i++)
			if (ctl_of(ctl, &l, i)->status != SKBREMAP_WIN_KERNEL) {
				printf("POLLBENCH FAIL: window %u not taken back (status %u)\n",
				       i, ctl_of(ctl, &l, i)->status);
				return 1;
			}
	}
	printf("POLLBENCH %s windows %u held %llu release %llu\n", label,
	       windows, (unsigned long long)held_ns,
	       (unsigned long long)release_ns);
	ioctl(fd, SKBREMAP_IOC_STOP);
	munmap(win, l.win_size);
	munmap(ctl, l.ctl_size);
	close(fd);
	close(s);
	return 0;
}
