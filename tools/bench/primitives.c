// SPDX-License-Identifier: GPL-2.0
/*
 * The seed's question, asked of the primitives themselves on this host, in
 * user space (issue 3, item 4a): what does it cost to get one packet's
 * bytes in front of a consumer
 *
 *   copy    memcpy from the "skb" page into a ring mapped once (the ring
 *           path, the thread's counter-proposal);
 *   remap   mmap(MAP_FIXED | MAP_POPULATE) of the memfd page(s) holding
 *           the packet over the consumer's slot, and at release the slot's
 *           own page mapped back the same way: the emulator's insert + zap
 *           (tools/emulator/region.c, show_remapped/restore_own). "pkt"
 *           makes one call per packet, "win" one call per window;
 *   recv    recv() of an AF_UNIX SOCK_SEQPACKET message into a buffer: copy_to_user, the
 *           baseline the thread's ~1000-cycle claim is against (the send
 *           plays the wire and is not timed);
 *
 * with the consumer (which reads every byte of every packet) on the same
 * CPU (one thread) or on the other CPU (two pinned threads in lockstep;
 * remap then pays the TLB shootdown of every unmap, because the consumer
 * thread has the mm loaded and has touched the mapping).
 *
 * Only the work is timed, phase by phase (produce, consume, release), each
 * in the thread that does it; the handoff between threads is not. Variants
 * are interleaved (rep 1 of every variant, then rep 2, ...) and the median
 * of the repetitions is printed, so that load from other processes on this
 * machine hits every variant alike: read the ratios, not the absolute ns.
 *
 *   primitives [--short] [--reps N] [--data FILE]
 * --data writes the size table as whitespace-separated columns for
 * tools/bench/chart.gp.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#define PS		4096u
#define POOL_PAGES	512u	/* the "skb" pages: 2 MiB, > L2 */
#define SLOT_PAGES	256u	/* the consumer's window */
#define WIN_PAGES	64u	/* a window in the size table (the default) */
#define RING_BYTES	(SLOT_PAGES * PS)
#define MAX_PKTS	256u

enum variant { V_COPY, V_REMAP_PKT, V_REMAP_WIN, V_RECV, V_N };
static const char *const vname[V_N] = { "copy", "remap/pkt", "remap/win",
					"recv" };

struct res {
	int pool_fd, own_fd, sock[2];
	uint8_t *pool_rw;	/* the skb pages, as the producer sees them */
	uint8_t *slot;		/* the consumer's window (remap) */
	uint8_t *ring;		/* the ring (copy) and recv buffers */
};

/* One measurement: @batches windows of @pkts packets of @size bytes. */
struct job {
	struct res *r;
	enum variant v;
	uint32_t size, ppp, pkts, per_call;	/* per_call: pages per mmap */
	uint32_t batches;
	const uint8_t *desc[MAX_PKTS];	/* where packet k is for the consumer */
	uint64_t t_prod, t_cons, t_rel;	/* ns, summed over batches */
	uint64_t sink;
	int failed;
	/* lockstep between the producer and a consumer thread */
	_Atomic uint32_t ready, done;
	int cpu_cons;
};

static int cpus[2], ncpus;
static double tsc_ghz;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void pin(int cpu)
{
	cpu_set_t s;

	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	sched_setaffinity(0, sizeof(s), &s);
}

static int memfd_filled(const char *name, uint32_t pages, uint8_t fill,
			uint8_t **keep)
{
	int fd = memfd_create(name, MFD_CLOEXEC);
	uint8_t *p;
	uint32_t i;

	if (fd < 0 || ftruncate(fd, (off_t)pages * PS) < 0)
		return -1;
	p = mmap(NULL, (size_t)pages * PS, PROT_READ | PROT_WRITE, MAP_SHARED,
		 fd, 0);
	if (p == MAP_FAILED)
		return -1;
	for (i = 0; i < pages * PS; i++)
		p[i] = (uint8_t)(fill + i * 7);
	if (keep)
		*keep = p;
	else
		munmap(p, (size_t)pages * PS);
	return fd;
}

