// SPDX-License-Identifier: GPL-2.0
/*
 * takeback ROUNDS: drives skbremap_tbench.ko (tbench.c) in the VM. For
 * each batch of 1..64 pages and each round: one untimed take-back, then
 * three pairs of timed ones (each after an untimed one of its own method),
 * each pair in the order x y in even rounds and y x in odd ones:
 *   old/new    zap_page_range against unmap_mapping_range (the question),
 *   old/old'   the old method twice (A/A: the noise of the same method),
 *   new/new'   the new method twice.
 * Before each sample the pages are inserted again and read once through
 * the mapping (their TLB entries are live, as a consumer's are when it
 * releases a window). Prints per batch the min and median ns per page of
 * old and new (first pair) and, per pair, y/x - 1 from the per-round
 * ratios (the geometric mean of the medians of the even and of the odd
 * rounds): a new/old beyond both A/A columns is a real difference.
 */
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGES		64
#define IOC_FILL	_IO('T', 1)
#define IOC_OLD		_IO('T', 2)
#define IOC_NEW		_IO('T', 3)

static const int batches[] = { 1, 2, 4, 8, 16, 32, 64 };
#define NB (sizeof(batches) / sizeof(*batches))

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int fd;
static volatile const char *map;
static long ps;

/*
 * One sample: insert @n pages, read them, take them back; ns per page.
 * Twice, the first one untimed: whatever a take-back leaves behind (caches,
 * the TLB, the kernel's batches), the timed one finds its own method's.
 */
static double sample(int n, int new)
{
	long ns;
	int p, i;

	for (i = 0; i < 2; i++) {

		if (ioctl(fd, IOC_FILL, n) < 0) {
			perror("takeback: fill");
			exit(1);
		}
		for (p = 0; p < n; p++)
			(void)map[p * ps];
		ns = ioctl(fd, new ? IOC_NEW : IOC_OLD, n);
		if (ns < 0) {
			perror("takeback: take-back");
			exit(1);
		}
	}
	return (double)ns / n;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp);
	return v[n / 2];
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 300;
	/* The pairs: which method is x and which y (0 old, 1 new). */
	static const int pair[3][2] = { { 0, 1 }, { 0, 0 }, { 1, 1 } };
	double *x[NB][3], *y[NB][3], *ratio;
	unsigned int b, k, r;

	ps = sysconf(_SC_PAGESIZE);
	fd = open("/dev/skbremap_tbench", O_RDWR);
	if (fd < 0 || rounds < 1) {
		perror("takeback: /dev/skbremap_tbench");
		return 1;
	}
	map = (volatile const char *)mmap(NULL, PAGES * ps, PROT_READ,
					  MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		perror("takeback: mmap");
		return 1;
	}
	if (ioctl(fd, IOC_NEW, PAGES) < 0) {	/* start empty */
		perror("takeback: ioctl");
		return 1;
	}
	ratio = calloc(rounds, sizeof(double));
	for (b = 0; b < NB; b++)
		for (k = 0; k < 3; k++) {
			x[b][k] = calloc(rounds, sizeof(double));
			y[b][k] = calloc(rounds, sizeof(double));
		}
	for (r = 0; r < (unsigned int)rounds; r++) {
		for (b = 0; b < NB; b++) {
			sample(batches[b], 1);	/* warm-up, not kept */
			for (k = 0; k < 3; k++) {
				if (r & 1) {
					y[b][k][r] = sample(batches[b], pair[k][1]);
					x[b][k][r] = sample(batches[b], pair[k][0]);
				} else {
					x[b][k][r] = sample(batches[b], pair[k][0]);
					y[b][k][r] = sample(batches[b], pair[k][1]);
				}
			}
		}
	}
	printf("TAKEBACK rounds=%d (ns per page released)\n", rounds);
	printf("%5s %15s %15s %9s %9s %9s\n", "pages", "old min/median",
	       "new min/median", "A/A old", "A/A new", "new/old");
	for (b = 0; b < NB; b++) {
		double rel[3];

		/*
		 * Paired ratios first (the medians below sort in place): the
		 * median of the even rounds (y second) and of the odd ones
		 * (y first), geometric mean: what the position in the pair
		 * costs cancels.
		 */
		for (k = 0; k < 3; k++) {
			double even, odd;
			int n = 0;

			for (r = 0; r < (unsigned int)rounds; r += 2)
				ratio[n++] = y[b][k][r] / x[b][k][r];
			even = median(ratio, n);
			n = 0;
			for (r = 1; r < (unsigned int)rounds; r += 2)
				ratio[n++] = y[b][k][r] / x[b][k][r];
			odd = n ? median(ratio, n) : even;
			rel[k] = 100.0 * (sqrt(even * odd) - 1);
		}
		printf("%5d", batches[b]);
		for (k = 0; k < 2; k++) {
			double *v = k ? y[b][0] : x[b][0];
			double med = median(v, rounds);

			printf(" %7.0f/%7.0f", v[0], med);
		}
		printf(" %+8.1f%% %+8.1f%% %+8.1f%%\n", rel[1], rel[2], rel[0]);
	}
	printf("TAKEBACK DONE\n");
	return 0;
}
