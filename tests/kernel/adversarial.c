// SPDX-License-Identifier: GPL-2.0
/*
 * adversarial: attacks the real /dev/skbremap as a hostile process would,
 * under a flood on the capture interface (the debug lane,
 * tests/kernel/debug-lane.sh, floods it with pktgen). Static; seeded:
 * every run prints "seed N" and "--seed N" replays the same choices.
 *
 *   adversarial [--seed N] scribble IF MODE WRITES
 *       capture IF in MODE while a second thread writes WRITES hostile
 *       values (random words, READY/RELEASED/KERNEL at random) to every
 *       word of the control part, racing the hook and the worker; then
 *       every count must balance and everything come back
 *   adversarial [--seed N] ioctl IF COUNT
 *       COUNT random ioctls (every SKBREMAP_IOC_*, unknown numbers, sizes
 *       0/max/overflow, bad pointers, boundary structs) from two processes
 *       of two threads each, on a shared capture and on their own, with
 *       CONFIGURE/BIND/START/STOP/SET_FILTER cycles while mapped and while
 *       windows are held; every answer 0 or an errno the ABI names
 *   adversarial [--seed N] mm IF MODE DISK
 *       fork with and without MADV_DOFORK, mprotect(PROT_WRITE), madvise
 *       (DONTNEED, DOFORK, PAGEOUT, COLD), /proc/self/mem writes, O_DIRECT
 *       writes from the windows to DISK, mremap, munmap of half the
 *       windows, MAP_FIXED over them; counts balance after each
 *   adversarial [--seed N] kill IF MODE COUNT
 *       COUNT times: a child captures IF, holds windows, gets SIGKILL at a
 *       random moment; the module's gauges must come back to 0
 *   adversarial [--seed N] canary IF MODE MIB
 *       fill MIB of free memory with a marker (page cache, socket
 *       buffers, pipe pages), free it, capture, and scan every byte of the
 *       region that is not packet data: the marker must never show
 *   adversarial busy IF MODE
 *       delete_module while a capture runs: refused, the capture goes on
 *   adversarial [--seed N] fanout IF SECONDS
 *       SKBREMAP_IOC_FANOUT: every bad argument and state refused with its
 *       errno (mode, flags, reserved, pointer, join after START, twice,
 *       mismatched mode/flags/interface, BIND away, a full group); then
 *       for SECONDS three threads join one group of IF, start, consume,
 *       and stop or close at random moments under the flood while a
 *       fourth lists the captures; every member's counts must balance
 *   adversarial global [SECONDS]
 *       exit 0 once every module gauge is 0 (waiting up to SECONDS)
 *
 * MODE: bounce, ring, remap, adaptive (adaptive with the module's
 * copy_threshold parameter: the lane sets it). Each command prints a line
 * "ADV <command> PASS key=value ..." with its figures on success, and
 * "FAIL: ..." for every failed check (exit status 1).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/filter.h>
#include <linux/skbremap.h>

static int failures;

#define CHECK(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			__atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED); \
			printf("FAIL: %s:%d: %s: ", __func__, __LINE__, #cond); \
			printf(__VA_ARGS__);				\
			printf("\n");					\
			fflush(stdout);					\
		}							\
	} while (0)

static unsigned long long seed;
static __thread uint64_t rs;
static long psz;

static void rnd_seed(uint64_t salt)
{
	rs = (seed ^ (salt * 0x9e3779b97f4a7c15ULL)) | 1;
}

static uint64_t rnd(void)
{
	rs ^= rs >> 12;
	rs ^= rs << 25;
	rs ^= rs >> 27;
	return rs * 0x2545f4914f6cdd1dULL;
}

static uint32_t rnd_below(uint32_t n)
{
	return n ? (uint32_t)(rnd() % n) : 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int xioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

/* ---- a capture and its region ---- */

struct region {
	int fd;
	struct skbremap_layout l;
	uint8_t *ctl;
	uint8_t *win;
	uint64_t seq[SKBREMAP_MAX_WINDOWS];	/* last seq counted per window */
	uint64_t packets;
	uint64_t windows;
	uint64_t faults;	/* READY windows that could not be read */
	uint64_t forged;	/* READY words on windows never published */
	int hostile;		/* status words scribbled: READY proves nothing */
	uint32_t mode;
};

static uint32_t mode_of(const char *name)
{
	static const char *const names[] = {
		"default", "bounce", "remap", "ring", "adaptive",
	};
	uint32_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i]))
			return i;
	fprintf(stderr, "unknown mode %s\n", name);
	exit(2);
}

static volatile struct skbremap_win_ctl *wctl(struct region *r, uint32_t i)
{
	return (volatile struct skbremap_win_ctl *)(r->ctl +
						     r->l.win_ctl_offset) + i;
}

static uint8_t *win_base(struct region *r, uint32_t i)
{
	return r->win + (uint64_t)i * r->l.win_stride;
}

static void get_stats(int fd, struct skbremap_stats *s)
{
	CHECK(xioctl(fd, SKBREMAP_IOC_STATS, s) == 0, "STATS");
}

static void get_global(int fd, struct skbremap_global *g)
{
	CHECK(xioctl(fd, SKBREMAP_IOC_GLOBAL, g) == 0, "GLOBAL");
}

/*
 * Open, configure, map and bind a capture of @ifname; not started.
 * Returns 0, or -errno of the step that failed (the fd is closed).
 */
static int cap_setup(struct region *r, const char *ifname, uint32_t mode,
		     uint32_t windows, uint32_t ppw, uint32_t retire_usec)
{
	struct skbremap_config c = { 0 };
	struct skbremap_bind b = { 0 };
	int ret;

	memset(r, 0, sizeof(*r));
	r->fd = open("/dev/skbremap", O_RDWR | O_CLOEXEC);
	if (r->fd < 0)
		return -errno;
	c.windows = windows;
	c.pages_per_window = ppw;
	c.retire_usec = retire_usec;
	c.mode = mode;
	ret = xioctl(r->fd, SKBREMAP_IOC_CONFIGURE, &c);
	if (!ret)
		ret = xioctl(r->fd, SKBREMAP_IOC_LAYOUT, &r->l);
	if (!ret && ifname && strcmp(ifname, "all")) {
		b.ifindex = if_nametoindex(ifname);
		ret = b.ifindex ? xioctl(r->fd, SKBREMAP_IOC_BIND, &b) : -ENODEV;
	}
	if (!ret) {
		r->ctl = mmap(NULL, r->l.ctl_size, PROT_READ | PROT_WRITE,
			      MAP_SHARED, r->fd, 0);
		r->win = mmap(NULL, r->l.win_size, PROT_READ, MAP_SHARED,
			      r->fd, r->l.win_offset);
		if (r->ctl == MAP_FAILED || r->win == MAP_FAILED)
			ret = -errno;
	}
	if (ret) {
		close(r->fd);
		r->fd = -1;
		return ret;
	}
	r->mode = mode;
	return 0;
}

static void cap_close(struct region *r)
{
	if (r->ctl && r->ctl != MAP_FAILED)
		munmap(r->ctl, r->l.ctl_size);
	if (r->win && r->win != MAP_FAILED)
		munmap(r->win, r->l.win_size);
	close(r->fd);
	r->fd = -1;
}

/*
 * Check window @w's info area (kernel-written, so it must be sane whatever
 * user space scribbled) and return its packet count.
 */
static uint32_t check_window(struct region *r, uint32_t w)
{
	const struct skbremap_info_hdr *h = (const void *)win_base(r, w);
	const struct skbremap_info_entry *e = (const void *)(h + 1);
	uint64_t data = (uint64_t)r->l.pages_per_window * psz;
	uint32_t i, pkts = 0;

	CHECK(h->magic == SKBREMAP_INFO_MAGIC, "window %u magic %#x", w,
	      h->magic);
	CHECK(h->window == w, "window %u says %u", w, h->window);
	if (h->magic != SKBREMAP_INFO_MAGIC || h->count > r->l.info_entries_max ||
	    h->pages_used > r->l.pages_per_window) {
		CHECK(0, "window %u count %u pages_used %u", w, h->count,
		      h->pages_used);
		return 0;
	}
	for (i = 0; i < h->count; i++) {
		if (e[i].flags & SKBREMAP_PKT_SEGMENT)
			continue;
		pkts++;
		if (e[i].flags & SKBREMAP_PKT_SCATTER) {
			CHECK(i + e[i].segments < h->count, "scatter overruns");
			continue;
		}
		CHECK((uint64_t)e[i].page * psz + e[i].offset + e[i].caplen <=
		      data && e[i].caplen <= e[i].wirelen,
		      "window %u entry %u page %u offset %u caplen %u", w, i,
		      e[i].page, e[i].offset, e[i].caplen);
	}
	return pkts;
}

static jmp_buf fault_jmp;
static volatile sig_atomic_t faulted;

static void on_fault(int sig)
{
	(void)sig;
	faulted = 1;
	siglongjmp(fault_jmp, 1);
}