/* The consumer: read every byte of the packet. */
static uint64_t touch(const uint8_t *p, uint32_t len)
{
	const uint64_t *q = (const uint64_t *)p;
	uint64_t s = 0;
	uint32_t i;

	for (i = 0; i < len / 8; i++)
		s += q[i];
	for (i = len & ~7u; i < len; i++)
		s += p[i];
	return s;
}

static uint32_t pool_page(struct job *j, uint32_t b, uint32_t k)
{
	/* Each window takes the next run of pool pages: cold-ish sources. */
	return (b * j->pkts * j->ppp + k * j->ppp) % (POOL_PAGES - SLOT_PAGES);
}

static int map_run(uint8_t *at, uint32_t pages, int fd, uint32_t first)
{
	return mmap(at, (size_t)pages * PS, PROT_READ,
		    MAP_SHARED | MAP_FIXED | MAP_POPULATE, fd,
		    (off_t)first * PS) == MAP_FAILED ? -1 : 0;
}

/* Kernel side of window @b: the packets reach the consumer. */
static void produce(struct job *j, uint32_t b)
{
	struct res *r = j->r;
	uint32_t k, stride = (j->size + 15) & ~15u, pages = j->pkts * j->ppp;
	uint64_t t = now_ns();

	switch (j->v) {
	case V_COPY:
		for (k = 0; k < j->pkts; k++) {
			uint8_t *dst = r->ring + (size_t)k * stride % RING_BYTES;

			memcpy(dst, r->pool_rw + (size_t)pool_page(j, b, k) * PS,
			       j->size);
			j->desc[k] = dst;
		}
		break;
	case V_REMAP_PKT:
	case V_REMAP_WIN: {
		uint32_t first = pool_page(j, b, 0), n;

		for (k = 0; k < pages; k += n) {
			n = j->per_call < pages - k ? j->per_call : pages - k;
			if (map_run(r->slot + (size_t)k * PS, n, r->pool_fd,
				    first + k))
				j->failed = errno;
		}
		for (k = 0; k < j->pkts; k++)
			j->desc[k] = r->slot + (size_t)k * j->ppp * PS;
		break;
	}
	case V_RECV:
		/* the wire: not timed */
		for (k = 0; k < j->pkts; k++)
			if (send(r->sock[0], r->pool_rw +
				 (size_t)pool_page(j, b, k) * PS, j->size,
				 0) != (ssize_t)j->size)
				j->failed = errno;
		return;
	default:
		break;
	}
	j->t_prod += now_ns() - t;
}

static void consume(struct job *j)
{
	struct res *r = j->r;
	uint32_t k, stride = (j->size + 15) & ~15u;
	uint64_t t = now_ns();

	for (k = 0; k < j->pkts; k++) {
		const uint8_t *p = j->desc[k];

		if (j->v == V_RECV) {
			uint8_t *buf = r->ring + (size_t)k * stride % RING_BYTES;

			if (recv(r->sock[1], buf, j->size, 0) !=
			    (ssize_t)j->size)
				j->failed = errno ? errno : EIO;
			p = buf;
		}
		j->sink += touch(p, j->size);
	}
	j->t_cons += now_ns() - t;
}

/* The window is released: remap gives the slot its own pages back. */
static void release(struct job *j)
{
	uint32_t k, n, pages = j->pkts * j->ppp;
	uint64_t t;

	if (j->v != V_REMAP_PKT && j->v != V_REMAP_WIN)
		return;
	t = now_ns();
	for (k = 0; k < pages; k += n) {
		n = j->per_call < pages - k ? j->per_call : pages - k;
		if (map_run(j->r->slot + (size_t)k * PS, n, j->r->own_fd, k))
			j->failed = errno;
	}
	j->t_rel += now_ns() - t;
}

static void wait_for(_Atomic uint32_t *w, uint32_t v)
{
	unsigned spins = 0;

	while (atomic_load_explicit(w, memory_order_acquire) != v)
		if (++spins % 256 == 0)
			sched_yield();	/* the cores are shared */
		else
			_mm_pause();
}

