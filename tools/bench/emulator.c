// SPDX-License-Identifier: GPL-2.0
/*
 * Delivery cost per packet through the emulator (issue 3, item 4a/b), for
 * every mode (bounce, ring, remap, adaptive) and packet size: the
 * synthetic source with lossless=1 plays the wire, the emulator's worker
 * thread delivers, and this process's main thread consumes as remapd does
 * (tests/c/consumer.h: every info-page field checked, every byte read).
 *
 * The cost is CPU time, not wall time: the worker thread's CPU
 * (pthread_getcpuclockid of the first thread START creates: the worker,
 * see emu.c) plus the consumer's (CLOCK_THREAD_CPUTIME_ID), per packet.
 * The source thread (building frames and the "DMA" into skb pages) is the
 * wire and is not counted. pthread_create is wrapped at link time
 * (-Wl,--wrap=pthread_create) to learn the worker's handle.
 *
 * Placement: the emulator's threads (worker, source) are pinned to one CPU
 * (they inherit the affinity START is called with); the consumer runs on
 * the same CPU ("same") or on the other ("other"). Pinned, the CPU times
 * are not inflated by the threads of this process fighting over caches.
 *
 * Modes and sizes are interleaved (rep 1 of every cell, then rep 2, ...)
 * and medians printed; read the ratios.
 *
 *   emulator [--check] [--reps N]
 * --check: tiny counts, every byte compared with
 * skbremap_emu_synthetic_frame(), paths and counters checked, and a
 * two-member fanout group (every packet exactly once, the bytes add up);
 * no timings;
 * exit status 1 on any mismatch (tools/bench/run.sh --short, CI).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "consumer.h"

/* ---- the worker thread's handle -------------------------------------- */

int __real_pthread_create(pthread_t *t, const pthread_attr_t *a,
			  void *(*fn)(void *), void *arg);

static pthread_t created[8];
static int ncreated;

int __wrap_pthread_create(pthread_t *t, const pthread_attr_t *a,
			  void *(*fn)(void *), void *arg)
{
	int err = __real_pthread_create(t, a, fn, arg);

	if (!err && ncreated < 8)
		created[ncreated++] = *t;
	return err;
}

static int cpus[2], ncpus;

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static uint64_t clock_ns(clockid_t clk)
{
	struct timespec ts;

	if (clock_gettime(clk, &ts))
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- one run ---------------------------------------------------------- */

static const char *const mode_name[] = { "default", "bounce", "remap", "ring",
					 "adaptive" };
/*
 * The fifth cell is RING again: the A/A control. Its ratio to the first
 * RING cell is this machine's noise floor for the ratios above it.
 */
static const uint32_t modes[] = { SKBREMAP_MODE_BOUNCE, SKBREMAP_MODE_RING,
				  SKBREMAP_MODE_REMAP, SKBREMAP_MODE_ADAPTIVE,
				  SKBREMAP_MODE_RING };
#define NMODES 4	/* checked and tabled; + the control when timed */
#define NCELLS 5
static const uint32_t sizes[] = { 64, 128, 256, 512, 1024, 1500, 4096, 9000,
				  16384, 65535 };
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))

struct run {
	uint32_t mode, size;
	uint32_t copy_threshold;	/* 0: calibrate (ADAPTIVE) */
	uint64_t count;
	int check;
	int other;	/* consumer on the other CPU */
	/* results */
	uint64_t cpu_ns;	/* worker + consumer */
	uint64_t packets, sink, bad;
	uint64_t by_path[4];
	uint64_t threshold;
	uint64_t calib_copy_ns, calib_remap_ns;
	uint8_t *frame;
};

static void touch_packet(struct consumer *c,
			 const struct skbremap_info_entry *e,
			 const uint8_t *data, void *arg)
{
	struct run *r = arg;
	const uint64_t *q = (const uint64_t *)data;
	uint64_t s = 0;
	uint32_t i;

	(void)c;
	if (r->check) {
		/* lossless, one size: packet i is frame i */
		uint64_t idx = c->packets - 1;

		skbremap_emu_synthetic_frame(idx, e->wirelen, r->frame);
		if (e->caplen != r->size || e->wirelen != r->size ||
		    memcmp(data, r->frame, e->caplen))
			r->bad++;
		return;
	}
	if ((uintptr_t)data % 8 == 0) {
		for (i = 0; i < e->caplen / 8; i++)
			s += q[i];
		for (i = e->caplen & ~7u; i < e->caplen; i++)
			s += data[i];
	} else {
		for (i = 0; i < e->caplen; i++)
			s += data[i];
	}
	r->sink += s;
}