/* Reads @p; 1 if the read faulted (SIGBUS/SIGSEGV), else 0. */
static int read_faults(const volatile uint8_t *p)
{
	struct sigaction sa = { .sa_handler = on_fault }, obus, osegv;
	int ret = 0;

	sigaction(SIGBUS, &sa, &obus);
	sigaction(SIGSEGV, &sa, &osegv);
	faulted = 0;
	if (!sigsetjmp(fault_jmp, 1))
		(void)*p;
	else
		ret = 1;
	sigaction(SIGBUS, &obus, NULL);
	sigaction(SIGSEGV, &osegv, NULL);
	return ret;
}

/*
 * Count the READY windows not counted yet; release them unless @hold
 * (keep them: the state a kill or an mm attack must clean up). A window
 * whose seq was already counted is held from an earlier call.
 */
static uint32_t consume(struct region *r, int hold)
{
	struct pollfd pfd = { .fd = r->fd, .events = POLLIN };
	uint32_t w, n = 0;

	/* poll() is also what makes the module take released windows back. */
	poll(&pfd, 1, 0);

	for (w = 0; w < r->l.windows; w++) {
		volatile struct skbremap_win_ctl *c = wctl(r, w);

		if (__atomic_load_n(&c->status, __ATOMIC_ACQUIRE) !=
		    SKBREMAP_WIN_READY)
			continue;
		if (c->seq != r->seq[w]) {
			const struct skbremap_info_hdr *h =
				(const void *)win_base(r, w);

			r->seq[w] = c->seq;
			if (read_faults(win_base(r, w))) {
				r->faults++;
			} else if (r->hostile && (h->magic != SKBREMAP_INFO_MAGIC ||
						  h->seq != c->seq)) {
				r->forged++;	/* our own scribble said READY */
			} else {
				r->packets += check_window(r, w);
				r->windows++;
				n++;
			}
		}
		if (!hold)
			__atomic_store_n(&c->status, SKBREMAP_WIN_RELEASED,
					 __ATOMIC_RELEASE);
	}
	return n;
}

/* Released windows back, STOP, then every flushed window released. */
static void drain(struct region *r)
{
	struct skbremap_stats s;
	int i;

	CHECK(xioctl(r->fd, SKBREMAP_IOC_STOP, NULL) == 0, "STOP");
	for (i = 0; i < 500; i++) {
		consume(r, 0);
		consume(r, 0);	/* its poll() takes back what the first released */
		get_stats(r->fd, &s);
		if (!s.windows_user && !s.in_flight && !s.skbs_held)
			return;
		usleep(10000);
	}
}

/* After STOP: every packet accounted for, nothing held but the pool. */
static void check_balanced(const char *what, int fd)
{
	struct skbremap_stats s;
	uint64_t out;

	get_stats(fd, &s);
	out = s.captured + s.filtered + s.drop_queue_full + s.drop_no_window +
	      s.drop_nomem + s.drop_too_big;
	CHECK(s.seen == out, "%s: seen %llu != captured + filtered + drops %llu",
	      what, (unsigned long long)s.seen, (unsigned long long)out);
	CHECK(s.captured == s.bounced + s.remapped + s.copied,
	      "%s: captured %llu != bounced %llu + remapped %llu + copied %llu",
	      what, (unsigned long long)s.captured,
	      (unsigned long long)s.bounced, (unsigned long long)s.remapped,
	      (unsigned long long)s.copied);
	CHECK(!s.in_flight && !s.windows_user && !s.skbs_held,
	      "%s: in_flight %llu windows_user %llu skbs_held %llu", what,
	      (unsigned long long)s.in_flight,
	      (unsigned long long)s.windows_user,
	      (unsigned long long)s.skbs_held);
	printf("  %s: seen %llu captured %llu (bounced %llu remapped %llu copied %llu) filtered %llu drops q%llu w%llu m%llu b%llu bad_release %llu\n",
	       what, (unsigned long long)s.seen,
	       (unsigned long long)s.captured, (unsigned long long)s.bounced,
	       (unsigned long long)s.remapped, (unsigned long long)s.copied,
	       (unsigned long long)s.filtered,
	       (unsigned long long)s.drop_queue_full,
	       (unsigned long long)s.drop_no_window,
	       (unsigned long long)s.drop_nomem,
	       (unsigned long long)s.drop_too_big,
	       (unsigned long long)s.bad_release);
}

/* Small UDP frames out of the capture interface (next to the flood). */
static int udp_out(struct sockaddr_in *to)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	memset(to, 0, sizeof(*to));
	to->sin_family = AF_INET;
	to->sin_port = htons(9);
	inet_pton(AF_INET, getenv("ADV_PEER") ? getenv("ADV_PEER") :
		  "10.99.0.2", &to->sin_addr);
	return fd;
}

static void send_some(int fd, const struct sockaddr_in *to, int n)
{
	static const char buf[1400];

	while (n--)
		sendto(fd, buf, 18 + rnd_below(sizeof(buf) - 18), MSG_DONTWAIT,
		       (const struct sockaddr *)to, sizeof(*to));
}

/* ---- scribble: hostile writes to the control part ---- */

struct scribbler {
	struct region *r;
	uint64_t target;
	uint64_t writes;
};

static void *scribble_thread(void *arg)
{
	struct scribbler *s = arg;
	uint32_t words = s->r->l.ctl_size / 4;
	volatile uint32_t *w = (volatile uint32_t *)s->r->ctl;
	static const uint32_t states[] = {
		SKBREMAP_WIN_KERNEL, SKBREMAP_WIN_READY, SKBREMAP_WIN_RELEASED,
		3, 0xffffffff, 0x80000000,
	};

	rnd_seed(2);
	s->r->hostile = 1;
	/*
	 * Half the writes go to the status words (the words the kernel
	 * reads), the rest anywhere in the control part.
	 */
	while (s->writes < s->target) {
		uint32_t i = rnd_below(2) ? rnd_below(words) :
			(s->r->l.win_ctl_offset / 4 +
			 rnd_below(s->r->l.windows) * (s->r->l.win_ctl_size / 4));
		uint32_t v = rnd_below(3) ? states[rnd_below(6)] :
			(uint32_t)rnd();

		__atomic_store_n(&w[i], v, __ATOMIC_RELEASE);
		s->writes++;
		if (!(s->writes & 0xfff))
			sched_yield();
	}
	return NULL;
}

static int cmd_scribble(const char *ifname, const char *mode, uint64_t writes)
{
	struct region r;
	struct scribbler sc;
	struct skbremap_stats s;
	struct sockaddr_in to;
	pthread_t t;
	double t0 = now();
	int tx, ret;

	ret = cap_setup(&r, ifname, mode_of(mode), 8, 8, 2000);
	CHECK(!ret, "setup %s: %s", mode, strerror(-ret));
	if (ret)
		return 1;
	CHECK(xioctl(r.fd, SKBREMAP_IOC_START, NULL) == 0, "START");
	tx = udp_out(&to);
	sc.r = &r;
	sc.target = writes;
	sc.writes = 0;
	pthread_create(&t, NULL, scribble_thread, &sc);
	/* Consume while the scribbler runs, and at least 2 s. */
	while (__atomic_load_n(&sc.writes, __ATOMIC_RELAXED) < writes ||
	       now() - t0 < 2) {
		send_some(tx, &to, 4);
		consume(&r, rnd_below(4) == 0);
		usleep(1000);
	}
	pthread_join(t, NULL);
	/*
	 * Whatever the scribbles left, RELEASED in every status word after
	 * STOP gives every window back (the kernel reads the word of the
	 * windows it handed out only).
	 */
	CHECK(xioctl(r.fd, SKBREMAP_IOC_STOP, NULL) == 0, "STOP");
	for (int i = 0; i < 300; i++) {
		struct pollfd pfd = { .fd = r.fd, .events = POLLIN };

		for (uint32_t w = 0; w < r.l.windows; w++)
			__atomic_store_n(&wctl(&r, w)->status,
					 SKBREMAP_WIN_RELEASED, __ATOMIC_RELEASE);
		poll(&pfd, 1, 0);
		get_stats(r.fd, &s);
		if (!s.windows_user && !s.in_flight && !s.skbs_held)
			break;
		usleep(10000);
	}
	drain(&r);
	get_stats(r.fd, &s);
	check_balanced(mode, r.fd);
	CHECK(s.captured > 0, "nothing captured");
	CHECK(sc.writes >= writes, "writes %llu", (unsigned long long)sc.writes);
	cap_close(&r);
	close(tx);
	if (failures)
		return 1;
	printf("ADV scribble PASS label=%s mode=%s writes=%llu packets=%llu bounced=%llu remapped=%llu copied=%llu seen=%llu bad_release=%llu forged_ready=%llu seconds=%.1f\n",
	       getenv("ADV_LABEL") ? getenv("ADV_LABEL") : mode, mode,
	       (unsigned long long)sc.writes,
	       (unsigned long long)s.captured, (unsigned long long)s.bounced,
	       (unsigned long long)s.remapped, (unsigned long long)s.copied,
	       (unsigned long long)s.seen,
	       (unsigned long long)s.bad_release,
	       (unsigned long long)r.forged, now() - t0);
	return 0;
}