static void *consumer_thread(void *arg)
{
	struct job *j = arg;
	uint32_t b;

	pin(j->cpu_cons);
	for (b = 1; b <= j->batches; b++) {
		wait_for(&j->ready, b);
		consume(j);
		atomic_store_explicit(&j->done, b, memory_order_release);
	}
	return NULL;
}

static void run_job(struct job *j, int cross)
{
	pthread_t th;
	uint32_t b;

	j->t_prod = j->t_cons = j->t_rel = 0;
	pin(cpus[0]);
	if (!cross) {
		for (b = 0; b < j->batches; b++) {
			produce(j, b);
			consume(j);
			release(j);
		}
		return;
	}
	atomic_store(&j->ready, 0);
	atomic_store(&j->done, 0);
	j->cpu_cons = cpus[1];
	if (pthread_create(&th, NULL, consumer_thread, j)) {
		j->failed = EAGAIN;
		return;
	}
	for (b = 0; b < j->batches; b++) {
		produce(j, b);
		atomic_store_explicit(&j->ready, b + 1, memory_order_release);
		wait_for(&j->done, b + 1);
		release(j);
	}
	pthread_join(th, NULL);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double median(uint64_t *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_u64);
	return n % 2 ? (double)v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

/* Median ns per packet: kernel side (produce + release) and total. */
struct cell {
	double kern, total;
};

#define MAX_REPS 31

static void setup_job(struct job *j, struct res *r, enum variant v,
		      uint32_t size, uint32_t win_pages, uint32_t per_call,
		      int quick)
{
	uint64_t bytes;

	memset(j, 0, sizeof(*j));
	j->r = r;
	j->v = v;
	j->size = size;
	j->ppp = (size + PS - 1) / PS;
	j->pkts = win_pages / j->ppp ? win_pages / j->ppp : 1;
	if (j->pkts > MAX_PKTS)
		j->pkts = MAX_PKTS;
	j->per_call = v == V_REMAP_PKT ? j->ppp :
		      per_call ? per_call : j->pkts * j->ppp;
	/* ~1 MiB of packets per measurement (a few with --short) */
	bytes = (uint64_t)j->pkts * size;
	j->batches = quick ? 2 : (uint32_t)((4u << 20) / bytes) + 2;
	if (j->batches > 64)
		j->batches = 64;
	if (v == V_RECV && j->pkts * (uint64_t)size > 150000)
		j->pkts = (uint32_t)(150000 / size) ? 150000 / size : 1;
}

/*
 * The size table: for every size, every variant, both CPU placements,
 * interleaved over @reps repetitions.
 */
static const uint32_t sizes[] = { 64, 128, 256, 512, 1024, 1500, 4096,
				  16384, 65536 };
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))