static int run_one(struct run *r)
{
	/*
	 * A short queue: the lossless source waits for room instead of
	 * queuing thousands of packets that each hold skb pool pages. With
	 * the default queue (4096) the pool runs dry at >= 9000 B and half
	 * the remap mode's packets fall back to bounce (remap% shows it).
	 */
	struct skbremap_config cfg = { .mode = r->mode,
				       .copy_threshold = r->copy_threshold,
				       .queue_limit = 32 };
	struct skbremap_stats st;
	struct skbremap_emu *e;
	struct consumer c;
	char spec[128];
	clockid_t wclk;
	uint64_t w0 = 0, w1, c0, c1;
	int err, have_worker;

	err = skbremap_emu_open(&e);
	if (err)
		return err;
	snprintf(spec, sizeof(spec),
		 "synthetic:count=%llu,min=%u,max=%u,rate=0,lossless=1",
		 (unsigned long long)r->count, r->size, r->size);
	if ((err = skbremap_emu_ioctl(e, SKBREMAP_IOC_CONFIGURE, &cfg)) ||
	    (err = skbremap_emu_set_source(e, spec)) ||
	    (err = consumer_map(&c, e)))
		goto out;
	ncreated = 0;
	pin(cpus[0]);
	err = skbremap_emu_ioctl(e, SKBREMAP_IOC_START, NULL);
	if (r->other && ncpus > 1)
		pin(cpus[1]);
	if (err) {
		consumer_unmap(&c);
		goto out;
	}
	have_worker = ncreated >= 1 &&
		      !pthread_getcpuclockid(created[0], &wclk);
	if (have_worker)
		w0 = clock_ns(wclk);
	c0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	/* consumer_run_to_end, with the worker's clock read before STOP */
	for (;;) {
		int done = skbremap_emu_source_done(e);
		int n = consumer_drain(&c, touch_packet, r);

		if (done)
			break;
		skbremap_emu_poll(e, n ? 0 : 100);
	}
	w1 = have_worker ? clock_ns(wclk) : 0;
	c1 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	skbremap_emu_ioctl(e, SKBREMAP_IOC_STOP, NULL);
	consumer_drain(&c, touch_packet, r);
	skbremap_emu_poll(e, 0);
	r->cpu_ns = (w1 - w0) + (c1 - c0);
	r->packets = c.packets;
	memcpy(r->by_path, c.by_path, sizeof(r->by_path));
	r->bad += c.errors;
	if (!skbremap_emu_ioctl(e, SKBREMAP_IOC_STATS, &st)) {
		r->threshold = st.copy_threshold;
		r->calib_copy_ns = st.calib_copy_ns;
		r->calib_remap_ns = st.calib_remap_ns;
		if (st.captured != r->count || st.captured != c.packets ||
		    st.captured != st.bounced + st.remapped + st.copied ||
		    st.bounced != c.by_path[SKBREMAP_PATH_BOUNCE] ||
		    st.remapped != c.by_path[SKBREMAP_PATH_REMAP] ||
		    st.copied != c.by_path[SKBREMAP_PATH_RING])
			r->bad++;
	}
	if (!have_worker)
		err = -ESRCH;
	consumer_unmap(&c);
out:
	skbremap_emu_close(e);
	return err;
}

/* The path each mode must have taken, for --check. */
static int paths_ok(const struct run *r)
{
	uint64_t n = r->packets;
	const uint64_t *p = r->by_path;

	switch (r->mode) {
	case SKBREMAP_MODE_BOUNCE:
		return p[SKBREMAP_PATH_BOUNCE] == n;
	case SKBREMAP_MODE_RING:
		return p[SKBREMAP_PATH_RING] == n;
	case SKBREMAP_MODE_REMAP:
		/* packets of a head + one whole page qualify (skbpool.c) */
		return !p[SKBREMAP_PATH_RING] &&
		       (r->size < 128 + 4096 || p[SKBREMAP_PATH_REMAP]);
	case SKBREMAP_MODE_ADAPTIVE:
		return r->size < r->threshold ?
		       p[SKBREMAP_PATH_RING] == n : !p[SKBREMAP_PATH_RING];
	}
	return 0;
}