/* ---- ioctl: random and boundary arguments from two processes ---- */

static const unsigned long known_cmds[] = {
	SKBREMAP_IOC_VERSION, SKBREMAP_IOC_CONFIGURE, SKBREMAP_IOC_LAYOUT,
	SKBREMAP_IOC_BIND, SKBREMAP_IOC_START, SKBREMAP_IOC_STOP,
	SKBREMAP_IOC_STATS, SKBREMAP_IOC_GLOBAL, SKBREMAP_IOC_CAPTURES,
	SKBREMAP_IOC_SET_FILTER, SKBREMAP_IOC_FANOUT,
};
#define N_KNOWN (sizeof(known_cmds) / sizeof(known_cmds[0]))

static uint8_t *guard_buf;	/* 2 pages: RW, then PROT_NONE */
static const char *fuzz_if;

static int is_known(unsigned long cmd)
{
	size_t i;

	for (i = 0; i < N_KNOWN; i++)
		if (known_cmds[i] == cmd)
			return 1;
	return 0;
}

static uint32_t pick32(const uint32_t *v, int n)
{
	return rnd_below(4) ? v[rnd_below(n)] : (uint32_t)rnd();
}

/* A pointer to @size bytes of argument: mostly good, sometimes hostile. */
static void *fuzz_ptr(uint8_t *buf, size_t size)
{
	switch (rnd_below(12)) {
	case 0:
		return NULL;
	case 1:
		return (void *)1;
	case 2:
		return (void *)0xffff888000000000ULL;	/* kernel direct map */
	case 3:
		return guard_buf + psz;			/* PROT_NONE */
	case 4:
		return guard_buf + psz - size / 2;	/* crosses into it */
	default:
		return buf;
	}
}

static void fuzz_config(struct skbremap_config *c)
{
	static const uint32_t win[] = { 0, 1, 2, 3, 4, 8, 256, 257 };
	static const uint32_t ppw[] = { 0, 1, 2, 4, 16, 512, 513 };
	static const uint32_t snap[] = { 0, 1, 64, SKBREMAP_MAX_SNAPLEN,
					 SKBREMAP_MAX_SNAPLEN + 1 };
	static const uint32_t ret[] = { 0, 1, 1000, SKBREMAP_MAX_RETIRE_USEC,
					SKBREMAP_MAX_RETIRE_USEC + 1 };
	static const uint32_t ql[] = { 0, 1, 64, SKBREMAP_MAX_QUEUE_LIMIT,
				       SKBREMAP_MAX_QUEUE_LIMIT + 1 };
	static const uint32_t mode[] = { 0, 1, 2, 3, 4, 5 };
	static const uint32_t thr[] = { 0, 1, 1000, SKBREMAP_MAX_COPY_THRESHOLD,
					SKBREMAP_MAX_COPY_THRESHOLD + 1 };
	static const uint32_t ip[] = { 0, 1, 2, SKBREMAP_MAX_INFO_PAGES,
				       SKBREMAP_MAX_INFO_PAGES + 1 };
	static const uint32_t zero[] = { 0, 0, 0, 1 };

	c->windows = pick32(win, 8);
	c->pages_per_window = pick32(ppw, 7);
	/* Keep most regions small: the guest has 2 GiB for four captures. */
	if ((uint64_t)c->windows * c->pages_per_window > 4096 && rnd_below(8))
		c->pages_per_window = 1 + rnd_below(8);
	c->snaplen = pick32(snap, 5);
	c->retire_usec = pick32(ret, 5);
	c->queue_limit = pick32(ql, 5);
	c->flags = pick32(zero, 4);
	c->mode = pick32(mode, 6);
	c->copy_threshold = pick32(thr, 5);
	c->info_pages = pick32(ip, 5);
	c->reserved0 = pick32(zero, 4);
}

static void fuzz_filter(struct skbremap_filter *f, struct sock_filter *prog)
{
	static const uint32_t lens[] = { 0, 1, 2, 3, 7, SKBREMAP_MAX_FILTER_INSNS,
					 SKBREMAP_MAX_FILTER_INSNS + 1,
					 0xffffffff };
	uint32_t i, n;

	f->len = pick32(lens, 8);
	f->flags = rnd_below(8) ? 0 : (uint32_t)rnd();
	n = f->len <= SKBREMAP_MAX_FILTER_INSNS ? f->len : 0;
	for (i = 0; i < n; i++) {
		prog[i].code = rnd_below(2) ? (uint16_t)rnd() :
			(uint16_t[]){ BPF_LD | BPF_H | BPF_ABS,
				      BPF_LD | BPF_B | BPF_IND,
				      BPF_JMP | BPF_JEQ | BPF_K,
				      BPF_ALU | BPF_DIV | BPF_K,
				      BPF_ST, BPF_LD | BPF_MEM,
				      BPF_RET | BPF_K }[rnd_below(7)];
		prog[i].jt = rnd_below(4) ? 0 : (uint8_t)rnd();
		prog[i].jf = rnd_below(4) ? 0 : (uint8_t)rnd();
		prog[i].k = rnd_below(2) ? rnd_below(64) : (uint32_t)rnd();
	}
	if (n && rnd_below(2)) {	/* a valid last instruction */
		prog[n - 1].code = BPF_RET | BPF_K;
		prog[n - 1].k = rnd_below(2) ? 0xffff : 0;
	}
	f->insns = (uintptr_t)fuzz_ptr((uint8_t *)prog, n * sizeof(*prog));
}

struct mapping {
	int fd;
	uint8_t *ctl, *win;
	size_t ctl_size, win_size;
	uint32_t windows, win_ctl_offset;
};

struct fuzzer {
	int fds[2];		/* [0] shared with the other process */
	struct mapping *held;	/* fds[1], mapped and holding windows */
	uint64_t count;
	uint64_t done;
	uint64_t ok;
	uint64_t unknown;
	uint64_t held_seen;	/* READY windows seen */
	int id;
};


static int errno_allowed(int e)
{
	switch (e) {
	case EINVAL: case ENOTTY: case EFAULT: case EBUSY: case EOPNOTSUPP:
	case ENODEV: case ENOENT: case ENOMEM: case ENOSPC: case EPERM:
	case EAGAIN: case EALREADY:
		return 1;
	}
	return 0;
}

static void fuzz_map(struct mapping *m, int fd)
{
	struct skbremap_layout l;

	if (m->ctl) {
		munmap(m->ctl, m->ctl_size);
		if (m->win)
			munmap(m->win, m->win_size);
		memset(m, 0, sizeof(*m));
		return;
	}
	if (xioctl(fd, SKBREMAP_IOC_LAYOUT, &l) || !l.windows ||
	    l.win_size > (64 << 20))
		return;
	m->ctl = mmap(NULL, l.ctl_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      fd, 0);
	if (m->ctl == MAP_FAILED) {
		m->ctl = NULL;
		return;
	}
	m->win = mmap(NULL, l.win_size, PROT_READ, MAP_SHARED, fd,
		      l.win_offset);
	if (m->win == MAP_FAILED)
		m->win = NULL;
	m->fd = fd;
	m->ctl_size = l.ctl_size;
	m->win_size = l.win_size;
	m->windows = l.windows;
	m->win_ctl_offset = l.win_ctl_offset;
}

