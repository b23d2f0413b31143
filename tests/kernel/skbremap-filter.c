// SPDX-License-Identifier: GPL-2.0
/*
 * skbremap-filter: the module's filter program (SKBREMAP_IOC_SET_FILTER)
 * checked in the VM against libpcap's verdicts, computed on the host by
 * filter-oracle (tests/kernel/filter-oracle.c) for the same frames.
 *
 *   skbremap-filter <cases file> <tx ifname> <rx ifname> [mode]
 *
 * mode: default, bounce, remap, ring or adaptive (SKBREMAP_MODE_*); a mode
 * the module does not offer (features) is reported as skipped.
 *
 * For every case: install the program, START, send every frame of the mix
 * on <tx> (AF_PACKET), STOP, and read what the capture bound to <rx> got.
 * A frame must arrive exactly when libpcap kept it, cut to libpcap's
 * verdict (and, when the stack held its VLAN tag in metadata, to the
 * verdict minus the tag's 4 bytes, tag reported in the entry). Then the
 * ioctl's refusals, and programs swapped while traffic flows. Prints
 * "SKBREMAP-FILTER PASS" when everything held. Static, no libpcap: it runs
 * in the busybox initramfs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <linux/skbremap.h>
#include <net/if.h>
#include <poll.h>
#include <stdbool.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_FRAMES	1024
#define MAX_CASES	64
#define LINE_MAX_LEN	16384

struct fcase {
	char expr[128];
	int snaplen;
	uint32_t len;
	struct sock_filter *insns;
	uint32_t *verdict;
};

static uint32_t nframes;
static uint8_t *frames[MAX_FRAMES];
static uint32_t frame_len[MAX_FRAMES];
static struct fcase cases[MAX_CASES];
static uint32_t ncases;
static int failures;
static uint64_t tag_in_metadata;	/* entries with SKBREMAP_PKT_VLAN */

static int fd, txsock, txif;
static struct skbremap_layout lay;
static uint8_t *ctl;
static const uint8_t *win;

#define FAIL(...)							\
	do {								\
		failures++;						\
		printf("FILTER-FAIL: " __VA_ARGS__);			\
		printf("\n");						\
	} while (0)

static int load_cases(const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = malloc(LINE_MAX_LEN);
	struct fcase *c = NULL;
	uint32_t i;

	if (!f || !line)
		return -1;
	while (fgets(line, LINE_MAX_LEN, f)) {
		if (!strncmp(line, "frames ", 7)) {
			nframes = (uint32_t)atoi(line + 7);
			if (nframes > MAX_FRAMES)
				return -1;
		} else if (!strncmp(line, "f ", 2)) {
			uint32_t n = (uint32_t)strtoul(line + 2, NULL, 10);
			char *h = strchr(line + 2, ' ');
			static uint32_t fi;

			if (!h || fi >= nframes || n > 9000)
				return -1;
			frames[fi] = malloc(n);
			frame_len[fi] = n;
			for (i = 0; i < n; i++)
				sscanf(h + 1 + 2 * i, "%2hhx", &frames[fi][i]);
			fi++;
		} else if (!strncmp(line, "case ", 5)) {
			char *sp;

			if (ncases >= MAX_CASES)
				return -1;
			c = &cases[ncases++];
			c->snaplen = atoi(line + 5);
			sp = strchr(line + 5, ' ');
			snprintf(c->expr, sizeof(c->expr), "%s", sp ? sp + 1 : "");
			c->expr[strcspn(c->expr, "\n")] = 0;
		} else if (!strncmp(line, "prog ", 5) && c) {
			c->len = (uint32_t)atoi(line + 5);
			c->insns = calloc(c->len, sizeof(*c->insns));
			for (i = 0; i < c->len; i++) {
				unsigned int code, jt, jf, k;

				if (!fgets(line, LINE_MAX_LEN, f) ||
				    sscanf(line, "%u %u %u %u", &code, &jt, &jf,
					   &k) != 4)
					return -1;
				c->insns[i] = (struct sock_filter){
					(uint16_t)code, (uint8_t)jt,
					(uint8_t)jf, k };
			}
		} else if (!strncmp(line, "verdicts", 8) && c) {
			char *p = line + 8;

			c->verdict = calloc(nframes, sizeof(*c->verdict));
			for (i = 0; i < nframes; i++)
				c->verdict[i] = (uint32_t)strtoul(p, &p, 10);
		}
	}
	fclose(f);
	free(line);
	return nframes && ncases ? 0 : -1;
}