/* The fanout check: which member saw packet i, and its bytes. */
struct fanout_check {
	uint8_t *seen;		/* per index: members that delivered it */
	uint8_t *frame;
	uint64_t count, bad, bytes;
};

static void fanout_packet(struct consumer *c,
			  const struct skbremap_info_entry *e,
			  const uint8_t *data, void *arg)
{
	struct fanout_check *f = arg;
	uint64_t idx = 0;
	uint32_t i;

	(void)c;
	for (i = 0; i < 8 && 42 + i < e->caplen; i++)
		idx = idx << 8 | data[42 + i];
	if (e->caplen < 50 || idx >= f->count ||
	    skbremap_emu_synthetic_frame_flows(idx, e->caplen, 8, f->frame) ||
	    memcmp(data, f->frame, e->caplen)) {
		f->bad++;
		return;
	}
	f->seen[idx]++;
	f->bytes += e->caplen;
}

/*
 * A group of two captures (SKBREMAP_IOC_FANOUT, hash with rollover) over
 * one lossless synthetic source of 8 flows: every packet delivered by
 * exactly one member, byte for byte, and the bytes add up to the source's.
 */
static int check_fanout(void)
{
	struct skbremap_fanout fo = { .id = 1, .mode = SKBREMAP_FANOUT_HASH,
				      .flags = SKBREMAP_FANOUT_F_ROLLOVER };
	struct skbremap_config cfg = { .mode = SKBREMAP_MODE_ADAPTIVE,
				       .copy_threshold = 2048,
				       .queue_limit = 32 };
	struct fanout_check f = { .count = 4000 };
	struct skbremap_stats st[2];
	struct skbremap_emu *e[2] = { NULL, NULL };
	struct consumer c[2];
	uint64_t want = 0, i, once = 0;
	int k, err = 0, done;

	f.seen = calloc(f.count, 1);
	f.frame = malloc(65536);
	for (k = 0; k < 2 && !err; k++) {
		err = skbremap_emu_open(&e[k]);
		if (!err)
			err = skbremap_emu_ioctl(e[k], SKBREMAP_IOC_CONFIGURE,
						 &cfg);
		if (!err)
			err = skbremap_emu_set_source(e[k],
				"synthetic:count=4000,min=60,max=9000,step=997,"
				"flows=8,lossless=1");
		if (!err)
			err = skbremap_emu_ioctl(e[k], SKBREMAP_IOC_FANOUT, &fo);
		if (!err)
			err = consumer_map(&c[k], e[k]);
	}
	for (k = 0; k < 2 && !err; k++)
		err = skbremap_emu_ioctl(e[k], SKBREMAP_IOC_START, NULL);
	while (!err) {
		done = skbremap_emu_source_done(e[0]) &&
		       skbremap_emu_source_done(e[1]);
		k = consumer_drain(&c[0], fanout_packet, &f) +
		    consumer_drain(&c[1], fanout_packet, &f);
		if (done)
			break;
		skbremap_emu_poll(e[0], 0);
		skbremap_emu_poll(e[1], k ? 0 : 10);
	}
	for (k = 0; k < 2; k++) {
		if (!e[k])
			continue;
		if (!err) {
			skbremap_emu_ioctl(e[k], SKBREMAP_IOC_STOP, NULL);
			consumer_drain(&c[k], fanout_packet, &f);
			skbremap_emu_ioctl(e[k], SKBREMAP_IOC_STATS, &st[k]);
			consumer_unmap(&c[k]);
			f.bad += c[k].errors;
		}
		skbremap_emu_close(e[k]);
	}
	for (i = 0; i < f.count; i++) {
		once += f.seen[i] == 1;
		want += 60 + i * 997 % (9000 - 60 + 1);
	}
	err = err || f.bad || once != f.count || f.bytes != want ||
	      st[0].captured + st[1].captured != f.count ||
	      st[0].captured_bytes + st[1].captured_bytes != want ||
	      !st[0].captured || !st[1].captured;
	printf("check fanout hash 2 members: %s (packets %llu once of %llu,"
	       " %llu + %llu, bytes %llu of %llu)\n", err ? "FAIL" : "ok",
	       (unsigned long long)once, (unsigned long long)f.count,
	       (unsigned long long)(err ? 0 : st[0].captured),
	       (unsigned long long)(err ? 0 : st[1].captured),
	       (unsigned long long)f.bytes, (unsigned long long)want);
	free(f.seen);
	free(f.frame);
	return err ? 1 : 0;
}