static void *fuzz_thread(void *arg)
{
	struct fuzzer *fz = arg;
	struct mapping m = { 0 };
	struct sock_filter *prog;
	uint8_t buf[512];
	uint64_t i;

	rnd_seed(100 + fz->id);
	prog = calloc(SKBREMAP_MAX_FILTER_INSNS + 1, sizeof(*prog));
	for (i = 0; i < fz->count; i++) {
		int fd = fz->fds[rnd_below(2)];
		unsigned long cmd;
		void *arg;
		int ret;

		for (size_t k = 0; k < sizeof(buf); k++)
			buf[k] = rnd_below(2) ? 0 : (uint8_t)rnd();
		switch (rnd_below(16)) {
		case 0:	/* an unknown number: our magic, others', sizes */
			do {
				uint32_t size = (uint32_t[]){ 0, 1, 8, 63, 64,
					sizeof(struct skbremap_config) + 1,
					_IOC_SIZEMASK }[rnd_below(7)];

				cmd = _IOC(rnd_below(4), rnd_below(4) ?
					   SKBREMAP_IOC_MAGIC : (uint8_t)rnd(),
					   rnd_below(4) ? rnd_below(16) :
					   (uint8_t)rnd(), size);
			} while (is_known(cmd));
			fz->unknown++;
			ret = xioctl(fd, cmd, fuzz_ptr(buf, 64));
			/* Others' numbers may be the VFS's own (FIONBIO, ...). */
			CHECK(_IOC_TYPE(cmd) != SKBREMAP_IOC_MAGIC ||
			      ret == -ENOTTY, "unknown ioctl %#lx: %d", cmd, ret);
			break;
		case 1:
			fuzz_config((struct skbremap_config *)buf);
			ret = xioctl(fd, SKBREMAP_IOC_CONFIGURE,
				     fuzz_ptr(buf, sizeof(struct skbremap_config)));
			break;
		case 2: {
			struct skbremap_bind *b = (void *)buf;
			static const int32_t ifs[] = { 0, 1, -1, 0x7fffffff };

			memset(b, 0, sizeof(*b));
			b->ifindex = rnd_below(3) ? ifs[rnd_below(4)] :
				(int32_t)if_nametoindex(fuzz_if);
			b->flags = rnd_below(8) ? 0 : (uint32_t)rnd();
			b->reserved = rnd_below(8) ? 0 : rnd();
			ret = xioctl(fd, SKBREMAP_IOC_BIND, fuzz_ptr(buf, sizeof(*b)));
			break;
		}
		case 3: case 4:
			ret = xioctl(fd, SKBREMAP_IOC_START, NULL);
			break;
		case 5:
			ret = xioctl(fd, SKBREMAP_IOC_STOP, NULL);
			break;
		case 6:
			fuzz_filter((struct skbremap_filter *)buf, prog);
			ret = xioctl(fd, SKBREMAP_IOC_SET_FILTER,
				     fuzz_ptr(buf, sizeof(struct skbremap_filter)));
			break;
		case 7: {
			struct skbremap_capture_info *ci = (void *)buf;

			ci->index = rnd_below(2) ? rnd_below(6) : (uint32_t)rnd();
			ret = xioctl(fd, SKBREMAP_IOC_CAPTURES,
				     fuzz_ptr(buf, sizeof(*ci)));
			break;
		}
		case 8: case 9:	/* map or unmap the region */
			fuzz_map(&m, fd);
			ret = 0;
			break;
		case 11: {	/* join a group: few ids, so members meet */
			struct skbremap_fanout *fo = (void *)buf;

			memset(fo, 0, sizeof(*fo));
			fo->id = rnd_below(4) ? rnd_below(3) : (uint32_t)rnd();
			fo->mode = rnd_below(4) ? rnd_below(5) : (uint16_t)rnd();
			fo->flags = rnd_below(4) ? rnd_below(2) : (uint16_t)rnd();
			fo->reserved[rnd_below(3)] = rnd_below(8) ? 0 : rnd();
			ret = xioctl(fd, SKBREMAP_IOC_FANOUT,
				     fuzz_ptr(buf, sizeof(*fo)));
			break;
		}
		case 10: {	/* release, hold, or forge status words */
			struct mapping *h = m.ctl && rnd_below(2) ? &m : fz->held;

			for (uint32_t k = 0; k < h->windows; k++) {
				volatile uint32_t *st = (volatile uint32_t *)
					(h->ctl + h->win_ctl_offset) + k * 4;
				uint32_t v = __atomic_load_n(st, __ATOMIC_ACQUIRE);

				if (v == SKBREMAP_WIN_READY) {
					fz->held_seen++;
					if (rnd_below(2))
						__atomic_store_n(st, SKBREMAP_WIN_RELEASED,
								 __ATOMIC_RELEASE);
				} else if (!rnd_below(8)) {
					__atomic_store_n(st, (uint32_t)rnd() % 4,
							 __ATOMIC_RELEASE);
				}
			}
			{
				struct pollfd pfd = { .fd = h->fd, .events = POLLIN };

				poll(&pfd, 1, 0);
			}
			ret = 0;
			break;
		}
		default:
			cmd = known_cmds[rnd_below(N_KNOWN)];
			arg = fuzz_ptr(buf, _IOC_SIZE(cmd));
			ret = xioctl(fd, cmd, arg);
			break;
		}
		CHECK(ret == 0 || errno_allowed(-ret), "ioctl: errno %d", -ret);
		if (!ret)
			fz->ok++;
		fz->done++;
	}
	if (m.ctl)
		fuzz_map(&m, m.fd);
	free(prog);
	return NULL;
}

/* One process: a capture of its own next to the shared one, two threads. */
static int hold_one(struct region *r, int tx, const struct sockaddr_in *to);

/*
 * One process: next to the shared capture, one of its own, started, mapped
 * and holding windows when the fuzzing begins (its mapping stays: every
 * CONFIGURE/BIND/START/STOP/SET_FILTER on it runs while it is mapped).
 */
static void fuzz_process(int shared, uint64_t count, int id, uint64_t *out)
{
	struct fuzzer f[2];
	struct mapping held = { 0 };
	struct sockaddr_in to;
	struct region own;
	pthread_t t[2];
	int i, tx = udp_out(&to), ret;

	rnd_seed(50 + id);
	ret = cap_setup(&own, fuzz_if, 1 + rnd_below(4), 8, 4, 1000);
	CHECK(!ret, "setup: %s", strerror(-ret));
	if (ret)
		return;
	CHECK(xioctl(own.fd, SKBREMAP_IOC_START, NULL) == 0, "START");
	CHECK(hold_one(&own, tx, &to) >= 0, "no window held before fuzzing");
	close(tx);
	held.fd = own.fd;
	held.ctl = own.ctl;
	held.windows = own.l.windows;
	held.win_ctl_offset = own.l.win_ctl_offset;
	for (i = 0; i < 2; i++) {
		memset(&f[i], 0, sizeof(f[i]));
		f[i].fds[0] = shared;
		f[i].fds[1] = own.fd;
		f[i].held = &held;
		f[i].count = count / 2;
		f[i].id = id * 2 + i;
		pthread_create(&t[i], NULL, fuzz_thread, &f[i]);
	}
	for (i = 0; i < 2; i++) {
		pthread_join(t[i], NULL);
		out[0] += f[i].done;
		out[1] += f[i].ok;
		out[2] += f[i].unknown;
		out[3] += f[i].held_seen;
	}
	cap_close(&own);
}

static int cmd_ioctl(const char *ifname, uint64_t count)
{
	uint64_t mine[4] = { 0 }, theirs[4] = { 0 };
	int shared, p[2], st;
	double t0 = now();
	pid_t pid;

	fuzz_if = ifname;
	guard_buf = mmap(NULL, 2 * psz, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	mprotect(guard_buf + psz, psz, PROT_NONE);
	shared = open("/dev/skbremap", O_RDWR);
	CHECK(shared >= 0, "open: %s", strerror(errno));
	if (pipe(p))
		return 1;
	pid = fork();
	if (pid == 0) {
		fuzz_process(shared, count / 2, 1, theirs);
		if (write(p[1], theirs, sizeof(theirs)) != sizeof(theirs))
			_exit(2);
		_exit(failures ? 1 : 0);
	}
	fuzz_process(shared, count / 2, 0, mine);
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	      WEXITSTATUS(st) == 0, "fuzzing child: status %#x", st);
	CHECK(read(p[0], theirs, sizeof(theirs)) == sizeof(theirs),
	      "child figures");
	close(shared);
	mine[0] += theirs[0];
	mine[1] += theirs[1];
	mine[2] += theirs[2];
	mine[3] += theirs[3];
	CHECK(mine[0] >= count, "ioctls %llu < %llu",
	      (unsigned long long)mine[0], (unsigned long long)count);
	CHECK(mine[1] > 0, "no ioctl succeeded");
	if (failures)
		return 1;
	printf("ADV ioctl PASS ops=%llu succeeded=%llu unknown=%llu held_seen=%llu seconds=%.1f\n",
	       (unsigned long long)mine[0], (unsigned long long)mine[1],
	       (unsigned long long)mine[2], (unsigned long long)mine[3],
	       now() - t0);
	return 0;
}

/* ---- mm: what a process can do to its mappings ---- */

static int wait_gauges_zero(int seconds, struct skbremap_global *g);

/* Capture until at least one window is held; returns one held window. */
static int hold_one(struct region *r, int tx, const struct sockaddr_in *to)
{
	uint32_t w;
	int i;

	for (i = 0; i < 500; i++) {
		send_some(tx, to, 8);
		consume(r, 1);
		for (w = 0; w < r->l.windows; w++)
			if (__atomic_load_n(&wctl(r, w)->status,
					    __ATOMIC_ACQUIRE) == SKBREMAP_WIN_READY)
				return w;
		usleep(10000);
	}
	CHECK(0, "no window published in 5 s");
	return -1;
}

/* STOP, take back, check, START again (the windows are still mapped). */
static void mm_step(struct region *r, const char *what, int restart)
{
	drain(r);
	check_balanced(what, r->fd);
	if (restart)
		CHECK(xioctl(r->fd, SKBREMAP_IOC_START, NULL) == 0,
		      "START after %s", what);
}

struct odirect {
	int fd;
	const uint8_t *src;
	size_t len;
	ssize_t ret;
	int err;
};

static void *odirect_thread(void *arg)
{
	struct odirect *o = arg;

	o->ret = pwrite(o->fd, o->src, o->len, 0);
	o->err = errno;
	return NULL;
}