static int set_filter(const struct sock_filter *insns, uint32_t len,
		      uint32_t flags)
{
	struct skbremap_filter f = { .len = len, .flags = flags,
				     .insns = (uint64_t)(uintptr_t)insns };

	return ioctl(fd, SKBREMAP_IOC_SET_FILTER, &f) ? -errno : 0;
}

static struct skbremap_stats stats(void)
{
	struct skbremap_stats s;

	memset(&s, 0xff, sizeof(s));
	ioctl(fd, SKBREMAP_IOC_STATS, &s);
	return s;
}

static void check_balanced(const char *when)
{
	struct skbremap_stats s = stats();

	if (s.seen != s.captured + s.filtered + s.drop_queue_full +
		      s.drop_no_window + s.drop_nomem + s.drop_too_big +
		      s.drop_mem_limit)
		FAIL("%s: seen %llu != captured %llu + filtered %llu + drops",
		     when, (unsigned long long)s.seen,
		     (unsigned long long)s.captured,
		     (unsigned long long)s.filtered);
}

static void send_all(void)
{
	struct sockaddr_ll to = { .sll_family = AF_PACKET,
				  .sll_ifindex = txif, .sll_halen = 6 };
	uint32_t i;

	for (i = 0; i < nframes; i++) {
		memcpy(to.sll_addr, frames[i], 6);
		while (sendto(txsock, frames[i], frame_len[i], 0,
			      (struct sockaddr *)&to, sizeof(to)) < 0) {
			if (errno != ENOBUFS && errno != EAGAIN) {
				FAIL("sendto frame %u: %s", i,
				     strerror(errno));
				break;
			}
			usleep(1000);
		}
	}
}

/* Frame index from our source MAC (02:00 + index), or -1 if not ours. */
static int64_t frame_of(const uint8_t *d, uint32_t caplen)
{
	uint32_t idx;

	if (caplen < 12 || d[6] != 0x02 || d[7] != 0x00)
		return -1;
	idx = (uint32_t)d[8] << 24 | d[9] << 16 | d[10] << 8 | d[11];
	return idx < nframes ? (int64_t)idx : -1;
}

/* Take every READY window, check its packets against @c, release it. */
static void drain(const struct fcase *c, uint32_t *got)
{
	struct skbremap_win_ctl *wc = (void *)(ctl + lay.win_ctl_offset);
	uint64_t ps = lay.page_size;
	uint32_t w, i;

	for (w = 0; w < lay.windows; w++) {
		const uint8_t *base = win + (uint64_t)w * lay.win_stride;
		const struct skbremap_info_hdr *h = (const void *)base;
		const struct skbremap_info_entry *ents =
			(const void *)(base + lay.info_hdr_size);

		if (__atomic_load_n(&wc[w].status, __ATOMIC_ACQUIRE) !=
		    SKBREMAP_WIN_READY)
			continue;
		for (i = 0; i < h->count && i < lay.info_entries_max; i++) {
			const struct skbremap_info_entry *e = &ents[i], *d0 = e;
			const uint8_t *d;
			bool tagged = e->flags & SKBREMAP_PKT_VLAN;
			uint32_t v, want_wire, want_cap;
			int64_t idx;

			if (e->flags & SKBREMAP_PKT_SEGMENT || !c)
				continue;	/* a run of a SCATTER head */
			if (e->flags & SKBREMAP_PKT_SCATTER) {
				if (i + 1 >= h->count)
					continue;
				d0 = &ents[i + 1];	/* its first run */
			}
			if (d0->page >= h->pages_used)
				continue;
			d = base + lay.info_pages * ps + d0->page * ps + d0->offset;
			idx = frame_of(d, d0->caplen);
			if (idx < 0)
				continue;	/* IPv6 ND and the like */
			got[idx]++;
			tag_in_metadata += tagged;
			v = c->verdict[idx];
			want_wire = frame_len[idx] - (tagged ? 4 : 0);
			if (tagged)
				v = v > 4 ? v - 4 : v;
			want_cap = v < want_wire ? v : want_wire;
			if (e->wirelen != want_wire || e->caplen != want_cap ||
			    !!(e->flags & SKBREMAP_PKT_TRUNCATED) !=
				    (e->caplen < e->wirelen))
				FAIL("%s: frame %lld: caplen %u wirelen %u "
				     "flags %#x, want caplen %u wirelen %u",
				     c->expr, (long long)idx, e->caplen,
				     e->wirelen, e->flags, want_cap,
				     want_wire);
		}
		__atomic_store_n(&wc[w].status, SKBREMAP_WIN_RELEASED,
				 __ATOMIC_RELEASE);
	}
}