static int size_table(struct res *r, int reps, int quick, FILE *data)
{
	static uint64_t kern[V_N][2][MAX_REPS], total[V_N][2][MAX_REPS];
	struct cell c[V_N][2];
	struct job *j = calloc(1, sizeof(*j));
	int rep, v, x, nx = ncpus > 1 ? 2 : 1, bad = 0;
	uint32_t si;

	printf("\n## Delivery cost per packet vs size (ns/packet, median of %d;"
	       " window %u pages;\n##   consumer reads every byte;"
	       " kern = produce + release, tot = kern + consumer)\n",
	       reps, WIN_PAGES);
	printf("%-6s %-5s | %9s %9s %9s %9s | %9s %9s %9s %9s | %8s %8s %8s\n",
	       "size", "cpu", "copy.kern", "rpkt.kern", "rwin.kern", "recv",
	       "copy.tot", "rpkt.tot", "rwin.tot", "recv.tot",
	       "rpkt/cp", "rwin/cp", "recv/cp");
	if (data)
		fprintf(data, "# size cpu copy_kern rpkt_kern rwin_kern recv_kern"
			" copy_tot rpkt_tot rwin_tot recv_tot\n");
	for (si = 0; si < NSIZES; si++) {
		for (rep = 0; rep < reps; rep++)
			for (x = 0; x < nx; x++)
				for (v = 0; v < V_N; v++) {
					setup_job(j, r, v, sizes[si], WIN_PAGES,
						  0, quick);
					run_job(j, x);
					if (j->failed) {
						fprintf(stderr, "%s %u: %s\n",
							vname[v], sizes[si],
							strerror(j->failed));
						bad = 1;
					}
					kern[v][x][rep] = (j->t_prod + j->t_rel) /
						((uint64_t)j->batches * j->pkts);
					total[v][x][rep] = (j->t_prod + j->t_rel +
						j->t_cons) /
						((uint64_t)j->batches * j->pkts);
					if (v == V_RECV) /* recv is all consumer */
						kern[v][x][rep] = total[v][x][rep];
				}
		for (x = 0; x < nx; x++) {
			for (v = 0; v < V_N; v++) {
				c[v][x].kern = median(kern[v][x], reps);
				c[v][x].total = median(total[v][x], reps);
			}
			printf("%-6u %-5s | %9.0f %9.0f %9.0f %9.0f | %9.0f %9.0f"
			       " %9.0f %9.0f | %8.2f %8.2f %8.2f\n",
			       sizes[si], x ? "other" : "same",
			       c[V_COPY][x].kern, c[V_REMAP_PKT][x].kern,
			       c[V_REMAP_WIN][x].kern, c[V_RECV][x].kern,
			       c[V_COPY][x].total, c[V_REMAP_PKT][x].total,
			       c[V_REMAP_WIN][x].total, c[V_RECV][x].total,
			       c[V_REMAP_PKT][x].total / c[V_COPY][x].total,
			       c[V_REMAP_WIN][x].total / c[V_COPY][x].total,
			       c[V_RECV][x].total / c[V_COPY][x].total);
			if (data)
				fprintf(data, "%u %d %.0f %.0f %.0f %.0f %.0f %.0f"
					" %.0f %.0f\n", sizes[si], x,
					c[V_COPY][x].kern, c[V_REMAP_PKT][x].kern,
					c[V_REMAP_WIN][x].kern, c[V_RECV][x].kern,
					c[V_COPY][x].total,
					c[V_REMAP_PKT][x].total,
					c[V_REMAP_WIN][x].total,
					c[V_RECV][x].total);
		}
		if (si == 0 || sizes[si] == 1500)
			printf("%-6s %-5s   ring saves vs recv (same CPU, tot):"
			       " %.0f ns = ~%.0f TSC cycles/packet\n", "", "",
			       c[V_RECV][0].total - c[V_COPY][0].total,
			       (c[V_RECV][0].total - c[V_COPY][0].total) *
				       tsc_ghz);
	}
	free(j);
	return bad;
}

/*
 * The batch sweep: one-page packets, a window of SLOT_PAGES pages remapped
 * @per_call pages per mmap call (and zapped the same way); ns per page,
 * against copying the same 4 KiB.
 */
static const uint32_t per_calls[] = { 1, 16, 33, 34, 64, 256 };
#define NCALLS (sizeof(per_calls) / sizeof(per_calls[0]))