static int cmd_mm(const char *ifname, const char *mode, const char *disk)
{
	struct skbremap_global g0, g1;
	struct sockaddr_in to;
	struct region r;
	struct odirect od;
	pthread_t t;
	uint8_t *p;
	int tx, ret, w, memfd, st, steps = 0;
	pid_t pid;

	ret = cap_setup(&r, ifname, mode_of(mode), 8, 4, 1000);
	CHECK(!ret, "setup: %s", strerror(-ret));
	if (ret)
		return 1;
	tx = udp_out(&to);
	CHECK(xioctl(r.fd, SKBREMAP_IOC_START, NULL) == 0, "START");
	get_global(r.fd, &g0);

	/* mprotect(PROT_WRITE) on the windows must fail. */
	w = hold_one(&r, tx, &to);
	CHECK(mprotect(r.win, r.l.win_size, PROT_READ | PROT_WRITE) != 0,
	      "windows made writable");
	CHECK(mprotect(r.win, r.l.win_size, PROT_READ | PROT_EXEC) != 0,
	      "windows made executable");
	mm_step(&r, "mprotect", 1), steps++;

	/* /proc/self/mem: no write into the windows, even with FOLL_FORCE. */
	w = hold_one(&r, tx, &to);
	memfd = open("/proc/self/mem", O_RDWR);
	CHECK(memfd >= 0, "/proc/self/mem: %s", strerror(errno));
	if (w >= 0 && memfd >= 0) {
		uint8_t junk[64];

		memset(junk, 0x5a, sizeof(junk));
		CHECK(pwrite(memfd, junk, sizeof(junk),
			     (off_t)(uintptr_t)win_base(&r, w)) < 0,
		      "/proc/self/mem wrote into a held window's info page");
		CHECK(pwrite(memfd, junk, sizeof(junk),
			     (off_t)(uintptr_t)(win_base(&r, w) +
						r.l.info_pages * psz)) < 0,
		      "/proc/self/mem wrote into a held window's data");
		/* Reading may work, or not where GUP refuses (VM_IO). */
		ret = pread(memfd, junk, sizeof(junk),
			    (off_t)(uintptr_t)win_base(&r, w));
		CHECK(ret == sizeof(junk) || errno == EIO || errno == EFAULT,
		      "/proc/self/mem read of a held window: %s",
		      strerror(errno));
		printf("  /proc/self/mem: writes into the windows refused; a read %s\n",
		       ret == sizeof(junk) ? "works" : strerror(errno));
		close(memfd);
	}
	mm_step(&r, "proc-mem", 1), steps++;

	/* fork: the child gets no copy of the windows (VM_DONTCOPY). */
	w = hold_one(&r, tx, &to);
	pid = fork();
	if (pid == 0) {
		struct skbremap_stats s;

		/* The fd is shared: STATS works, the windows are not there. */
		_exit(xioctl(r.fd, SKBREMAP_IOC_STATS, &s) ? 3 :
		      (w >= 0 && !read_faults(win_base(&r, w))) ? 4 : 0);
	}
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	      WEXITSTATUS(st) == 0, "fork child: status %#x", st);
	mm_step(&r, "fork", 1), steps++;

	/*
	 * MADV_DOFORK clears VM_DONTCOPY: either the module refuses it, or
	 * the child's copy of the VMAs is counted and let go at its exit.
	 */
	w = hold_one(&r, tx, &to);
	ret = madvise(r.win, r.l.win_size, MADV_DOFORK);
	printf("  madvise(DOFORK) on the windows: %s\n",
	       ret ? strerror(errno) : "accepted");
	madvise(r.ctl, r.l.ctl_size, MADV_DOFORK);
	pid = fork();
	if (pid == 0) {
		if (w >= 0)
			read_faults(win_base(&r, w));
		usleep(50000);
		_exit(0);
	}
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	      WEXITSTATUS(st) == 0, "DOFORK child: status %#x", st);
	mm_step(&r, "dofork", 1), steps++;
	get_global(r.fd, &g1);
	CHECK(g1.mappings == g0.mappings, "mappings %llu after the DOFORK child, %llu before",
	      (unsigned long long)g1.mappings, (unsigned long long)g0.mappings);
	madvise(r.win, r.l.win_size, MADV_DONTFORK);
	madvise(r.ctl, r.l.ctl_size, MADV_DONTFORK);

	/*
	 * madvise COLD, PAGEOUT, WILLNEED on both parts while windows are
	 * held: none of them may take a page away (ours are not on the LRU).
	 */
	{
		static const int advs[] = { MADV_COLD, MADV_PAGEOUT,
					    MADV_WILLNEED };
		static const char *const names[] = { "COLD", "PAGEOUT",
						     "WILLNEED" };
		int a;

		for (a = 0; a < 3; a++) {
			w = hold_one(&r, tx, &to);
			ret = madvise(r.win, r.l.win_size, advs[a]);
			printf("  madvise(%s) on the windows: %s\n", names[a],
			       ret ? strerror(errno) : "accepted");
			ret = madvise(r.ctl, r.l.ctl_size, advs[a]);
			printf("  madvise(%s) on the control part: %s\n",
			       names[a], ret ? strerror(errno) : "accepted");
			CHECK(w < 0 || !read_faults(win_base(&r, w)),
			      "held window %d unreadable after %s", w, names[a]);
			CHECK(!read_faults(r.ctl), "control part unreadable after %s",
			      names[a]);
			send_some(tx, &to, 20);
			consume(&r, 0);
			mm_step(&r, names[a], 1), steps++;
		}
		CHECK(!r.faults, "%llu published windows unreadable",
		      (unsigned long long)r.faults);
	}

	/* O_DIRECT from a held window while it is released under the write. */
	od.fd = open(disk, O_WRONLY | O_DIRECT);
	CHECK(od.fd >= 0, "open %s O_DIRECT: %s", disk, strerror(errno));
	if (od.fd >= 0) {
		int round, written = 0;

		for (round = 0; round < 20; round++) {
			w = hold_one(&r, tx, &to);
			if (w < 0)
				break;
			od.src = win_base(&r, w);
			od.len = r.l.win_stride;
			pthread_create(&t, NULL, odirect_thread, &od);
			usleep(rnd_below(2000));
			consume(&r, 0);	/* release under the pinned write */
			pthread_join(t, NULL);
			/*
			 * Whole, short (the pages after a hole in a bounce
			 * window are not there), or refused: never more.
			 */
			CHECK((od.ret >= 0 && od.ret <= (ssize_t)od.len &&
			       od.ret % 512 == 0) ||
			      (od.ret < 0 && (od.err == EFAULT || od.err == EIO)),
			      "O_DIRECT write: %zd %s", od.ret, strerror(od.err));
			written += od.ret > 0;
		}
		printf("  O_DIRECT writes from windows to %s: %d of 20 wrote data\n",
		       disk, written);
		close(od.fd);
	}
	mm_step(&r, "odirect", 1), steps++;

	/* mremap: neither grown nor moved. */
	w = hold_one(&r, tx, &to);
	p = mremap(r.win, r.l.win_size, r.l.win_size * 2, MREMAP_MAYMOVE);
	CHECK(p == MAP_FAILED, "windows grown by mremap");
	p = mmap(NULL, r.l.win_size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	if (p != MAP_FAILED) {
		uint8_t *q = mremap(r.win, r.l.win_size, r.l.win_size,
				    MREMAP_MAYMOVE | MREMAP_FIXED, p);

		CHECK(q == MAP_FAILED, "windows moved by mremap");
		if (q == MAP_FAILED)
			munmap(p, r.l.win_size);
		else
			r.win = q;
	}
	mm_step(&r, "mremap", 1), steps++;

	/* munmap of half the windows: refused, or the whole part goes. */
	w = hold_one(&r, tx, &to);
	ret = munmap(r.win + r.l.win_size / 2, r.l.win_size / 2);
	CHECK(ret != 0 && errno == EINVAL, "munmap of half the windows: %s",
	      ret ? strerror(errno) : "accepted");
	if (!ret) {	/* READY windows may be gone: read nothing more */
		munmap(r.win, r.l.win_size / 2);
		r.win = NULL;
		cap_close(&r);
		return 1;
	}
	send_some(tx, &to, 20);
	mm_step(&r, "munmap-half", 1), steps++;

	/* MAP_FIXED over the windows: our VMA closed, the capture drops. */
	{
		w = hold_one(&r, tx, &to);
		p = mmap(r.win, r.l.win_size, PROT_READ,
			 MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		CHECK(p == r.win, "MAP_FIXED over the windows: %s",
		      strerror(errno));
		for (int i = 0; i < 20; i++) {
			send_some(tx, &to, 10);
			usleep(5000);
		}
		/* consume() would read the anonymous page now. */
		CHECK(xioctl(r.fd, SKBREMAP_IOC_STOP, NULL) == 0, "STOP");
		usleep(100000);
		check_balanced("map-fixed", r.fd);
		CHECK(xioctl(r.fd, SKBREMAP_IOC_START, NULL) == -EINVAL,
		      "START with the windows gone");
		steps++;
	}
	get_global(r.fd, &g1);
	CHECK(g1.mappings == 1, "mappings %llu with only the control part left",
	      (unsigned long long)g1.mappings);
	cap_close(&r);

	/*
	 * MADV_DONTNEED zaps what the module inserted: the process loses its
	 * own view (a read SIGBUSes, as on an af_packet ring), the module
	 * loses nothing; the windows held then come back at close.
	 */
	ret = cap_setup(&r, ifname, mode_of(mode), 8, 4, 1000);
	CHECK(!ret, "setup: %s", strerror(-ret));
	if (!ret) {
		struct skbremap_global g;

		CHECK(xioctl(r.fd, SKBREMAP_IOC_START, NULL) == 0, "START");
		w = hold_one(&r, tx, &to);
		ret = madvise(r.win, r.l.win_size, MADV_DONTNEED);
		printf("  madvise(DONTNEED) on the windows: %s; held window %d then %s\n",
		       ret ? strerror(errno) : "accepted", w,
		       w >= 0 && read_faults(win_base(&r, w)) ? "faults" :
		       "readable");
		ret = madvise(r.ctl, r.l.ctl_size, MADV_DONTNEED);
		printf("  madvise(DONTNEED) on the control part: %s; then %s\n",
		       ret ? strerror(errno) : "accepted",
		       read_faults(r.ctl) ? "faults" : "readable");
		send_some(tx, &to, 50);
		usleep(100000);
		CHECK(xioctl(r.fd, SKBREMAP_IOC_STOP, NULL) == 0, "STOP");
		cap_close(&r);
		steps++;
		CHECK(!wait_gauges_zero(10, &g),
		      "gauges after DONTNEED and close: captures %llu pages %llu skbs %llu mappings %llu",
		      (unsigned long long)g.captures - 1,
		      (unsigned long long)g.pages_held,
		      (unsigned long long)g.skbs_held,
		      (unsigned long long)g.mappings);
	}
	close(tx);
	if (failures)
		return 1;
	printf("ADV mm PASS mode=%s steps=%d packets=%llu\n", mode, steps,
	       (unsigned long long)r.packets);
	return 0;
}

/* ---- kill: SIGKILL while holding windows ---- */

static void kill_child(const char *ifname, uint32_t mode, int report, int n)
{
	struct sockaddr_in to;
	struct region r;
	int tx, told = 0, keep = -1, ret;
	uint32_t w;

	rnd_seed(1000 + n);
	ret = cap_setup(&r, ifname, mode, 4 + rnd_below(8), 1 + rnd_below(8),
			500 + rnd_below(3000));
	if (ret || xioctl(r.fd, SKBREMAP_IOC_START, NULL))
		_exit(3);
	tx = udp_out(&to);
	for (;;) {
		send_some(tx, &to, 4);
		consume(&r, 1);
		/* Keep the first held window for good, release the rest at random. */
		for (w = 0; w < r.l.windows; w++) {
			volatile struct skbremap_win_ctl *c = wctl(&r, w);

			if (__atomic_load_n(&c->status, __ATOMIC_ACQUIRE) !=
			    SKBREMAP_WIN_READY)
				continue;
			if (keep < 0)
				keep = w;
			else if ((int)w != keep && rnd_below(2))
				__atomic_store_n(&c->status,
						 SKBREMAP_WIN_RELEASED,
						 __ATOMIC_RELEASE);
		}
		if (keep >= 0 && !told) {
			struct skbremap_stats s;
			uint64_t held;

			get_stats(r.fd, &s);
			held = s.windows_user;
			if (write(report, &held, sizeof(held)) != sizeof(held))
				_exit(4);
			told = 1;
		}
		if (!rnd_below(8)) {	/* a cycle now and then */
			xioctl(r.fd, SKBREMAP_IOC_STOP, NULL);
			xioctl(r.fd, SKBREMAP_IOC_START, NULL);
		}
		usleep(rnd_below(2000));
	}
}

static int wait_gauges_zero(int seconds, struct skbremap_global *g)
{
	int fd = open("/dev/skbremap", O_RDWR | O_CLOEXEC), i;

	if (fd < 0)
		return -1;
	for (i = 0; i <= seconds * 10; i++) {
		get_global(fd, g);
		/* Our own fd is a capture with nothing configured. */
		if (g->captures == 1 && !g->pages_held && !g->skbs_held &&
		    !g->mappings)
			break;
		usleep(100000);
	}
	close(fd);
	return g->captures == 1 && !g->pages_held && !g->skbs_held &&
	       !g->mappings ? 0 : -1;
}

static int cmd_kill(const char *ifname, const char *mode, int count)
{
	uint64_t held, held_min = ~0ULL, held_sum = 0;
	struct skbremap_global g;
	double t0 = now();
	int i, kills = 0;

	rnd_seed(3);
	for (i = 0; i < count; i++) {
		int p[2], st;
		pid_t pid;
		uint32_t delay;

		if (pipe(p))
			return 1;
		pid = fork();
		if (pid == 0) {
			close(p[0]);
			kill_child(ifname, mode_of(mode), p[1], i);
		}
		close(p[1]);
		held = 0;
		CHECK(read(p[0], &held, sizeof(held)) == sizeof(held),
		      "kill %d: the child never held a window", i);
		close(p[0]);
		delay = rnd_below(30000);
		usleep(delay);
		kill(pid, SIGKILL);
		CHECK(waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) &&
		      WTERMSIG(st) == SIGKILL, "kill %d: status %#x", i, st);
		CHECK(held > 0, "kill %d: held %llu windows", i,
		      (unsigned long long)held);
		kills += WIFSIGNALED(st) && held > 0;
		held_sum += held;
		if (held < held_min)
			held_min = held;
	}
	CHECK(!wait_gauges_zero(10, &g),
	      "gauges after %d kills: captures %llu pages %llu skbs %llu mappings %llu",
	      kills, (unsigned long long)g.captures - 1,
	      (unsigned long long)g.pages_held, (unsigned long long)g.skbs_held,
	      (unsigned long long)g.mappings);
	if (failures)
		return 1;
	printf("ADV kill PASS mode=%s kills=%d held_min=%llu held_avg=%.1f seconds=%.1f\n",
	       mode, kills, (unsigned long long)held_min,
	       (double)held_sum / kills, now() - t0);
	return 0;
}