static int check_all(void)
{
	uint8_t *frame = malloc(65536);
	uint32_t m, s;
	int fails = 0;

	/* the last pass: ADAPTIVE with a set threshold takes every path */
	for (m = 0; m <= NMODES; m++)
		for (s = 0; s < NSIZES; s++) {
			struct run r = { .mode = modes[m < NMODES ? m : 3],
					 .size = sizes[s], .count = 40,
					 .check = 1, .frame = frame,
					 .copy_threshold = m < NMODES ? 0 :
							   2048 };
			int err = run_one(&r);
			int ok = !err && !r.bad && r.packets == r.count &&
				 paths_ok(&r);

			printf("check %-8s%s %5u B: %s (packets %llu, bounce %llu"
			       " remap %llu ring %llu%s)\n",
			       mode_name[r.mode],
			       r.copy_threshold ? "@2048" : "     ", r.size,
			       ok ? "ok" : "FAIL",
			       (unsigned long long)r.packets,
			       (unsigned long long)r.by_path[1],
			       (unsigned long long)r.by_path[2],
			       (unsigned long long)r.by_path[3],
			       err ? ", error" : "");
			fails += !ok;
		}
	free(frame);
	fails += check_fanout();
	printf("emulator check: %s (%d failed)\n", fails ? "FAIL" : "ok",
	       fails);
	return fails ? 1 : 0;
}

/* ---- the timed table ------------------------------------------------- */