static int batch_table(struct res *r, int reps, int quick)
{
	static uint64_t kern[NCALLS + 1][2][MAX_REPS];
	struct job *j = calloc(1, sizeof(*j));
	int rep, x, nx = ncpus > 1 ? 2 : 1, bad = 0;
	uint32_t i;

	printf("\n## Remap cost per 4 KiB page vs pages per mmap call (ns/page,"
	       " insert + zap, median of %d;\n##   window %u pages; consumer"
	       " reads every byte, not timed here; copy = memcpy of 4 KiB)\n",
	       reps, SLOT_PAGES);
	for (rep = 0; rep < reps; rep++)
		for (x = 0; x < nx; x++)
			for (i = 0; i <= NCALLS; i++) {
				setup_job(j, r, i < NCALLS ? V_REMAP_WIN : V_COPY,
					  PS, SLOT_PAGES,
					  i < NCALLS ? per_calls[i] : 0, quick);
				if (!quick)
					j->batches = 8;
				run_job(j, x);
				if (j->failed)
					bad = 1;
				kern[i][x][rep] = (j->t_prod + j->t_rel) /
					((uint64_t)j->batches * j->pkts);
			}
	printf("%-14s %12s %12s %10s %10s\n", "pages/call", "same ns/pg",
	       "other ns/pg", "same/copy", "other/copy");
	{
		double cp[2] = { 0, 0 };

		for (x = 0; x < nx; x++)
			cp[x] = median(kern[NCALLS][x], reps);
		for (i = 0; i <= NCALLS; i++) {
			double m[2] = { 0, 0 };
			char name[32];

			for (x = 0; x < nx; x++)
				m[x] = median(kern[i][x], reps);
			if (i < NCALLS)
				snprintf(name, sizeof(name), "remap %u",
					 per_calls[i]);
			else
				snprintf(name, sizeof(name), "copy 4 KiB");
			printf("%-14s %12.0f %12.0f %10.1f %10.1f\n", name,
			       m[0], m[1], m[0] / cp[0],
			       nx > 1 ? m[1] / cp[1] : 0.0);
		}
	}
	free(j);
	return bad;
}

static double measure_tsc_ghz(void)
{
	uint64_t t0 = now_ns(), c0 = __rdtsc(), t1, c1;
	struct timespec d = { 0, 50 * 1000 * 1000 };

	nanosleep(&d, NULL);
	t1 = now_ns();
	c1 = __rdtsc();
	return (double)(c1 - c0) / (double)(t1 - t0);
}

int main(int argc, char **argv)
{
	struct res r = { 0 };
	int reps = 9, quick = 0, bad, i, sb = 4 << 20;
	const char *data_path = NULL;
	FILE *data = NULL;
	cpu_set_t all;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--short"))
			quick = 1;
		else if (!strcmp(argv[i], "--reps") && i + 1 < argc)
			reps = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--data") && i + 1 < argc)
			data_path = argv[++i];
		else {
			fprintf(stderr, "usage: primitives [--short] [--reps N]"
				" [--data FILE]\n");
			return 2;
		}
	}
	if (quick)
		reps = 1;
	if (reps < 1 || reps > MAX_REPS)
		reps = 9;

	sched_getaffinity(0, sizeof(all), &all);
	for (i = 0; i < CPU_SETSIZE && ncpus < 2; i++)
		if (CPU_ISSET(i, &all))
			cpus[ncpus++] = i;

	r.pool_fd = memfd_filled("bench-pool", POOL_PAGES, 0x11, &r.pool_rw);
	r.own_fd = memfd_filled("bench-own", SLOT_PAGES, 0x22, NULL);
	r.slot = mmap(NULL, (size_t)SLOT_PAGES * PS, PROT_READ,
		      MAP_SHARED | MAP_POPULATE, r.own_fd, 0);
	r.ring = mmap(NULL, RING_BYTES, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (r.pool_fd < 0 || r.own_fd < 0 || r.slot == MAP_FAILED ||
	    r.ring == MAP_FAILED ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, r.sock)) {
		perror("primitives: setup");
		return 1;
	}
	setsockopt(r.sock[0], SOL_SOCKET, SO_SNDBUF, &sb, sizeof(sb));
	setsockopt(r.sock[1], SOL_SOCKET, SO_RCVBUF, &sb, sizeof(sb));
	tsc_ghz = measure_tsc_ghz();

	printf("# primitives: user space, page %u B, CPUs %d and %d%s, TSC %.2f"
	       " GHz%s\n", PS, cpus[0], ncpus > 1 ? cpus[1] : -1,
	       ncpus > 1 ? "" : " (one CPU: no other-CPU rows)", tsc_ghz,
	       quick ? ", --short (1 rep, 2 windows: no meaningful timings)" :
		       "");
	if (data_path && !(data = fopen(data_path, "w"))) {
		perror(data_path);
		return 1;
	}
	bad = size_table(&r, reps, quick, data);
	bad |= batch_table(&r, reps, quick);
	if (data)
		fclose(data);
	return bad;
}