/* ---- canary: free memory filled with a marker must never show ---- */

static const uint8_t canary[8] = { 'K', 'C', 'A', 'N', 'A', 'R', 'Y', 0xa5 };
static uint64_t canary_rot[8];

static void canary_init(void)
{
	int r, i;

	for (r = 0; r < 8; r++) {
		uint8_t b[8];

		for (i = 0; i < 8; i++)
			b[i] = canary[(i + r) % 8];
		memcpy(&canary_rot[r], b, 8);
	}
}

static void canary_fill(uint8_t *buf, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf[i] = canary[i % 8];
}

/*
 * Fill @mib MiB of page cache (a tmpfs file, unlinked: its pages go back
 * to the allocator with the marker in them), then socket buffers and pipe
 * pages (slab and page frags).
 */
static void canary_spray(int mib)
{
	uint8_t *buf = malloc(1 << 20);
	int fd, i, sv[2], pp[2];

	canary_fill(buf, 1 << 20);
	fd = open("/tmp/canary.fill", O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0, "canary file: %s", strerror(errno));
	for (i = 0; i < mib && fd >= 0; i++)
		CHECK(write(fd, buf, 1 << 20) == 1 << 20, "canary write");
	if (fd >= 0) {
		close(fd);
		unlink("/tmp/canary.fill");
	}
	CHECK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0, "socketpair");
	for (i = 0; i < 20000; i++) {
		size_t len = 16 + rnd_below(4000);

		if (send(sv[0], buf, len, MSG_DONTWAIT) < 0 ||
		    recv(sv[1], buf + (1 << 19), len, 0) < 0)
			break;
	}
	close(sv[0]);
	close(sv[1]);
	if (!pipe(pp)) {
		for (i = 0; i < 2000; i++) {
			if (write(pp[1], buf, 65536) < 0 ||
			    read(pp[0], buf + (1 << 19), 65536) < 0)
				break;
		}
		close(pp[0]);
		close(pp[1]);
	}
	free(buf);
}

/* Marks the packet bytes of window @w in @pkt (one byte per data byte). */
static void packet_bytes(struct region *r, uint32_t w, uint8_t *pkt)
{
	const struct skbremap_info_hdr *h = (const void *)win_base(r, w);
	const struct skbremap_info_entry *e = (const void *)(h + 1);
	uint64_t data = (uint64_t)r->l.pages_per_window * psz;
	uint32_t i;

	memset(pkt, 0, data);
	if (h->magic != SKBREMAP_INFO_MAGIC || h->count > r->l.info_entries_max)
		return;
	for (i = 0; i < h->count; i++) {
		uint64_t start = (uint64_t)e[i].page * psz + e[i].offset;

		if (e[i].flags & SKBREMAP_PKT_SCATTER)
			continue;	/* its segments carry the bytes */
		if (start < data)
			memset(pkt + start, 1,
			       start + e[i].caplen <= data ? e[i].caplen :
			       data - start);
	}
}