#define MAX_REPS 31

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int timed(int reps, const char *data_path)
{
	static double ns[2][NSIZES][NCELLS][MAX_REPS];
	static double remapped[2][NSIZES][MAX_REPS];	/* share, remap mode */
	uint64_t thr = 0, ccopy = 0, cremap = 0;
	int rep, met_adapt = 1, bad = 0, x, nx = ncpus > 1 ? 2 : 1;
	double remap_vs_copy[2] = { 0, 0 };
	FILE *data = NULL;
	uint32_t m, s;

	for (rep = 0; rep < reps; rep++)
		for (s = 0; s < NSIZES; s++)
			for (x = 0; x < nx; x++)
			for (m = 0; m < NCELLS; m++) {
				uint64_t count = (32u << 20) / sizes[s];
				struct run r = { .mode = modes[m],
						 .size = sizes[s], .other = x };

				r.count = count < 5000 ? 5000 :
					  count > 300000 ? 300000 : count;
				if (run_one(&r) || r.bad ||
				    r.packets != r.count) {
					fprintf(stderr, "emulator: %s %u B"
						" failed\n", mode_name[r.mode],
						r.size);
					bad = 1;
				}
				ns[x][s][m][rep] = r.packets ?
					(double)r.cpu_ns / r.packets : 0;
				if (m == 2)
					remapped[x][s][rep] = r.packets ?
						(double)r.by_path[SKBREMAP_PATH_REMAP] /
						r.packets : 0;
				if (r.mode == SKBREMAP_MODE_ADAPTIVE) {
					thr = r.threshold;
					ccopy = r.calib_copy_ns;
					cremap = r.calib_remap_ns;
				}
			}
	if (data_path)
		data = fopen(data_path, "w");
	if (data)
		fprintf(data, "# size cpu(0 same, 1 other) bounce ring remap"
			" adaptive\n");
	printf("\n## Emulator: delivery CPU per packet (worker + consumer,"
	       " ns/packet, median of %d)\n##   adaptive threshold %llu B"
	       " (calibration: copy %llu ns/page, remap %llu ns/page)\n",
	       reps, (unsigned long long)thr, (unsigned long long)ccopy,
	       (unsigned long long)cremap);
	printf("##   ratios: median of the per-repetition ratios\n");
	printf("##   control = ring run twice (A/A): its distance from 1 is the"
	       " noise floor\n##   remap%% = share of packets the remap mode"
	       " remapped (the rest bounced: small, or the skb pool ran dry)\n");
	printf("%-6s %-5s | %8s %8s %8s %8s | %-6s %10s | %10s %6s | %7s\n",
	       "size", "cons", "bounce", "ring", "remap", "adaptive", "best",
	       "adapt/best", "remap/ring", "remap%", "control");
	for (s = 0; s < NSIZES; s++)
	for (x = 0; x < nx; x++) {
		double v[NMODES], ab[MAX_REPS], rr[MAX_REPS], aa[MAX_REPS];
		double adapt, remap, control;
		uint32_t bi = 0;

		/*
		 * Ratios are paired: each rep's cells ran back to back, so
		 * load that came and went hits both sides of a ratio.
		 */
		for (rep = 0; rep < reps; rep++) {
			double (*c)[MAX_REPS] = ns[x][s], best = c[0][rep];

			for (m = 1; m < 3; m++)
				if (c[m][rep] < best)
					best = c[m][rep];
			ab[rep] = c[3][rep] / best;
			rr[rep] = c[2][rep] / c[1][rep];
			aa[rep] = c[4][rep] / c[1][rep];
		}
		adapt = median(ab, reps);
		remap = median(rr, reps);
		control = median(aa, reps);
		for (m = 0; m < NMODES; m++)
			v[m] = median(ns[x][s][m], reps);
		for (m = 1; m < 3; m++)
			if (v[m] < v[bi])
				bi = m;
		if (adapt > 1.05)
			met_adapt = 0;
		if (sizes[s] == 65535)
			remap_vs_copy[x] = 1 / remap;
		printf("%-6u %-5s | %8.0f %8.0f %8.0f %8.0f | %-6s %10.3f |"
		       " %10.2f %5.0f%% | %7.3f\n", sizes[s],
		       x ? "other" : "same", v[0], v[1], v[2], v[3],
		       mode_name[modes[bi]], adapt, remap,
		       100 * median(remapped[x][s], reps), control);
		if (data)
			fprintf(data, "%u %d %.0f %.0f %.0f %.0f\n", sizes[s], x,
				v[0], v[1], v[2], v[3]);
	}
	if (data)
		fclose(data);
	printf("\ntarget adaptive within 5%% of the best single path at every"
	       " size: %s\n", met_adapt ? "MET" : "NOT MET");
	printf("target remap >= 2.5x cheaper than copy (ring) at 64 KiB:"
	       " %s (ring/remap = %.2fx same CPU, %.2fx other CPU)\n",
	       remap_vs_copy[0] >= 2.5 && (nx < 2 || remap_vs_copy[1] >= 2.5) ?
	       "MET" : "NOT MET", remap_vs_copy[0], remap_vs_copy[1]);
	if (remap_vs_copy[0] < 2.5 && ccopy && cremap)
		printf("  limit: this host's calibration, remap of one page %llu ns"
		       " vs copy of one page %llu ns (%.0fx): in user space the"
		       " remap cannot be 2.5x cheaper\n",
		       (unsigned long long)cremap, (unsigned long long)ccopy,
		       (double)cremap / (double)ccopy);
	return bad;
}

int main(int argc, char **argv)
{
	const char *data = NULL;
	int reps = 7, i;
	cpu_set_t all;

	sched_getaffinity(0, sizeof(all), &all);
	for (i = 0; i < CPU_SETSIZE && ncpus < 2; i++)
		if (CPU_ISSET(i, &all))
			cpus[ncpus++] = i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--check"))
			return check_all();
		if (!strcmp(argv[i], "--reps") && i + 1 < argc)
			reps = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--data") && i + 1 < argc)
			data = argv[++i];
		else {
			fprintf(stderr, "usage: emulator [--check] [--reps N]"
				" [--data FILE]\n");
			return 2;
		}
	}
	if (reps < 1 || reps > MAX_REPS)
		reps = 7;
	return timed(reps, data);
}