/* Let the worker take back the released windows (poll queues it). */
static void reclaim(void)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	poll(&p, 1, 0);
	usleep(100000);
}

static void run_case(const struct fcase *c)
{
	static uint32_t got[MAX_FRAMES];
	uint32_t i, kept = 0, bad = 0;
	int err;

	memset(got, 0, sizeof(got));
	err = set_filter(c->insns, c->len, 0);
	if (err) {
		FAIL("%s: SET_FILTER %d", c->expr, err);
		return;
	}
	if (ioctl(fd, SKBREMAP_IOC_START)) {
		FAIL("%s: START %d", c->expr, errno);
		return;
	}
	send_all();
	usleep(300000);
	ioctl(fd, SKBREMAP_IOC_STOP);
	drain(c, got);
	reclaim();
	for (i = 0; i < nframes; i++) {
		kept += !!c->verdict[i];
		if (got[i] != !!c->verdict[i]) {
			if (bad++ < 5)
				FAIL("%s: frame %u arrived %u times, libpcap "
				     "verdict %u", c->expr, i, got[i],
				     c->verdict[i]);
		}
	}
	check_balanced(c->expr);
	printf("FILTER %-36s -s %-6d kept %3u of %u%s\n", c->expr, c->snaplen,
	       kept, nframes, bad ? "  MISMATCH" : "");
}

static void refusals(void)
{
	struct sock_filter ja_out[] = { BPF_STMT(BPF_JMP | BPF_JA, 5),
					BPF_STMT(BPF_RET | BPF_K, 1) };
	struct sock_filter no_ret[] = { BPF_STMT(BPF_LD | BPF_H | BPF_ABS,
						 12) };
	struct sock_filter ld_unset[] = { BPF_STMT(BPF_LD | BPF_MEM, 2),
					  BPF_STMT(BPF_RET | BPF_A, 0) };
	struct sock_filter anc[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_PROTOCOL),
		BPF_STMT(BPF_RET | BPF_A, 0) };
	struct sock_filter ret[] = { BPF_STMT(BPF_RET | BPF_K, 0xffff) };
	struct skbremap_filter f = { .len = 1 };
	int err;

#define REFUSE(call, want)						\
	do {								\
		err = (call);						\
		if (err != (want))					\
			FAIL("%s: %d, want %d", #call, err, want);	\
	} while (0)
	REFUSE(set_filter(ja_out, 2, 0), -EINVAL);
	REFUSE(set_filter(no_ret, 1, 0), -EINVAL);
	REFUSE(set_filter(ld_unset, 2, 0), -EINVAL);
	REFUSE(set_filter(anc, 2, 0), -EINVAL);
	REFUSE(set_filter(ret, 1, 1), -EINVAL);
	REFUSE(set_filter(ret, SKBREMAP_MAX_FILTER_INSNS + 1, 0), -EINVAL);
	REFUSE(set_filter(NULL, 1, 0), -EFAULT);
	f.insns = 8;	/* unmapped */
	REFUSE(ioctl(fd, SKBREMAP_IOC_SET_FILTER, &f) ? -errno : 0, -EFAULT);
	REFUSE(ioctl(fd, SKBREMAP_IOC_SET_FILTER, NULL) ? -errno : 0, -EFAULT);
	REFUSE(set_filter(ret, 1, 0), 0);
	REFUSE(set_filter(NULL, 0, 0), 0);	/* removes */
	REFUSE(set_filter(NULL, 0, 0), 0);	/* nothing to remove */
#undef REFUSE
	printf("FILTER refusals checked\n");
}

struct swapper {
	int stop;
	uint64_t swaps, errors;
};

static void *swap_main(void *arg)
{
	struct swapper *s = arg;

	while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE)) {
		const struct fcase *c = &cases[s->swaps % ncases];

		if (set_filter(c->insns, c->len, 0))
			s->errors++;
		s->swaps++;
	}
	return NULL;
}