/* Number of 8-byte words in [p, p + n) holding the marker (any phase). */
static uint64_t marker_hits(const uint8_t *p, size_t n, const uint8_t *skip)
{
	static int shown;
	uint64_t hits = 0;
	size_t i;
	int k;

	for (i = 0; i + 8 <= n; i += 8) {
		uint64_t v;

		if (skip && memchr(skip + i, 1, 8))
			continue;	/* packet data: not ours to judge */
		memcpy(&v, p + i, 8);
		for (k = 0; k < 8; k++)
			if (v == canary_rot[k]) {
				if (!hits && shown++ < 5)
					printf("  marker at %p (+%#zx of a scanned run)\n",
					       (const void *)(p + i), i);
				hits++;
				break;
			}
	}
	return hits;
}

static int cmd_canary(const char *ifname, const char *mode, int mib)
{
	uint64_t scanned = 0, hits = 0, windows = 0;
	struct sockaddr_in to;
	struct region r;
	uint8_t *pkt;
	double t0;
	int tx, ret, round;

	canary_init();
	rnd_seed(4);
	canary_spray(mib);
	ret = cap_setup(&r, ifname, mode_of(mode), 16, 16, 2000);
	CHECK(!ret, "setup: %s", strerror(-ret));
	if (ret)
		return 1;
	pkt = malloc((size_t)r.l.pages_per_window * psz);
	tx = udp_out(&to);
	/* The control part, and (resident modes) every pool page, at once. */
	hits += marker_hits(r.ctl, r.l.ctl_size, NULL);
	scanned += r.l.ctl_size;
	CHECK(xioctl(r.fd, SKBREMAP_IOC_START, NULL) == 0, "START");
	t0 = now();
	for (round = 0; now() - t0 < 4 || windows < 2 * r.l.windows; round++) {
		uint32_t w;

		send_some(tx, &to, 8);
		for (w = 0; w < r.l.windows; w++) {
			volatile struct skbremap_win_ctl *c = wctl(&r, w);
			uint8_t *base = win_base(&r, w);

			if (__atomic_load_n(&c->status, __ATOMIC_ACQUIRE) !=
			    SKBREMAP_WIN_READY)
				continue;
			/*
			 * The whole info area, then every data page that is
			 * mapped (bounce maps the used ones only), outside
			 * packets.
			 */
			hits += marker_hits(base, r.l.info_pages * psz, NULL);
			scanned += r.l.info_pages * psz;
			packet_bytes(&r, w, pkt);
			for (uint32_t pg = 0; pg < r.l.pages_per_window; pg++) {
				const uint8_t *d = base + (r.l.info_pages + pg) * psz;

				if (read_faults(d))
					continue;
				hits += marker_hits(d, psz, pkt + pg * psz);
				scanned += psz;
			}
			r.packets += check_window(&r, w);
			windows++;
			__atomic_store_n(&c->status, SKBREMAP_WIN_RELEASED,
					 __ATOMIC_RELEASE);
		}
		usleep(2000);
		if (now() - t0 > 60)
			break;
	}
	drain(&r);
	check_balanced(mode, r.fd);
	CHECK(windows > 0 && r.packets > 0, "windows %llu packets %llu",
	      (unsigned long long)windows, (unsigned long long)r.packets);
	CHECK(!hits, "the marker of freed kernel memory in the region: %llu words",
	      (unsigned long long)hits);
	cap_close(&r);
	close(tx);
	free(pkt);
	if (failures)
		return 1;
	printf("ADV canary PASS mode=%s sprayed_mib=%d windows=%llu packets=%llu scanned_bytes=%llu hits=0\n",
	       mode, mib, (unsigned long long)windows,
	       (unsigned long long)r.packets, (unsigned long long)scanned);
	return 0;
}

/* ---- busy: rmmod while a capture is open ---- */

static int cmd_busy(const char *ifname, const char *mode)
{
	struct sockaddr_in to;
	struct region r;
	uint64_t before;
	int tx, ret, i;

	ret = cap_setup(&r, ifname, mode_of(mode), 8, 4, 1000);
	CHECK(!ret, "setup: %s", strerror(-ret));
	if (ret)
		return 1;
	tx = udp_out(&to);
	CHECK(xioctl(r.fd, SKBREMAP_IOC_START, NULL) == 0, "START");
	hold_one(&r, tx, &to);
	consume(&r, 0);
	ret = syscall(SYS_delete_module, "skbremap", O_NONBLOCK) ? errno : 0;
	CHECK(ret == EBUSY || ret == EAGAIN || ret == EWOULDBLOCK,
	      "delete_module with a capture open: %s", strerror(ret));
	ret = syscall(SYS_delete_module, "skbremap", 0) ? errno : 0;
	CHECK(ret == EBUSY || ret == EAGAIN || ret == EWOULDBLOCK,
	      "delete_module (blocking) with a capture open: %s",
	      strerror(ret));
	before = r.packets;
	for (i = 0; i < 300 && r.packets < before + 20; i++) {
		send_some(tx, &to, 8);
		consume(&r, 0);
		usleep(10000);
	}
	CHECK(r.packets >= before + 20, "capture stalled after rmmod: %llu",
	      (unsigned long long)(r.packets - before));
	drain(&r);
	check_balanced(mode, r.fd);
	cap_close(&r);
	close(tx);
	if (failures)
		return 1;
	printf("ADV busy PASS mode=%s refused=%s packets_after=%llu\n", mode,
	       strerror(EBUSY), (unsigned long long)(r.packets - before));
	return 0;
}

/* ---- fanout: the group ioctl's rules, then join/leave races ---- */

static int join(int fd, uint32_t id, uint16_t mode, uint16_t flags)
{
	struct skbremap_fanout a = { .id = id, .mode = mode, .flags = flags };

	return xioctl(fd, SKBREMAP_IOC_FANOUT, &a);
}

static void fanout_rules(const char *ifname)
{
	struct skbremap_fanout a = { .id = 5, .mode = SKBREMAP_FANOUT_HASH };
	struct skbremap_version v;
	struct skbremap_bind b = { 0 };
	struct region r, g, any;
	int fds[SKBREMAP_FANOUT_MAX_MEMBERS + 1];
	int i, ret;

	ret = cap_setup(&r, ifname, SKBREMAP_MODE_RING, 4, 2, 1000);
	CHECK(!ret, "setup: %s", strerror(-ret));
	ret = cap_setup(&g, ifname, SKBREMAP_MODE_RING, 4, 2, 1000);
	CHECK(!ret, "setup: %s", strerror(-ret));
	ret = cap_setup(&any, "all", SKBREMAP_MODE_RING, 4, 2, 1000);
	CHECK(!ret, "setup: %s", strerror(-ret));
	if (failures)
		return;
	CHECK(xioctl(r.fd, SKBREMAP_IOC_VERSION, &v) == 0 &&
	      (v.features & SKBREMAP_FEAT_FANOUT), "FEAT_FANOUT");
	a.mode = 0;
	CHECK(xioctl(r.fd, SKBREMAP_IOC_FANOUT, &a) == -EINVAL, "mode 0");
	a.mode = SKBREMAP_FANOUT_LB + 1;
	CHECK(xioctl(r.fd, SKBREMAP_IOC_FANOUT, &a) == -EINVAL, "mode 4");
	a.mode = 0xffff;
	CHECK(xioctl(r.fd, SKBREMAP_IOC_FANOUT, &a) == -EINVAL, "mode ffff");
	a.mode = SKBREMAP_FANOUT_HASH;
	a.flags = 0x8000;
	CHECK(xioctl(r.fd, SKBREMAP_IOC_FANOUT, &a) == -EINVAL, "flags");
	a.flags = 0;
	for (i = 0; i < 3; i++) {
		a.reserved[i] = 1ULL << 63;
		CHECK(xioctl(r.fd, SKBREMAP_IOC_FANOUT, &a) == -EINVAL,
		      "reserved[%d]", i);
		a.reserved[i] = 0;
	}
	CHECK(xioctl(r.fd, SKBREMAP_IOC_FANOUT, NULL) == -EFAULT, "NULL");
	CHECK(xioctl(r.fd, SKBREMAP_IOC_FANOUT, guard_buf + psz) == -EFAULT,
	      "PROT_NONE");
	CHECK(xioctl(r.fd, SKBREMAP_IOC_START, NULL) == 0, "START");
	CHECK(join(r.fd, 5, SKBREMAP_FANOUT_HASH, 0) == -EBUSY,
	      "join while running");
	drain(&r);
	CHECK(join(r.fd, 5, SKBREMAP_FANOUT_HASH, 0) == 0, "join");
	CHECK(join(r.fd, 5, SKBREMAP_FANOUT_HASH, 0) == -EALREADY, "twice");
	CHECK(join(r.fd, 6, SKBREMAP_FANOUT_LB, 0) == -EALREADY, "another");
	CHECK(join(g.fd, 5, SKBREMAP_FANOUT_LB, 0) == -EINVAL, "mode differs");
	CHECK(join(g.fd, 5, SKBREMAP_FANOUT_HASH, SKBREMAP_FANOUT_F_ROLLOVER) ==
	      -EINVAL, "flags differ");
	CHECK(join(any.fd, 5, SKBREMAP_FANOUT_HASH, 0) == -EINVAL,
	      "interface differs");
	CHECK(xioctl(r.fd, SKBREMAP_IOC_BIND, &b) == -EBUSY, "BIND away");
	CHECK(join(g.fd, 5, SKBREMAP_FANOUT_HASH, 0) == 0, "second member");
	/* The group is full at SKBREMAP_FANOUT_MAX_MEMBERS. */
	for (i = 0; i < SKBREMAP_FANOUT_MAX_MEMBERS + 1; i++) {
		fds[i] = open("/dev/skbremap", O_RDWR | O_CLOEXEC);
		CHECK(fds[i] >= 0, "open %d", i);
		ret = join(fds[i], 9, SKBREMAP_FANOUT_CPU, 0);
		CHECK(ret == (i < SKBREMAP_FANOUT_MAX_MEMBERS ? 0 : -ENOSPC),
		      "member %d: %d", i, ret);
	}
	close(fds[0]);
	CHECK(join(fds[i - 1], 9, SKBREMAP_FANOUT_CPU, 0) == 0,
	      "room after a close");
	for (i = 1; i < SKBREMAP_FANOUT_MAX_MEMBERS + 1; i++)
		close(fds[i]);
	cap_close(&any);
	cap_close(&g);
	cap_close(&r);
}