/* Programs replaced as fast as possible while frames flow: no crash. */
static void swap_while_running(void)
{
	struct swapper s = { 0 };
	pthread_t t;
	int round;

	if (ioctl(fd, SKBREMAP_IOC_START)) {
		FAIL("swap: START %d", errno);
		return;
	}
	pthread_create(&t, NULL, swap_main, &s);
	for (round = 0; round < 5; round++) {
		send_all();
		drain(NULL, NULL);
		reclaim();
	}
	__atomic_store_n(&s.stop, 1, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	ioctl(fd, SKBREMAP_IOC_STOP);
	drain(NULL, NULL);
	reclaim();
	if (s.errors)
		FAIL("swap: %llu SET_FILTER errors",
		     (unsigned long long)s.errors);
	check_balanced("swap");
	printf("FILTER %llu swaps during 5 rounds of %u frames\n",
	       (unsigned long long)s.swaps, nframes);
}

static const struct {
	const char *name;
	uint32_t mode, feature;
} modes[] = {
	{ "default", SKBREMAP_MODE_DEFAULT, 0 },
	{ "bounce", SKBREMAP_MODE_BOUNCE, SKBREMAP_FEAT_BOUNCE },
	{ "remap", SKBREMAP_MODE_REMAP, SKBREMAP_FEAT_REMAP },
	{ "ring", SKBREMAP_MODE_RING, SKBREMAP_FEAT_RING },
	{ "adaptive", SKBREMAP_MODE_ADAPTIVE, SKBREMAP_FEAT_ADAPTIVE },
};

int main(int argc, char **argv)
{
	struct skbremap_config cfg = { .windows = 64, .pages_per_window = 16,
				       .retire_usec = 20000 };
	const char *mode = argc > 4 ? argv[4] : "default";
	struct skbremap_version v;
	struct skbremap_bind b = { 0 };
	uint32_t i, m;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (m = 0; m < sizeof(modes) / sizeof(modes[0]); m++)
		if (!strcmp(mode, modes[m].name))
			break;
	if (argc < 4 || argc > 5 || m == sizeof(modes) / sizeof(modes[0]) ||
	    load_cases(argv[1])) {
		fprintf(stderr,
			"usage: skbremap-filter <cases> <tx> <rx> [mode]\n");
		return 2;
	}
	cfg.mode = modes[m].mode;
	txif = (int)if_nametoindex(argv[2]);
	b.ifindex = (int)if_nametoindex(argv[3]);
	fd = open("/dev/skbremap", O_RDWR);
	txsock = socket(AF_PACKET, SOCK_RAW, 0);
	if (!txif || !b.ifindex || fd < 0 || txsock < 0) {
		perror("skbremap-filter: setup");
		return 2;
	}
	if (ioctl(fd, SKBREMAP_IOC_VERSION, &v) ||
	    !(v.features & SKBREMAP_FEAT_FILTER)) {
		printf("FILTER-FAIL: no SKBREMAP_FEAT_FILTER\n");
		return 1;
	}
	if (modes[m].feature && !(v.features & modes[m].feature)) {
		printf("SKIP: filter mode %s: not offered (features %#x)\n",
		       mode, v.features);
		return 0;
	}
	printf("FILTER mode %s\n", mode);
	if (ioctl(fd, SKBREMAP_IOC_BIND, &b) ||
	    ioctl(fd, SKBREMAP_IOC_CONFIGURE, &cfg) ||
	    ioctl(fd, SKBREMAP_IOC_LAYOUT, &lay)) {
		perror("skbremap-filter: bind/configure/layout");
		return 2;
	}
	ctl = mmap(NULL, lay.ctl_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		   (off_t)lay.ctl_offset);
	win = mmap(NULL, lay.win_size, PROT_READ, MAP_SHARED, fd,
		   (off_t)lay.win_offset);
	if (ctl == MAP_FAILED || win == MAP_FAILED) {
		perror("skbremap-filter: mmap");
		return 2;
	}

	refusals();
	for (i = 0; i < ncases; i++)
		run_case(&cases[i]);
	swap_while_running();
	set_filter(NULL, 0, 0);

	printf("FILTER stats: seen %llu captured %llu filtered %llu; "
	       "%llu checked packets had their VLAN tag in skb metadata\n",
	       (unsigned long long)stats().seen,
	       (unsigned long long)stats().captured,
	       (unsigned long long)stats().filtered,
	       (unsigned long long)tag_in_metadata);
	munmap((void *)win, lay.win_size);
	munmap(ctl, lay.ctl_size);
	close(fd);
	if (failures) {
		printf("SKBREMAP-FILTER FAIL (%d)\n", failures);
		return 1;
	}
	printf("SKBREMAP-FILTER PASS\n");
	return 0;
}