struct fanout_racer {
	const char *ifname;
	int id;
	uint64_t rounds, joined, packets, closed_running;
	volatile int *stop;
};

static void *fanout_race_thread(void *arg)
{
	struct fanout_racer *fr = arg;
	struct sockaddr_in to;
	struct region r;
	char what[64];
	double until;
	int ret, tx = udp_out(&to);

	rnd_seed(300 + fr->id);
	while (!*fr->stop) {
		fr->rounds++;
		ret = cap_setup(&r, fr->ifname, SKBREMAP_MODE_RING +
				rnd_below(2) * (SKBREMAP_MODE_BOUNCE -
						SKBREMAP_MODE_RING),
				2 + rnd_below(4), 1 + rnd_below(4), 1000);
		CHECK(!ret, "setup: %s", strerror(-ret));
		if (ret)
			break;
		ret = join(r.fd, 77, SKBREMAP_FANOUT_HASH,
			   SKBREMAP_FANOUT_F_ROLLOVER);
		CHECK(!ret, "join: %s", strerror(-ret));
		fr->joined += !ret;
		CHECK(xioctl(r.fd, SKBREMAP_IOC_START, NULL) == 0, "START");
		until = now() + rnd_below(300) / 1000.0;
		while (now() < until) {
			send_some(tx, &to, 4);	/* besides the flood: flows of ours */
			consume(&r, rnd_below(4) == 0);
			usleep(1000);
		}
		if (rnd_below(2)) {
			drain(&r);
			snprintf(what, sizeof(what), "member %d round %llu",
				 fr->id, (unsigned long long)fr->rounds);
			if (rnd_below(8) == 0)
				check_balanced(what, r.fd);
			else {
				struct skbremap_stats s;

				get_stats(r.fd, &s);
				CHECK(s.seen == s.captured + s.filtered +
				      s.drop_queue_full + s.drop_no_window +
				      s.drop_nomem + s.drop_too_big +
				      s.drop_mem_limit && !s.in_flight,
				      "%s: seen %llu captured %llu", what,
				      (unsigned long long)s.seen,
				      (unsigned long long)s.captured);
				CHECK(s.fanout_rollover <= s.seen,
				      "rollover %llu > seen %llu",
				      (unsigned long long)s.fanout_rollover,
				      (unsigned long long)s.seen);
			}
		} else {
			fr->closed_running++;	/* close while running */
		}
		fr->packets += r.packets;
		cap_close(&r);
	}
	close(tx);
	return NULL;
}

static int cmd_fanout(const char *ifname, int seconds)
{
	struct fanout_racer fr[3];
	volatile int stop = 0;
	pthread_t t[3];
	uint64_t rounds = 0, joined = 0, packets = 0, closed = 0, lists = 0;
	struct skbremap_capture_info ci;
	double end;
	int i, fd;

	guard_buf = mmap(NULL, 2 * psz, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	mprotect(guard_buf + psz, psz, PROT_NONE);
	fanout_rules(ifname);
	fd = open("/dev/skbremap", O_RDWR | O_CLOEXEC);
	CHECK(fd >= 0, "open");
	for (i = 0; i < 3; i++) {
		memset(&fr[i], 0, sizeof(fr[i]));
		fr[i].ifname = ifname;
		fr[i].id = i;
		fr[i].stop = &stop;
		pthread_create(&t[i], NULL, fanout_race_thread, &fr[i]);
	}
	end = now() + seconds;
	while (now() < end) {
		for (i = 0; i < 8; i++) {
			memset(&ci, 0, sizeof(ci));
			ci.index = i;
			if (xioctl(fd, SKBREMAP_IOC_CAPTURES, &ci))
				break;
			lists++;
			CHECK(!ci.fanout_mode ||
			      (ci.fanout_id == 77 &&
			       ci.fanout_mode == SKBREMAP_FANOUT_HASH &&
			       (ci.fanout_member == SKBREMAP_FANOUT_NOT_LINKED ||
				ci.fanout_member < ci.fanout_members) &&
			       ci.fanout_members <= 3),
			      "capture %u: group %u mode %u member %u of %u",
			      ci.id, ci.fanout_id, ci.fanout_mode,
			      ci.fanout_member, ci.fanout_members);
		}
		usleep(5000);
	}
	stop = 1;
	for (i = 0; i < 3; i++) {
		pthread_join(t[i], NULL);
		rounds += fr[i].rounds;
		joined += fr[i].joined;
		packets += fr[i].packets;
		closed += fr[i].closed_running;
	}
	close(fd);
	CHECK(joined >= 3 && packets > 0 && closed > 0,
	      "joined %llu packets %llu closed running %llu",
	      (unsigned long long)joined, (unsigned long long)packets,
	      (unsigned long long)closed);
	if (failures)
		return 1;
	printf("ADV fanout PASS rounds=%llu joined=%llu closed_running=%llu packets=%llu listings=%llu\n",
	       (unsigned long long)rounds, (unsigned long long)joined,
	       (unsigned long long)closed, (unsigned long long)packets,
	       (unsigned long long)lists);
	return 0;
}

static int cmd_global(int seconds)
{
	struct skbremap_global g;
	int ok = !wait_gauges_zero(seconds, &g);

	printf("ADV global captures=%llu pages_held=%llu skbs_held=%llu mappings=%llu\n",
	       (unsigned long long)g.captures - 1,
	       (unsigned long long)g.pages_held,
	       (unsigned long long)g.skbs_held, (unsigned long long)g.mappings);
	return ok ? 0 : 1;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: adversarial [--seed N] scribble IF MODE WRITES | ioctl IF COUNT |\n"
		"       mm IF MODE DISK | kill IF MODE COUNT | canary IF MODE MIB |\n"
		"       busy IF MODE | fanout IF SECONDS | global [SECONDS]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int a = 1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	psz = sysconf(_SC_PAGESIZE);
	seed = (unsigned long long)time(NULL) * 2654435761ULL ^ getpid();
	if (argc > 2 && !strcmp(argv[1], "--seed")) {
		seed = strtoull(argv[2], NULL, 0);
		a = 3;
	}
	if (argc <= a)
		usage();
	printf("adversarial %s: seed %llu\n", argv[a], seed);
	rnd_seed(1);
	if (!strcmp(argv[a], "scribble") && argc == a + 4)
		return cmd_scribble(argv[a + 1], argv[a + 2],
				    strtoull(argv[a + 3], NULL, 0));
	if (!strcmp(argv[a], "ioctl") && argc == a + 3)
		return cmd_ioctl(argv[a + 1], strtoull(argv[a + 2], NULL, 0));
	if (!strcmp(argv[a], "mm") && argc == a + 4)
		return cmd_mm(argv[a + 1], argv[a + 2], argv[a + 3]);
	if (!strcmp(argv[a], "kill") && argc == a + 4)
		return cmd_kill(argv[a + 1], argv[a + 2], atoi(argv[a + 3]));
	if (!strcmp(argv[a], "canary") && argc == a + 4)
		return cmd_canary(argv[a + 1], argv[a + 2], atoi(argv[a + 3]));
	if (!strcmp(argv[a], "busy") && argc == a + 3)
		return cmd_busy(argv[a + 1], argv[a + 2]);
	if (!strcmp(argv[a], "fanout") && argc == a + 3)
		return cmd_fanout(argv[a + 1], atoi(argv[a + 2]));
	if (!strcmp(argv[a], "global"))
		return cmd_global(argc > a + 1 ? atoi(argv[a + 1]) : 0);
	usage();
	return 2;
}
