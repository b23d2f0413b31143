// SPDX-License-Identifier: GPL-2.0
/*
 * skbremap-smoke: drives the real /dev/skbremap (in the VM lane) through
 * the whole ABI, checking every answer. Static, no dependencies.
 *
 *   skbremap-smoke [run]        the full smoke test on lo (default)
 *   skbremap-smoke watch IF S   capture IF ("all" = every interface) for
 *                               S seconds, check every window, count ICMP
 *   skbremap-smoke hold IF      capture IF, never release; for kill -9
 *   skbremap-smoke gone IF DST  capture IF while sending UDP to DST; the
 *                               caller deletes IF after GONE-READY: POLLHUP
 *   skbremap-smoke stress S     flood lo for S seconds with hostile status
 *                               scribbles; every count must balance
 *   skbremap-smoke vlan IF DST VID  capture IF under a VLAN device VID
 *                               while sending UDP to DST: PKT_VLAN, tci
 *   skbremap-smoke global       print the module gauges; exit 0 only when
 *                               nothing but this process's capture is held
 *   skbremap-smoke features     print the module's feature bits
 *   skbremap-smoke bound IF CMD  what a capture that never releases holds
 *                               while CMD sends: bounded, and accounted
 *   skbremap-smoke fork [dofork]  a child never keeps the region (with
 *                               dofork: after MADV_DOFORK, refused)
 *   skbremap-smoke restart IF DST CMD  adaptive capture of IF remapping
 *                               what CMD sends; STOP/START with every
 *                               window held, then UDP to DST byte for byte
 *
 * SMOKE_MODE=bounce|ring|remap|adaptive (or "run MODE") configures that
 * delivery mode (default 0: the module picks), SMOKE_THRESHOLD=N the
 * ADAPTIVE copy_threshold (default 0: calibrated at START), SMOKE_INFO_PAGES=N
 * the info pages per window (default 0: one). A mode the module does not
 * advertise must be refused with EOPNOTSUPP ("MODE SKIP"). Every window is
 * checked by the rules of the paths its entries name: a BOUNCE packet
 * alone in zeroed pages, a RING packet SKBREMAP_RING_ALIGN-aligned; every
 * marked packet's payload intact; captured == bounced + remapped + copied.
 *
 * Prints "SMOKE PASS" (or "... PASS" per mode) on success; every failed
 * check prints "FAIL: ..." and the exit status is 1.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/skbremap.h>

static int failures;

#define CHECK(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			failures++;					\
			printf("FAIL: %s:%d: %s: ", __func__, __LINE__, #cond); \
			printf(__VA_ARGS__);				\
			printf("\n");					\
		}							\
	} while (0)

#define MARKER "skbremap-smoke:"

/*
 * Where the module starts every BOUNCE packet in its first page (as the
 * emulator's SKBREMAP_EMU_BOUNCE_OFFSET): a constant, so that an entry
 * tells user space nothing about kernel addresses. Consumers read
 * entry.offset; this test holds the module to its rule.
 */
#define BOUNCE_OFFSET 2

struct region {
	int fd;
	struct skbremap_layout l;
	uint8_t *ctl;
	uint8_t *win;
	uint64_t last_seq;
	uint64_t packets;
	uint64_t markers;
	uint64_t icmp;
	uint64_t windows;
};

static long page_size;

/*
 * Configured mode (SMOKE_MODE) and ADAPTIVE threshold (SMOKE_THRESHOLD,
 * default 0: calibrated at START), and what the module made of them.
 */
static uint32_t cfg_mode;
static uint32_t cfg_threshold;
static uint32_t cfg_info_pages;	/* SMOKE_INFO_PAGES; 0 = one */
static uint32_t eff_mode;
static uint64_t eff_threshold;

static const char *const mode_names[] = {
	"default", "bounce", "remap", "ring", "adaptive",
};

/* Ring and adaptive keep the data pages mapped from mmap to close. */
static int resident(void)
{
	return eff_mode == SKBREMAP_MODE_RING ||
	       eff_mode == SKBREMAP_MODE_REMAP ||
	       eff_mode == SKBREMAP_MODE_ADAPTIVE;
}

static struct skbremap_win_ctl *win_ctl(struct region *r, uint32_t i)
{
	return (struct skbremap_win_ctl *)(r->ctl + r->l.win_ctl_offset) + i;
}

static uint8_t *win_base(struct region *r, uint32_t i)
{
	return r->win + (uint64_t)i * r->l.win_stride;
}

/* Info pages per window: what CONFIGURE was asked for, 0 meaning one. */
static uint32_t info_pages(void)
{
	return cfg_info_pages ? cfg_info_pages : 1;
}

/* Data page 0 of window @i: after the window's info pages. */
static uint8_t *win_data(struct region *r, uint32_t i)
{
	return win_base(r, i) + (uint64_t)r->l.info_pages * page_size;
}

static int xioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

static sigjmp_buf sigbus_jmp;

static void on_sigbus(int sig)
{
	(void)sig;
	siglongjmp(sigbus_jmp, 1);
}

/* Whether reading *p raises SIGBUS. */
static int read_faults(const volatile uint8_t *p)
{
	struct sigaction sa = { .sa_handler = on_sigbus }, old;
	int faulted = 0;

	sigaction(SIGBUS, &sa, &old);
	if (sigsetjmp(sigbus_jmp, 1))
		faulted = 1;
	else
		(void)*p;
	sigaction(SIGBUS, &old, NULL);
	return faulted;
}

static void print_stats(const char *what, const struct skbremap_stats *s)
{
	printf("%s: mode=%llu threshold=%llu calib_copy_ns=%llu calib_remap_ns=%llu remapped=%llu copied=%llu pages_remapped=%llu\n",
	       what, (unsigned long long)s->mode,
	       (unsigned long long)s->copy_threshold,
	       (unsigned long long)s->calib_copy_ns,
	       (unsigned long long)s->calib_remap_ns,
	       (unsigned long long)s->remapped,
	       (unsigned long long)s->copied,
	       (unsigned long long)s->pages_remapped);
	printf("%s: memlimit=%llu skb_bytes_held=%llu mem_limit=%llu\n", what,
	       (unsigned long long)s->drop_mem_limit,
	       (unsigned long long)s->skb_bytes_held,
	       (unsigned long long)s->mem_limit);
	printf("%s: seen=%llu captured=%llu bytes=%llu wire=%llu qfull=%llu nowin=%llu nomem=%llu toobig=%llu inflight=%llu pub=%llu retired=%llu released=%llu user=%llu bounced=%llu mapped=%llu pages_held=%llu skbs_held=%llu skbs_freed=%llu bad_release=%llu\n",
	       what, (unsigned long long)s->seen,
	       (unsigned long long)s->captured,
	       (unsigned long long)s->captured_bytes,
	       (unsigned long long)s->wire_bytes,
	       (unsigned long long)s->drop_queue_full,
	       (unsigned long long)s->drop_no_window,
	       (unsigned long long)s->drop_nomem,
	       (unsigned long long)s->drop_too_big,
	       (unsigned long long)s->in_flight,
	       (unsigned long long)s->windows_published,
	       (unsigned long long)s->windows_retired,
	       (unsigned long long)s->windows_released,
	       (unsigned long long)s->windows_user,
	       (unsigned long long)s->bounced,
	       (unsigned long long)s->pages_mapped,
	       (unsigned long long)s->pages_held,
	       (unsigned long long)s->skbs_held,
	       (unsigned long long)s->skbs_freed,
	       (unsigned long long)s->bad_release);
}

static void get_stats(struct region *r, struct skbremap_stats *s)
{
	CHECK(xioctl(r->fd, SKBREMAP_IOC_STATS, s) == 0, "STATS");
}

static void get_global(int fd, struct skbremap_global *g)
{
	CHECK(xioctl(fd, SKBREMAP_IOC_GLOBAL, g) == 0, "GLOBAL");
	printf("global: captures=%llu pages_held=%llu skbs_held=%llu mappings=%llu\n",
	       (unsigned long long)g->captures,
	       (unsigned long long)g->pages_held,
	       (unsigned long long)g->skbs_held,
	       (unsigned long long)g->mappings);
}

static int open_dev(void)
{
	int fd = open("/dev/skbremap", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		printf("FAIL: open /dev/skbremap: %s\n", strerror(errno));
		exit(1);
	}
	return fd;
}

static void check_version(int fd)
{
	struct skbremap_version v;

	memset(&v, 0xff, sizeof(v));
	CHECK(xioctl(fd, SKBREMAP_IOC_VERSION, &v) == 0, "VERSION");
	CHECK(v.magic == SKBREMAP_MAGIC, "magic %#x", v.magic);
	CHECK(v.abi_version == SKBREMAP_ABI_VERSION, "abi %u", v.abi_version);
	CHECK(v.page_size == page_size, "page_size %u", v.page_size);
	CHECK(v.features & SKBREMAP_FEAT_BOUNCE, "features %#x", v.features);
	CHECK(!v.reserved[0] && !v.reserved[1], "reserved not zero");
}

static void check_bad_configs(int fd)
{
	struct skbremap_config c;

	memset(&c, 0, sizeof(c));
	c.windows = 1;
	CHECK(xioctl(fd, SKBREMAP_IOC_CONFIGURE, &c) == -EINVAL, "windows=1");
	c.windows = SKBREMAP_MAX_WINDOWS + 1;
	CHECK(xioctl(fd, SKBREMAP_IOC_CONFIGURE, &c) == -EINVAL, "windows");
	memset(&c, 0, sizeof(c));
	c.pages_per_window = SKBREMAP_MAX_PAGES_PER_WINDOW + 1;
	CHECK(xioctl(fd, SKBREMAP_IOC_CONFIGURE, &c) == -EINVAL, "ppw");
	memset(&c, 0, sizeof(c));
	c.snaplen = SKBREMAP_MAX_SNAPLEN + 1;
	CHECK(xioctl(fd, SKBREMAP_IOC_CONFIGURE, &c) == -EINVAL, "snaplen");
	memset(&c, 0, sizeof(c));
	c.retire_usec = SKBREMAP_MAX_RETIRE_USEC + 1;
	CHECK(xioctl(fd, SKBREMAP_IOC_CONFIGURE, &c) == -EINVAL, "retire");
	memset(&c, 0, sizeof(c));
	c.queue_limit = SKBREMAP_MAX_QUEUE_LIMIT + 1;
	CHECK(xioctl(fd, SKBREMAP_IOC_CONFIGURE, &c) == -EINVAL, "queue");
	memset(&c, 0, sizeof(c));
	c.flags = 1;
	CHECK(xioctl(fd, SKBREMAP_IOC_CONFIGURE, &c) == -EINVAL, "flags");
	memset(&c, 0, sizeof(c));
	c.reserved0 = 1;
	CHECK(xioctl(fd, SKBREMAP_IOC_CONFIGURE, &c) == -EINVAL, "reserved");
	memset(&c, 0, sizeof(c));
	c.info_pages = SKBREMAP_MAX_INFO_PAGES + 1;
	CHECK(xioctl(fd, SKBREMAP_IOC_CONFIGURE, &c) == -EINVAL,
	      "info_pages");
	CHECK(xioctl(fd, SKBREMAP_IOC_CONFIGURE, NULL) == -EFAULT, "NULL");
	CHECK(xioctl(fd, _IO(SKBREMAP_IOC_MAGIC, 0x7f), NULL) == -ENOTTY,
	      "unknown ioctl");
}

/* After CONFIGURE: the effective mode is the one asked for (or any). */
static void mode_check(int fd)
{
	struct skbremap_stats s;

	CHECK(xioctl(fd, SKBREMAP_IOC_STATS, &s) == 0, "STATS");
	eff_mode = (uint32_t)s.mode;
	CHECK(eff_mode >= SKBREMAP_MODE_BOUNCE &&
	      eff_mode <= SKBREMAP_MODE_ADAPTIVE, "mode %u", eff_mode);
	CHECK(!cfg_mode || eff_mode == cfg_mode, "mode %u, asked for %u",
	      eff_mode, cfg_mode);
}

/* After START: ADAPTIVE's threshold (calibrated or configured) is known. */
static void threshold_check(int fd)
{
	struct skbremap_stats s;

	CHECK(xioctl(fd, SKBREMAP_IOC_STATS, &s) == 0, "STATS");
	eff_threshold = s.copy_threshold;
	if (eff_mode == SKBREMAP_MODE_ADAPTIVE) {
		CHECK(eff_threshold >= 1 &&
		      eff_threshold <= SKBREMAP_MAX_COPY_THRESHOLD,
		      "threshold %llu", (unsigned long long)eff_threshold);
		CHECK(!cfg_threshold || eff_threshold == cfg_threshold,
		      "threshold %llu, configured %u",
		      (unsigned long long)eff_threshold, cfg_threshold);
		CHECK(!cfg_threshold || !s.calib_copy_ns,
		      "calibrated despite a configured threshold");
		printf("adaptive: threshold %llu, calibration copy %llu ns remap %llu ns per page\n",
		       (unsigned long long)eff_threshold,
		       (unsigned long long)s.calib_copy_ns,
		       (unsigned long long)s.calib_remap_ns);
	} else {
		CHECK(eff_threshold == 0, "threshold %llu outside ADAPTIVE",
		      (unsigned long long)eff_threshold);
	}
}

/* Pool pages a capture holds with nothing in flight. */
static uint64_t idle_pages(const struct region *r)
{
	return (uint64_t)r->l.windows *
	       (info_pages() + (resident() ? r->l.pages_per_window : 0));
}

static void configure(struct region *r, uint32_t windows, uint32_t ppw,
		      uint32_t retire_usec)
{
	struct skbremap_config c;

	memset(&c, 0, sizeof(c));
	c.windows = windows;
	c.pages_per_window = ppw;
	c.retire_usec = retire_usec;
	c.mode = cfg_mode;
	c.copy_threshold = cfg_threshold;
	c.info_pages = cfg_info_pages;
	CHECK(xioctl(r->fd, SKBREMAP_IOC_CONFIGURE, &c) == 0, "CONFIGURE");
	CHECK(xioctl(r->fd, SKBREMAP_IOC_LAYOUT, &r->l) == 0, "LAYOUT");
	mode_check(r->fd);
	CHECK(r->l.windows == windows, "windows %u", r->l.windows);
	CHECK(r->l.pages_per_window == ppw, "ppw %u", r->l.pages_per_window);
	CHECK(r->l.page_size == page_size, "page_size");
	CHECK(r->l.ctl_offset == 0, "ctl_offset");
	CHECK(r->l.ctl_size % page_size == 0 && r->l.ctl_size >=
	      r->l.win_ctl_offset + (uint64_t)windows * r->l.win_ctl_size,
	      "ctl_size %llu", (unsigned long long)r->l.ctl_size);
	CHECK(r->l.win_offset == r->l.ctl_size, "win_offset");
	CHECK(r->l.info_pages == info_pages(), "info_pages %u",
	      r->l.info_pages);
	CHECK(r->l.win_stride == (uint64_t)(ppw + info_pages()) * page_size,
	      "stride");
	CHECK(r->l.win_size == r->l.win_stride * windows, "win_size");
	CHECK(r->l.info_hdr_size == sizeof(struct skbremap_info_hdr), "hdr");
	CHECK(r->l.info_entry_size == sizeof(struct skbremap_info_entry),
	      "entry");
	CHECK(r->l.win_ctl_size == sizeof(struct skbremap_win_ctl), "ctl");
	CHECK(r->l.info_entries_max ==
	      (info_pages() * page_size - sizeof(struct skbremap_info_hdr)) /
	      sizeof(struct skbremap_info_entry), "entries_max");
}

static void check_bad_mmaps(struct region *r)
{
	void *p;

	p = mmap(NULL, r->l.ctl_size + page_size, PROT_READ | PROT_WRITE,
		 MAP_SHARED, r->fd, 0);
	CHECK(p == MAP_FAILED && errno == EINVAL, "ctl too long: %s",
	      strerror(errno));
	p = mmap(NULL, r->l.ctl_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 r->fd, page_size);
	CHECK(p == MAP_FAILED && errno == EINVAL, "ctl wrong offset: %s",
	      strerror(errno));
	p = mmap(NULL, r->l.win_size, PROT_READ, MAP_SHARED, r->fd,
		 r->l.win_offset + page_size);
	CHECK(p == MAP_FAILED && errno == EINVAL, "win wrong offset: %s",
	      strerror(errno));
	p = mmap(NULL, r->l.win_size - page_size, PROT_READ, MAP_SHARED,
		 r->fd, r->l.win_offset);
	CHECK(p == MAP_FAILED && errno == EINVAL, "win too short: %s",
	      strerror(errno));
	p = mmap(NULL, r->l.win_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 r->fd, r->l.win_offset);
	CHECK(p == MAP_FAILED && (errno == EPERM || errno == EACCES),
	      "win writable: %s", strerror(errno));
	p = mmap(NULL, r->l.win_size, PROT_READ, MAP_PRIVATE, r->fd,
		 r->l.win_offset);
	CHECK(p == MAP_FAILED && errno == EINVAL, "win private: %s",
	      strerror(errno));
	p = mmap(NULL, r->l.ctl_size, PROT_READ | PROT_WRITE, MAP_PRIVATE,
		 r->fd, 0);
	CHECK(p == MAP_FAILED && errno == EINVAL, "ctl private: %s",
	      strerror(errno));
}

static void map_region(struct region *r)
{
	struct skbremap_ctl_hdr *h;

	r->ctl = mmap(NULL, r->l.ctl_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      r->fd, 0);
	CHECK(r->ctl != MAP_FAILED, "mmap ctl: %s", strerror(errno));
	r->win = mmap(NULL, r->l.win_size, PROT_READ, MAP_SHARED, r->fd,
		      r->l.win_offset);
	CHECK(r->win != MAP_FAILED, "mmap windows: %s", strerror(errno));
	if (r->ctl == MAP_FAILED || r->win == MAP_FAILED)
		exit(1);

	h = (struct skbremap_ctl_hdr *)r->ctl;
	CHECK(h->magic == SKBREMAP_MAGIC, "ctl magic");
	CHECK(h->abi_version == SKBREMAP_ABI_VERSION, "ctl abi");
	CHECK(h->windows == r->l.windows, "ctl windows");
	CHECK(h->pages_per_window == r->l.pages_per_window, "ctl ppw");
}

static int is_zero(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return 0;
	return 1;
}

static void check_mapped_rules(struct region *r)
{
	struct skbremap_config c;
	void *p;

	CHECK(mprotect(r->win, r->l.win_size, PROT_READ | PROT_WRITE) != 0 &&
	      errno == EACCES, "mprotect windows writable: %s",
	      strerror(errno));
	/* The VMAs cannot be split: no partial munmap or mprotect. */
	CHECK(munmap(win_data(r, 0), page_size) != 0 && errno == EINVAL,
	      "partial munmap: %s", strerror(errno));
	p = mmap(NULL, r->l.ctl_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 r->fd, 0);
	CHECK(p == MAP_FAILED && errno == EBUSY, "second ctl mmap: %s",
	      strerror(errno));
	memset(&c, 0, sizeof(c));
	CHECK(xioctl(r->fd, SKBREMAP_IOC_CONFIGURE, &c) == -EBUSY,
	      "CONFIGURE after mmap");
	/*
	 * An unpublished data slot is not mapped: SIGBUS, not kernel data;
	 * resident pages are mapped from the start, zeroed.
	 */
	if (resident())
		CHECK(!read_faults(win_data(r, 0)) &&
		      is_zero(win_data(r, 0), page_size),
		      "resident slot unreadable or not zero");
	else
		CHECK(read_faults(win_data(r, 0)),
		      "empty slot readable");
	/* Info pages are there (zeroed until used), every one of them. */
	CHECK(!read_faults(win_base(r, 0)), "info page faults");
	CHECK(!read_faults(win_data(r, 0) - page_size) &&
	      is_zero(win_data(r, 0) - page_size, page_size),
	      "last info page faults or is not zero");
}

/* The path the effective mode gives a packet (no packet on lo qualifies
 * for REMAP: its data is in the linear head or in shared page frags).
 */
static uint8_t expected_path(uint32_t caplen)
{
	switch (eff_mode) {
	case SKBREMAP_MODE_RING:
		return SKBREMAP_PATH_RING;
	case SKBREMAP_MODE_ADAPTIVE:
		return caplen < eff_threshold ? SKBREMAP_PATH_RING :
						SKBREMAP_PATH_BOUNCE;
	default:
		return SKBREMAP_PATH_BOUNCE;
	}
}

/* Checks one READY window as a hostile-proof consumer would, counts it. */
static void check_window(struct region *r, uint32_t w)
{
	const struct skbremap_win_ctl *ctl = win_ctl(r, w);
	const uint8_t *base = win_base(r, w), *data = win_data(r, w);
	const struct skbremap_info_hdr *h = (const void *)base;
	const struct skbremap_info_entry *e = (const void *)(h + 1);
	uint64_t span, seq = ctl->seq;
	uint32_t i;

	CHECK(h->magic == SKBREMAP_INFO_MAGIC, "w%u info magic %#x", w,
	      h->magic);
	CHECK(h->abi_version == SKBREMAP_ABI_VERSION, "w%u abi", w);
	CHECK(h->seq == seq, "w%u seq %llu vs ctl %llu", w,
	      (unsigned long long)h->seq, (unsigned long long)seq);
	CHECK(seq > r->last_seq, "w%u seq %llu after %llu", w,
	      (unsigned long long)seq, (unsigned long long)r->last_seq);
	r->last_seq = seq;
	CHECK(h->window == w, "w%u window %u", w, h->window);
	CHECK(h->count >= 1 && h->count <= r->l.info_entries_max,
	      "w%u count %u", w, h->count);
	CHECK(h->pages_used >= 1 && h->pages_used <= r->l.pages_per_window,
	      "w%u pages_used %u", w, h->pages_used);
	if (h->count > r->l.info_entries_max ||
	    h->pages_used > r->l.pages_per_window)
		return;
	r->windows++;
	for (i = 0; i < h->count; i++, e++) {
		span = (uint64_t)e->page * page_size + e->offset + e->caplen;
		CHECK(e->page < h->pages_used && e->offset < page_size &&
		      e->caplen && span <= (uint64_t)h->pages_used * page_size,
		      "w%u e%u page %u offset %u caplen %u", w, i, e->page,
		      e->offset, e->caplen);
		if (!(e->page < h->pages_used && span <=
		      (uint64_t)h->pages_used * page_size))
			continue;
		CHECK(e->caplen <= e->wirelen, "caplen > wirelen");
		CHECK(e->path == expected_path(e->caplen), "w%u e%u path %u (mode %u, caplen %u)",
		      w, i, e->path, eff_mode, e->caplen);
		CHECK(e->tstamp_ns > 1000000000ULL * 1000000, "tstamp %llu",
		      (unsigned long long)e->tstamp_ns);
		CHECK(!e->reserved && !e->segments, "entry reserved");
		if (e->path == SKBREMAP_PATH_BOUNCE) {
			/*
			 * At the module's fixed offset: never the low bits
			 * of the skb's (slab) address.
			 */
			CHECK(e->offset == BOUNCE_OFFSET,
			      "w%u e%u bounce offset %u, not %u", w, i,
			      e->offset, BOUNCE_OFFSET);
			/* Bounce pages are zeroed: no byte before or after it. */
			CHECK(is_zero(data + (uint64_t)e->page * page_size,
				      e->offset),
			      "w%u e%u bytes before the packet", w, i);
			CHECK(is_zero(data + span, (page_size - span % page_size) %
				      page_size),
			      "w%u e%u bytes after the packet", w, i);
		} else if (e->path == SKBREMAP_PATH_RING) {
			CHECK(e->offset % SKBREMAP_RING_ALIGN == 0,
			      "w%u e%u ring offset %u", w, i, e->offset);
		}
		r->packets++;
		if (e->caplen > 14 + 20 + 8 + sizeof(MARKER) - 1 &&
		    !memcmp(data + e->page * page_size + e->offset + 42,
			    MARKER, sizeof(MARKER) - 1)) {
			const uint8_t *pl = data + e->page * page_size +
					    e->offset + 42 + sizeof(MARKER) - 1;
			size_t k, n = e->caplen - 42 - (sizeof(MARKER) - 1);

			/* send_marked()'s payload: the marker, then 0x5a. */
			for (k = 0; k < n && pl[k] == 0x5a; k++)
				;
			CHECK(k == n, "w%u e%u payload byte %zu of %zu is %#x",
			      w, i, k, n, pl[k]);
			r->markers++;
		}
		if (e->protocol == htons(ETH_P_IP) && e->caplen > 14 + 20 &&
		    data[e->page * page_size + e->offset + 14 + 9] == 1)
			r->icmp++;
	}
}

/* Consumes every READY window in seq order; returns how many. */
static int consume(struct region *r, int timeout_ms, int release)
{
	struct pollfd pfd = { .fd = r->fd, .events = POLLIN };
	uint32_t w, best, status;
	uint64_t seq, best_seq;
	int n = 0;

	poll(&pfd, 1, timeout_ms);
	for (;;) {
		best = r->l.windows;
		best_seq = UINT64_MAX;
		for (w = 0; w < r->l.windows; w++) {
			status = __atomic_load_n(&win_ctl(r, w)->status,
						 __ATOMIC_ACQUIRE);
			seq = win_ctl(r, w)->seq;
			if (status == SKBREMAP_WIN_READY && seq > r->last_seq &&
			    seq < best_seq) {
				best = w;
				best_seq = seq;
			}
		}
		if (best == r->l.windows)
			return n;
		check_window(r, best);
		n++;
		if (release)
			__atomic_store_n(&win_ctl(r, best)->status,
					 SKBREMAP_WIN_RELEASED,
					 __ATOMIC_RELEASE);
	}
}

static int udp_pair(int *rx, struct sockaddr_in *to)
{
	socklen_t len = sizeof(*to);
	int tx;

	*rx = socket(AF_INET, SOCK_DGRAM, 0);
	tx = socket(AF_INET, SOCK_DGRAM, 0);
	memset(to, 0, sizeof(*to));
	to->sin_family = AF_INET;
	to->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (*rx < 0 || tx < 0 || bind(*rx, (void *)to, sizeof(*to)) ||
	    getsockname(*rx, (void *)to, &len)) {
		printf("FAIL: udp socket: %s\n", strerror(errno));
		exit(1);
	}
	return tx;
}

static void send_marked(int tx, const struct sockaddr_in *to, size_t size)
{
	static char buf[9000];

	memset(buf, 0x5a, sizeof(buf));
	memcpy(buf, MARKER, sizeof(MARKER) - 1);
	if (size < sizeof(MARKER) - 1)
		size = sizeof(MARKER) - 1;
	if (sendto(tx, buf, size, 0, (const void *)to, sizeof(*to)) < 0)
		printf("sendto: %s\n", strerror(errno));
}

static void check_balanced(const struct skbremap_stats *s)
{
	uint64_t drops = s->filtered + s->drop_queue_full +
			 s->drop_no_window + s->drop_nomem + s->drop_too_big +
			 s->drop_mem_limit;

	CHECK(s->seen == s->captured + drops, "seen %llu != captured %llu + drops %llu",
	      (unsigned long long)s->seen, (unsigned long long)s->captured,
	      (unsigned long long)drops);
	CHECK(s->captured == s->bounced + s->remapped + s->copied,
	      "captured %llu != bounced %llu + remapped %llu + copied %llu",
	      (unsigned long long)s->captured, (unsigned long long)s->bounced,
	      (unsigned long long)s->remapped, (unsigned long long)s->copied);
	CHECK(s->mode == eff_mode, "mode %llu", (unsigned long long)s->mode);
	CHECK(s->in_flight == 0, "in_flight %llu",
	      (unsigned long long)s->in_flight);
}

static int start_capture(struct region *r, const char *ifname);
static void check_unmap_midway(void);

static int run_smoke(void)
{
	struct region r = { .fd = open_dev() };
	struct skbremap_stats s;
	struct skbremap_global g;
	struct skbremap_bind b;
	struct skbremap_capture_info ci;
	struct sockaddr_in to;
	int rx, tx, i, round, fd2;
	uint32_t w;

	check_version(r.fd);
	check_bad_configs(r.fd);
	configure(&r, 4, 16, 20000);

	memset(&b, 0, sizeof(b));
	b.ifindex = 0x7ffffff0;
	CHECK(xioctl(r.fd, SKBREMAP_IOC_BIND, &b) == -ENODEV, "bind unknown");
	b.ifindex = 0;
	b.flags = 1;
	CHECK(xioctl(r.fd, SKBREMAP_IOC_BIND, &b) == -EINVAL, "bind flags");
	b.flags = 0;
	b.ifindex = if_nametoindex("lo");
	CHECK(b.ifindex > 0, "no lo");
	CHECK(xioctl(r.fd, SKBREMAP_IOC_BIND, &b) == 0, "BIND lo");
	CHECK(xioctl(r.fd, SKBREMAP_IOC_START, NULL) == -EINVAL,
	      "START before mmap");

	check_bad_mmaps(&r);
	map_region(&r);
	check_mapped_rules(&r);

	CHECK(xioctl(r.fd, SKBREMAP_IOC_START, NULL) == 0, "START");
	threshold_check(r.fd);
	CHECK(xioctl(r.fd, SKBREMAP_IOC_START, NULL) == -EBUSY, "START twice");
	CHECK(xioctl(r.fd, SKBREMAP_IOC_BIND, &b) == -EBUSY, "BIND running");

	tx = udp_pair(&rx, &to);
	for (round = 0; round < 20; round++) {
		for (i = 0; i < 10; i++)
			send_marked(tx, &to, 1 + (round * 10 + i) * 41 % 8000);
		for (i = 0; i < 5; i++)
			consume(&r, 50, 1);
	}

	/* A scribbled status word is counted, never trusted. */
	send_marked(tx, &to, 100);
	for (i = 0; i < 50; i++) {
		for (w = 0; w < r.l.windows; w++)
			if (__atomic_load_n(&win_ctl(&r, w)->status,
					    __ATOMIC_ACQUIRE) ==
			    SKBREMAP_WIN_READY)
				break;
		if (w < r.l.windows)
			break;
		usleep(10000);
	}
	CHECK(w < r.l.windows, "no window for the garbage test");
	if (w < r.l.windows) {
		win_ctl(&r, w)->status = 0xdeadbeef;
		send_marked(tx, &to, 100);	/* runs the worker */
		usleep(100000);
		get_stats(&r, &s);
		CHECK(s.bad_release >= 1, "bad_release %llu",
		      (unsigned long long)s.bad_release);
		CHECK(s.windows_user >= 1, "garbage window taken back");
		__atomic_store_n(&win_ctl(&r, w)->status, SKBREMAP_WIN_READY,
				 __ATOMIC_RELEASE);
	}

	CHECK(xioctl(r.fd, SKBREMAP_IOC_STOP, NULL) == 0, "STOP");
	get_stats(&r, &s);
	print_stats("after STOP", &s);
	check_balanced(&s);
	for (i = 0; i < 5; i++)
		consume(&r, 20, 1);
	poll(&(struct pollfd){ .fd = r.fd, .events = POLLIN }, 1, 0);
	usleep(200000);
	get_stats(&r, &s);
	print_stats("after release", &s);
	check_balanced(&s);
	CHECK(s.windows_user == 0, "windows_user %llu",
	      (unsigned long long)s.windows_user);
	CHECK(s.skbs_held == 0, "skbs_held %llu",
	      (unsigned long long)s.skbs_held);
	CHECK(s.pages_held == idle_pages(&r), "pages_held %llu (idle)",
	      (unsigned long long)s.pages_held);
	CHECK(s.captured == r.packets, "captured %llu, parsed %llu",
	      (unsigned long long)s.captured,
	      (unsigned long long)r.packets);
	CHECK(r.markers >= 100, "marked packets %llu",
	      (unsigned long long)r.markers);
	CHECK(s.windows_published == s.windows_released,
	      "published %llu released %llu",
	      (unsigned long long)s.windows_published,
	      (unsigned long long)s.windows_released);
	printf("parsed %llu packets (%llu marked) in %llu windows\n",
	       (unsigned long long)r.packets, (unsigned long long)r.markers,
	       (unsigned long long)r.windows);

	memset(&ci, 0, sizeof(ci));
	CHECK(xioctl(r.fd, SKBREMAP_IOC_CAPTURES, &ci) == 0, "CAPTURES 0");
	CHECK(ci.pid == getpid() || ci.pid != 0, "pid %d", ci.pid);
	CHECK(ci.windows == r.l.windows && ci.windows_free == r.l.windows,
	      "capture windows %u free %u", ci.windows, ci.windows_free);
	ci.index = 1000;
	CHECK(xioctl(r.fd, SKBREMAP_IOC_CAPTURES, &ci) == -ENOENT,
	      "CAPTURES 1000");

	get_global(r.fd, &g);
	CHECK(g.mappings >= 2, "mappings %llu", (unsigned long long)g.mappings);
	munmap(r.ctl, r.l.ctl_size);
	munmap(r.win, r.l.win_size);
	close(r.fd);
	close(tx);
	close(rx);

	check_unmap_midway();

	fd2 = open_dev();
	get_global(fd2, &g);
	CHECK(g.captures == 1 && g.pages_held == 0 && g.skbs_held == 0 &&
	      g.mappings == 0, "gauges not back to zero");
	close(fd2);

	if (failures) {
		printf("SMOKE FAIL (%d)\n", failures);
		return 1;
	}
	printf("SMOKE PASS\n");
	return 0;
}

static int start_capture(struct region *r, const char *ifname)
{
	struct skbremap_bind b;

	r->fd = open_dev();
	check_version(r->fd);
	configure(r, 16, 64, 10000);
	memset(&b, 0, sizeof(b));
	if (strcmp(ifname, "all")) {
		b.ifindex = if_nametoindex(ifname);
		CHECK(b.ifindex > 0, "no interface %s", ifname);
	}
	CHECK(xioctl(r->fd, SKBREMAP_IOC_BIND, &b) == 0, "BIND %s", ifname);
	map_region(r);
	CHECK(xioctl(r->fd, SKBREMAP_IOC_START, NULL) == 0, "START");
	threshold_check(r->fd);
	return failures;
}

static int run_watch(const char *ifname, int seconds)
{
	struct region r = { 0 };
	struct skbremap_stats s;
	time_t end;

	if (start_capture(&r, ifname))
		return 1;
	end = time(NULL) + seconds;
	while (time(NULL) < end)
		consume(&r, 100, 1);
	CHECK(xioctl(r.fd, SKBREMAP_IOC_STOP, NULL) == 0, "STOP");
	while (consume(&r, 50, 1))
		;
	get_stats(&r, &s);
	print_stats("watch", &s);
	check_balanced(&s);
	printf("watch: parsed %llu packets, %llu ICMP, %llu windows\n",
	       (unsigned long long)r.packets, (unsigned long long)r.icmp,
	       (unsigned long long)r.windows);
	CHECK(s.captured == r.packets, "captured %llu parsed %llu",
	      (unsigned long long)s.captured, (unsigned long long)r.packets);
	if (failures) {
		printf("WATCH FAIL (%d)\n", failures);
		return 1;
	}
	printf("WATCH PASS\n");
	return 0;
}

/*
 * Captures and never releases: every window ends with user space, more
 * traffic is dropped (no window) or queued, and the process waits to be
 * killed: the state kill -9 must clean up.
 */
static int run_hold(const char *ifname)
{
	struct region r = { 0 };
	struct skbremap_stats s;
	struct sockaddr_in to;
	int rx, tx, i;

	if (start_capture(&r, ifname))
		return 1;
	tx = udp_pair(&rx, &to);
	for (i = 0; i < 3000; i++)
		send_marked(tx, &to, 1 + i * 97 % 8000);
	for (i = 0; i < 10; i++)
		consume(&r, 100, 0);
	get_stats(&r, &s);
	print_stats("hold", &s);
	CHECK(s.windows_user == r.l.windows, "windows_user %llu",
	      (unsigned long long)s.windows_user);
	CHECK(s.drop_no_window > 0, "no drop_no_window");
	printf("HOLDING\n");
	fflush(stdout);
	for (;;)
		pause();
}

/*
 * The windows part unmapped mid-capture (fd still open): nothing can show
 * the packets any more, so the module drops and returns everything.
 */
static void check_unmap_midway(void)
{
	struct region r = { 0 };
	struct skbremap_stats s;
	struct sockaddr_in to;
	int rx, tx, i;

	if (start_capture(&r, "lo"))
		return;
	tx = udp_pair(&rx, &to);
	for (i = 0; i < 50; i++)
		send_marked(tx, &to, 1 + i * 131 % 8000);
	usleep(100000);
	CHECK(munmap(r.win, r.l.win_size) == 0, "munmap windows");
	for (i = 0; i < 50; i++)
		send_marked(tx, &to, 1 + i * 131 % 8000);
	CHECK(xioctl(r.fd, SKBREMAP_IOC_STOP, NULL) == 0, "STOP");
	get_stats(&r, &s);
	print_stats("unmapped", &s);
	check_balanced(&s);
	CHECK(s.windows_user == 0 && s.skbs_held == 0 &&
	      s.pages_held == idle_pages(&r),
	      "unmapped capture still holds windows/skbs/pages");
	CHECK(s.drop_no_window > 0, "no drops after munmap");
	CHECK(xioctl(r.fd, SKBREMAP_IOC_START, NULL) == -EINVAL,
	      "START without windows mapping");
	munmap(r.ctl, r.l.ctl_size);
	close(r.fd);
	close(tx);
	close(rx);
}

/*
 * The bound interface goes away (the script deletes it after GONE-READY):
 * poll says POLLERR | POLLHUP, the capture is stopped with its part-full
 * window flushed, START says ENODEV, everything is returned on release.
 */
static int run_gone(const char *ifname, const char *dst)
{
	struct region r = { 0 };
	struct skbremap_stats s;
	struct sockaddr_in to;
	struct pollfd pfd;
	int tx, i;

	if (start_capture(&r, ifname))
		return 1;
	tx = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_port = htons(9);
	inet_pton(AF_INET, dst, &to.sin_addr);
	for (i = 0; i < 20; i++)
		send_marked(tx, &to, 200);
	for (i = 0; i < 5; i++)
		consume(&r, 50, 1);
	CHECK(r.packets > 0, "nothing captured on %s", ifname);
	for (i = 0; i < 20; i++)
		send_marked(tx, &to, 300);
	printf("GONE-READY\n");
	fflush(stdout);
	for (i = 0; i < 300; i++) {
		pfd.fd = r.fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		poll(&pfd, 1, 100);
		if (pfd.revents & POLLHUP)
			break;
		consume(&r, 0, 1);
	}
	CHECK(pfd.revents & POLLHUP, "no POLLHUP");
	CHECK(pfd.revents & POLLERR, "no POLLERR");
	CHECK(xioctl(r.fd, SKBREMAP_IOC_STOP, NULL) == 0, "STOP");
	while (consume(&r, 50, 1))
		;
	poll(&pfd, 1, 0);
	usleep(200000);
	get_stats(&r, &s);
	print_stats("gone", &s);
	check_balanced(&s);
	CHECK(s.skbs_held == 0 && s.windows_user == 0, "not all returned");
	CHECK(xioctl(r.fd, SKBREMAP_IOC_START, NULL) == -ENODEV,
	      "START after the interface went");
	close(tx);
	munmap(r.ctl, r.l.ctl_size);
	munmap(r.win, r.l.win_size);
	close(r.fd);
	if (failures) {
		printf("GONE FAIL (%d)\n", failures);
		return 1;
	}
	printf("GONE PASS\n");
	return 0;
}

/*
 * Load with hostile scribbles: a child floods UDP on lo for S seconds
 * while the parent consumes, releasing late, and writes garbage into the
 * status words of windows the kernel owns. The queue limit is small, so
 * every drop reason but too_big shows up. At the end every count balances
 * and everything is returned.
 */
static int run_stress(int seconds)
{
	struct region r = { 0 };
	struct skbremap_config c;
	struct skbremap_bind b;
	struct skbremap_stats s;
	struct sockaddr_in to;
	int rx, tx, i, round = 0;
	uint32_t w, expect;
	time_t end;
	pid_t child;

	r.fd = open_dev();
	memset(&c, 0, sizeof(c));
	c.windows = 4;
	c.pages_per_window = 8;
	c.queue_limit = 64;
	c.retire_usec = 1000;
	c.snaplen = 3000;
	c.mode = cfg_mode;
	c.copy_threshold = cfg_threshold;
	c.info_pages = cfg_info_pages;
	CHECK(xioctl(r.fd, SKBREMAP_IOC_CONFIGURE, &c) == 0, "CONFIGURE");
	CHECK(xioctl(r.fd, SKBREMAP_IOC_LAYOUT, &r.l) == 0, "LAYOUT");
	mode_check(r.fd);
	memset(&b, 0, sizeof(b));
	CHECK(xioctl(r.fd, SKBREMAP_IOC_BIND, &b) == 0, "BIND all");
	map_region(&r);
	CHECK(xioctl(r.fd, SKBREMAP_IOC_START, NULL) == 0, "START");
	threshold_check(r.fd);

	tx = udp_pair(&rx, &to);
	child = fork();
	if (child == 0) {
		end = time(NULL) + seconds;
		for (i = 0; time(NULL) < end; i++)
			send_marked(tx, &to, 1 + i * 577 % 8000);
		_exit(0);
	}
	end = time(NULL) + seconds;
	while (time(NULL) < end) {
		consume(&r, 10, round % 3 != 0);
		if (round % 3 == 0) {
			usleep(2000);
			for (w = 0; w < r.l.windows; w++)
				if (__atomic_load_n(&win_ctl(&r, w)->status,
						    __ATOMIC_ACQUIRE) ==
				    SKBREMAP_WIN_READY)
					__atomic_store_n(&win_ctl(&r, w)->status,
							 SKBREMAP_WIN_RELEASED,
							 __ATOMIC_RELEASE);
		}
		/*
		 * Scribble on a window the kernel owns: must change nothing.
		 * Compare-and-swap, so that a window the kernel publishes
		 * between our read and our write (the direct path publishes
		 * from the packet hook at any moment) keeps its READY and is
		 * not lost to the scribble.
		 */
		w = round % r.l.windows;
		expect = SKBREMAP_WIN_KERNEL;
		__atomic_compare_exchange_n(&win_ctl(&r, w)->status, &expect,
					    round % 2 ? SKBREMAP_WIN_RELEASED :
							0x12345678,
					    0, __ATOMIC_RELAXED,
					    __ATOMIC_RELAXED);
		round++;
	}
	waitpid(child, NULL, 0);
	CHECK(xioctl(r.fd, SKBREMAP_IOC_STOP, NULL) == 0, "STOP");
	/* Undo the scribbles so that every published window is releasable. */
	for (w = 0; w < r.l.windows; w++)
		if (win_ctl(&r, w)->status != SKBREMAP_WIN_READY)
			win_ctl(&r, w)->status = SKBREMAP_WIN_KERNEL;
	r.last_seq = 0;
	while (consume(&r, 50, 1))
		;
	poll(&(struct pollfd){ .fd = r.fd, .events = POLLIN }, 1, 0);
	usleep(300000);
	get_stats(&r, &s);
	print_stats("stress", &s);
	check_balanced(&s);
	CHECK(s.windows_user == 0 && s.skbs_held == 0 &&
	      s.pages_held == idle_pages(&r), "not all returned");
	CHECK(s.captured > 0, "nothing captured");
	close(tx);
	close(rx);
	munmap(r.ctl, r.l.ctl_size);
	munmap(r.win, r.l.win_size);
	close(r.fd);
	if (failures) {
		printf("STRESS FAIL (%d)\n", failures);
		return 1;
	}
	printf("STRESS PASS\n");
	return 0;
}

/*
 * A VLAN tag that the device keeps in skb metadata (veth under a VLAN
 * device) is reported in the info entry, as AF_PACKET's auxdata does.
 */
static int run_vlan(const char *ifname, const char *dst, int vid)
{
	struct region r = { 0 };
	const struct skbremap_info_hdr *h;
	const struct skbremap_info_entry *e;
	struct sockaddr_in to;
	int tx, i, tagged = 0;
	uint32_t w, k;

	if (start_capture(&r, ifname))
		return 1;
	tx = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_port = htons(9);
	inet_pton(AF_INET, dst, &to.sin_addr);
	for (i = 0; i < 20 && !tagged; i++) {
		send_marked(tx, &to, 100);
		poll(&(struct pollfd){ .fd = r.fd, .events = POLLIN }, 1, 100);
		for (w = 0; w < r.l.windows; w++) {
			if (__atomic_load_n(&win_ctl(&r, w)->status,
					    __ATOMIC_ACQUIRE) !=
			    SKBREMAP_WIN_READY)
				continue;
			h = (const void *)win_base(&r, w);
			e = (const void *)(h + 1);
			for (k = 0; k < h->count &&
			     k < r.l.info_entries_max; k++, e++) {
				if (!(e->flags & SKBREMAP_PKT_VLAN))
					continue;
				printf("vlan: tci %#x proto %#x len %u\n",
				       e->vlan_tci, ntohs(e->vlan_proto),
				       e->caplen);
				CHECK((e->vlan_tci & 0xfff) == vid,
				      "tci %#x", e->vlan_tci);
				CHECK(e->vlan_proto == htons(ETH_P_8021Q),
				      "proto %#x", ntohs(e->vlan_proto));
				tagged++;
			}
			__atomic_store_n(&win_ctl(&r, w)->status,
					 SKBREMAP_WIN_RELEASED,
					 __ATOMIC_RELEASE);
		}
	}
	CHECK(tagged > 0, "no packet with SKBREMAP_PKT_VLAN on %s", ifname);
	CHECK(xioctl(r.fd, SKBREMAP_IOC_STOP, NULL) == 0, "STOP");
	close(tx);
	close(r.fd);
	if (failures) {
		printf("VLAN FAIL (%d)\n", failures);
		return 1;
	}
	printf("VLAN PASS\n");
	return 0;
}

/* READY windows with user space, waiting up to @ms for @want of them. */
static uint32_t wait_ready(struct region *r, uint32_t want, int ms)
{
	uint32_t w, n = 0;

	for (; ms > 0; ms -= 50) {
		n = 0;
		for (w = 0; w < r->l.windows; w++)
			n += __atomic_load_n(&win_ctl(r, w)->status,
					     __ATOMIC_ACQUIRE) ==
			     SKBREMAP_WIN_READY;
		if (n >= want)
			break;
		usleep(50000);
	}
	return n;
}

/*
 * STOP and START again while user space holds windows whose slots showed
 * remapped skb pages: the capture must go on delivering the right bytes.
 * An adaptive capture with a calibrated threshold the remap path may take
 * (the scenario sets the test_calibrated_threshold parameter; TCG's own
 * calibration never picks one), bound to IF: @traffic (a shell command)
 * sends remappable frames to it until every window is with user space;
 * then STOP, START, release them all, and marked UDP to DST must arrive
 * byte for byte in the windows that showed skb pages before.
 */
static int run_restart(const char *ifname, const char *dst,
		       const char *traffic)
{
	struct region r = { 0 };
	struct skbremap_stats s;
	struct skbremap_bind b;
	struct sockaddr_in to;
	uint32_t w, threshold;
	int tx, i, sent = 0;

	cfg_mode = SKBREMAP_MODE_ADAPTIVE;
	cfg_threshold = 0;
	r.fd = open_dev();
	/* Four slots: a 2-frag frame (copied head, two remapped pages) each. */
	configure(&r, 4, 4, 10000);
	memset(&b, 0, sizeof(b));
	b.ifindex = if_nametoindex(ifname);
	CHECK(b.ifindex > 0, "no interface %s", ifname);
	CHECK(xioctl(r.fd, SKBREMAP_IOC_BIND, &b) == 0, "BIND %s", ifname);
	map_region(&r);
	CHECK(xioctl(r.fd, SKBREMAP_IOC_START, NULL) == 0, "START");
	threshold_check(r.fd);
	threshold = (uint32_t)eff_threshold;
	CHECK(threshold <= (uint32_t)page_size,
	      "calibrated threshold %u: cannot remap (test_calibrated_threshold not set?)",
	      threshold);
	if (failures)
		return 1;

	CHECK(system(traffic) == 0, "traffic command failed: %s", traffic);
	CHECK(wait_ready(&r, r.l.windows, 5000) == r.l.windows,
	      "not every window with user space");
	get_stats(&r, &s);
	print_stats("held", &s);
	CHECK(s.remapped >= 1, "nothing remapped: the test proves nothing");
	CHECK(s.windows_user == r.l.windows, "windows_user %llu",
	      (unsigned long long)s.windows_user);

	/* Restarted with every window held: nothing FREE to calibrate on. */
	CHECK(xioctl(r.fd, SKBREMAP_IOC_STOP, NULL) == 0, "STOP");
	CHECK(xioctl(r.fd, SKBREMAP_IOC_START, NULL) == 0, "START again");
	get_stats(&r, &s);
	print_stats("restarted", &s);
	eff_threshold = s.copy_threshold;
	CHECK(s.copy_threshold == threshold,
	      "threshold %llu after the restart, %u before",
	      (unsigned long long)s.copy_threshold, threshold);

	for (w = 0; w < r.l.windows; w++) {
		r.last_seq = win_ctl(&r, w)->seq > r.last_seq ?
			     win_ctl(&r, w)->seq : r.last_seq;
		__atomic_store_n(&win_ctl(&r, w)->status,
				 SKBREMAP_WIN_RELEASED, __ATOMIC_RELEASE);
	}
	poll(&(struct pollfd){ .fd = r.fd, .events = POLLIN }, 1, 0);

	/* Ring-sized packets, packed over every slot of every window. */
	tx = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_port = htons(9);
	CHECK(inet_pton(AF_INET, dst, &to.sin_addr) == 1, "address %s", dst);
	for (i = 0; i < 60; i++) {
		send_marked(tx, &to, 300 + i * 97 % 2500);
		sent++;
		if (i % 6 == 5)
			consume(&r, 20, 1);
	}
	CHECK(xioctl(r.fd, SKBREMAP_IOC_STOP, NULL) == 0, "STOP");
	for (i = 0; i < 10; i++)
		consume(&r, 50, 1);
	get_stats(&r, &s);
	print_stats("after", &s);
	printf("restart: %llu of %d marked packets intact, %llu packets in %llu windows\n",
	       (unsigned long long)r.markers, sent,
	       (unsigned long long)r.packets, (unsigned long long)r.windows);
	CHECK(r.markers == (uint64_t)sent, "marked packets %llu of %d",
	      (unsigned long long)r.markers, sent);
	close(tx);
	munmap(r.ctl, r.l.ctl_size);
	munmap(r.win, r.l.win_size);
	close(r.fd);
	if (failures) {
		printf("RESTART FAIL (%d)\n", failures);
		return 1;
	}
	printf("RESTART PASS\n");
	return 0;
}

/* A number from a "Key: N kB" file (/proc/meminfo) or a one-number file. */
static long long read_number(const char *path, const char *key)
{
	char line[256];
	long long v = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!key) {
			v = strtoll(line, NULL, 10);
			break;
		}
		if (!strncmp(line, key, strlen(key))) {
			v = strtoll(line + strlen(key), NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

/*
 * MemFree with every CPU's pending vmstat deltas folded in first
 * (vm/stat_refresh, root only): unfolded, it can lag by megabytes.
 */
static long long memfree_kb(void)
{
	int fd = open("/proc/sys/vm/stat_refresh", O_WRONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (write(fd, "1", 1) != 1)
			printf("vm/stat_refresh: %s\n", strerror(errno));
		close(fd);
	}
	return read_number("/proc/meminfo", "MemFree:");
}

/*
 * What a capture that never releases holds, and that the module accounts
 * for it: capture IF (SMOKE_MODE), run CMD (the traffic), keep every
 * window. Bounce skbs are freed once copied (skbs_held 0 in bounce mode);
 * what is held stays within the capture's mem_limit (the held_limit_kb
 * parameter), a packet beyond it counted in drop_mem_limit
 * (SMOKE_EXPECT_MEM_LIMIT=1: some must be); the memory the system lost
 * (MemFree) is what the gauges say, give or take SMOKE_SLACK_KB (default
 * 4096), checked only without a cgroup; SMOKE_MEMCG=DIR (the cgroup v2 directory this process runs in):
 * its memory.current grew by at least the pool pages held (charged to
 * the opener). Prints one "memory:" line per moment.
 */
static int run_bound(const char *ifname, const char *traffic)
{
	const char *memcg = getenv("SMOKE_MEMCG");
	long long slack = getenv("SMOKE_SLACK_KB") ?
			  strtoll(getenv("SMOKE_SLACK_KB"), NULL, 0) : 4096;
	long long before, during, after, cg0 = -1, cg1 = -1, limit_kb;
	long long used, accounted;
	char cgfile[512] = "";
	struct region r = { 0 };
	struct skbremap_stats s;
	struct skbremap_global g;
	int i;

	limit_kb = read_number("/sys/module/skbremap/parameters/held_limit_kb",
			       NULL);
	if (memcg) {
		snprintf(cgfile, sizeof(cgfile), "%s/memory.current", memcg);
		cg0 = read_number(cgfile, NULL);
	}
	before = memfree_kb();
	printf("memory: before: MemFree %lld kB%s\n", before,
	       memcg ? "" : " (no memcg)");
	if (start_capture(&r, ifname))
		return 1;
	CHECK(system(traffic) == 0, "traffic command failed: %s", traffic);
	for (i = 0; i < 30; i++) {	/* the worker catches up */
		usleep(100000);
		get_stats(&r, &s);
		if (s.windows_user == r.l.windows && i >= 10)
			break;
	}
	sleep(2);	/* vmstat folds per-CPU deltas once a second */
	during = memfree_kb();
	if (memcg)
		cg1 = read_number(cgfile, NULL);
	get_stats(&r, &s);
	print_stats("bound", &s);
	get_global(r.fd, &g);
	used = before - during;
	accounted = (long long)(s.pages_held * page_size + s.skb_bytes_held) /
		    1024;
	printf("memory: during: MemFree %lld kB (%lld kB used); gauges: pages_held %llu (%lld kB) skbs_held %llu skb_bytes_held %llu (%lld kB); accounted %lld kB, unaccounted %lld kB; drop_mem_limit %llu, mem_limit %llu\n",
	       during, used, (unsigned long long)s.pages_held,
	       (long long)s.pages_held * page_size / 1024,
	       (unsigned long long)s.skbs_held,
	       (unsigned long long)s.skb_bytes_held,
	       (long long)s.skb_bytes_held / 1024, accounted,
	       used - accounted, (unsigned long long)s.drop_mem_limit,
	       (unsigned long long)s.mem_limit);
	CHECK(s.captured > 0 && s.windows_user >= 1,
	      "nothing captured and held: the test proves nothing");
	CHECK(limit_kb > 0 && s.mem_limit == (uint64_t)limit_kb * 1024,
	      "mem_limit %llu, held_limit_kb %lld",
	      (unsigned long long)s.mem_limit, limit_kb);
	CHECK(s.skb_bytes_held <= s.mem_limit,
	      "skb_bytes_held %llu above mem_limit %llu",
	      (unsigned long long)s.skb_bytes_held,
	      (unsigned long long)s.mem_limit);
	CHECK(g.skb_bytes_held >= s.skb_bytes_held &&
	      g.pages_held >= s.pages_held, "module gauges below the capture's");
	if (eff_mode == SKBREMAP_MODE_BOUNCE)
		CHECK(s.skbs_held == 0 && s.skb_bytes_held == 0,
		      "bounce mode holds %llu skbs (%llu bytes) after copying them",
		      (unsigned long long)s.skbs_held,
		      (unsigned long long)s.skb_bytes_held);
	if (getenv("SMOKE_EXPECT_MEM_LIMIT"))
		CHECK(s.drop_mem_limit > 0, "no drop_mem_limit");
	/*
	 * With a memory cgroup its memory.current is the exact account of
	 * what the opener is charged; MemFree then is only shown: the flood's
	 * page cache, socket buffers and per-CPU free lists move it by tens
	 * of MB on a loaded host (seen: 22 MB below "before" even after
	 * close, with every gauge at 0).
	 */
	if (!memcg)
		CHECK(used <= accounted + slack,
		      "MemFree fell %lld kB, the gauges account for %lld kB (slack %lld)",
		      used, accounted, slack);
	if (memcg) {
		printf("memory: memcg %s: memory.current %lld -> %lld (+%lld kB)\n",
		       memcg, cg0, cg1, (cg1 - cg0) / 1024);
		CHECK(cg0 >= 0 && cg1 - cg0 >= (long long)s.pages_held *
		      page_size * 9 / 10,
		      "memcg grew %lld bytes, pool pages held %llu",
		      cg1 - cg0, (unsigned long long)s.pages_held);
	}

	CHECK(xioctl(r.fd, SKBREMAP_IOC_STOP, NULL) == 0, "STOP");
	get_stats(&r, &s);
	check_balanced(&s);
	munmap(r.ctl, r.l.ctl_size);
	munmap(r.win, r.l.win_size);
	close(r.fd);
	sleep(2);
	after = memfree_kb();
	printf("memory: after close: MemFree %lld kB (%lld kB below before)\n",
	       after, before - after);
	if (memcg) {
		long long cg2 = read_number(cgfile, NULL);

		printf("memory: memcg after close: memory.current %lld (%+lld kB from before)\n",
		       cg2, (cg2 - cg0) / 1024);
		CHECK(cg2 - cg0 < (cg1 - cg0) / 2,
		      "memcg still holds %lld of the %lld bytes charged",
		      cg2 - cg0, cg1 - cg0);
	}
	if (failures) {
		printf("BOUND FAIL (%d)\n", failures);
		return 1;
	}
	printf("BOUND PASS\n");
	return 0;
}

/* Whether [addr, addr + len) has a line in /proc/self/maps. */
static int mapped_here(const void *addr)
{
	char line[256];
	unsigned long lo, hi, a = (unsigned long)addr;
	int found = 0;
	FILE *f = fopen("/proc/self/maps", "r");

	if (!f)
		return -1;
	while (!found && fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%lx", &lo, &hi) == 2 && a >= lo && a < hi)
			found = 1;
	fclose(f);
	return found;
}

/*
 * The region is never inherited: both parts are VM_DONTCOPY, and
 * MADV_DOFORK, which would undo that, is refused (EINVAL). With @dofork
 * the parent asks for it anyway. The child closes its copy of the fd;
 * the parent releases a window of bounced packets and waits until the
 * module took it back; the child must not be able to read that window's
 * data (nor have the region mapped at all). The parent then closes
 * everything while the child lives on: the module gauges must be 0.
 * Child exit status: 0 nothing mapped, 1 mapped, 2 read a taken-back
 * page, 3 cannot tell.
 */
static int run_fork(int dofork)
{
	struct region r = { 0 };
	struct skbremap_stats s;
	struct skbremap_global g;
	struct sockaddr_in to;
	int go[2], rx, tx, i, st = 0, fd2;
	uint32_t w;
	pid_t pid;
	char c = 0;

	cfg_mode = SKBREMAP_MODE_BOUNCE;
	if (start_capture(&r, "lo"))
		return 1;
	tx = udp_pair(&rx, &to);
	for (i = 0; i < 5; i++)
		send_marked(tx, &to, 1000);
	CHECK(wait_ready(&r, 1, 3000) >= 1, "no window published");
	for (w = 0; w < r.l.windows; w++)
		if (__atomic_load_n(&win_ctl(&r, w)->status,
				    __ATOMIC_ACQUIRE) == SKBREMAP_WIN_READY)
			break;
	if (w == r.l.windows)
		return 1;
	CHECK(!read_faults(win_data(&r, w)), "window %u data unreadable", w);
	if (dofork) {
		errno = 0;
		CHECK(madvise(r.win, r.l.win_size, MADV_DOFORK) == -1 &&
		      errno == EINVAL, "MADV_DOFORK on the windows: %s",
		      strerror(errno));
		errno = 0;
		CHECK(madvise(r.ctl, r.l.ctl_size, MADV_DOFORK) == -1 &&
		      errno == EINVAL, "MADV_DOFORK on the control part: %s",
		      strerror(errno));
	}
	if (pipe(go)) {
		printf("FAIL: pipe: %s\n", strerror(errno));
		return 1;
	}
	pid = fork();
	if (pid == 0) {
		close(r.fd);
		close(tx);
		close(rx);
		if (read(go[0], &c, 1) != 1)
			_exit(3);
		switch (mapped_here(r.win) | mapped_here(r.ctl)) {
		case 0:
			st = 0;
			break;
		case 1:
			st = read_faults(win_data(&r, w)) ? 1 : 2;
			break;
		default:
			st = 3;
		}
		printf("fork child: region %s\n", st == 0 ? "not mapped" :
		       st == 1 ? "mapped, taken-back window unreadable" :
		       st == 2 ? "mapped, READ A TAKEN-BACK PAGE" : "unknown");
		/* Lives on until the parent has closed everything. */
		if (read(go[0], &c, 1) != 1)
			_exit(3);
		_exit(st);
	}
	CHECK(pid > 0, "fork: %s", strerror(errno));
	/* Released, and taken back (the worker zaps and frees its pages). */
	__atomic_store_n(&win_ctl(&r, w)->status, SKBREMAP_WIN_RELEASED,
			 __ATOMIC_RELEASE);
	poll(&(struct pollfd){ .fd = r.fd, .events = POLLIN }, 1, 0);
	for (i = 0; i < 100; i++) {
		get_stats(&r, &s);
		if (s.windows_released >= 1)
			break;
		usleep(20000);
	}
	CHECK(s.windows_released >= 1, "window %u not taken back", w);
	CHECK(read_faults(win_data(&r, w)),
	      "parent reads window %u after its take-back", w);
	CHECK(write(go[1], &c, 1) == 1, "pipe");
	usleep(200000);
	CHECK(xioctl(r.fd, SKBREMAP_IOC_STOP, NULL) == 0, "STOP");
	munmap(r.ctl, r.l.ctl_size);
	munmap(r.win, r.l.win_size);
	close(r.fd);
	close(tx);
	close(rx);
	/* Everything of the parent's is closed; the child still runs. */
	fd2 = open_dev();
	for (i = 0; i < 50; i++) {
		get_global(fd2, &g);
		if (g.captures == 1 && !g.pages_held && !g.skbs_held &&
		    !g.mappings)
			break;
		usleep(100000);
	}
	close(fd2);
	CHECK(g.captures == 1 && !g.pages_held && !g.skbs_held &&
	      !g.mappings, "gauges with the child alive: captures=%llu pages_held=%llu skbs_held=%llu mappings=%llu",
	      (unsigned long long)g.captures,
	      (unsigned long long)g.pages_held,
	      (unsigned long long)g.skbs_held,
	      (unsigned long long)g.mappings);
	CHECK(write(go[1], &c, 1) == 1, "pipe");
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st), "child status %#x",
	      st);
	CHECK(WEXITSTATUS(st) == 0, "child: %s",
	      WEXITSTATUS(st) == 1 ? "region mapped" :
	      WEXITSTATUS(st) == 2 ? "read a page the module took back" :
	      "could not read its maps");
	if (failures) {
		printf("FORK%s FAIL (%d)\n", dofork ? " DOFORK" : "", failures);
		return 1;
	}
	printf("FORK%s PASS\n", dofork ? " DOFORK" : "");
	return 0;
}

static int run_global(void)
{
	struct skbremap_global g;
	int fd = open_dev();

	get_global(fd, &g);
	close(fd);
	if (g.captures == 1 && !g.pages_held && !g.skbs_held && !g.mappings) {
		printf("GLOBAL ZERO\n");
		return 0;
	}
	printf("GLOBAL NOT ZERO\n");
	return 1;
}

static uint32_t features(void)
{
	struct skbremap_version v;
	int fd = open_dev();

	memset(&v, 0, sizeof(v));
	CHECK(xioctl(fd, SKBREMAP_IOC_VERSION, &v) == 0, "VERSION");
	close(fd);
	return v.features;
}

static int run_features(void)
{
	printf("features %#x\n", features());
	return failures != 0;
}

/*
 * Sets cfg_mode from a mode name (NULL: 0). Returns 1 when the module does
 * not offer it, after checking that CONFIGURE refuses it (EOPNOTSUPP).
 */
static int mode_pick(const char *name)
{
	static const uint32_t feat[] = {
		0, SKBREMAP_FEAT_BOUNCE, SKBREMAP_FEAT_REMAP,
		SKBREMAP_FEAT_RING, SKBREMAP_FEAT_ADAPTIVE,
	};
	struct skbremap_config c;
	uint32_t m;
	int fd, err;

	if (!name || !*name)
		return 0;
	for (m = 1; m <= SKBREMAP_MODE_ADAPTIVE; m++)
		if (!strcmp(name, mode_names[m]))
			break;
	if (m > SKBREMAP_MODE_ADAPTIVE) {
		printf("FAIL: unknown mode %s\n", name);
		exit(2);
	}
	cfg_mode = m;
	if (features() & feat[m])
		return 0;
	fd = open_dev();
	memset(&c, 0, sizeof(c));
	c.mode = m;
	err = xioctl(fd, SKBREMAP_IOC_CONFIGURE, &c);
	close(fd);
	if (err != -EOPNOTSUPP) {
		printf("FAIL: mode %s not advertised, CONFIGURE gave %d\n",
		       name, err);
		exit(1);
	}
	printf("MODE SKIP: %s not offered by the module (EOPNOTSUPP)\n", name);
	return 1;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "run";

	setvbuf(stdout, NULL, _IOLBF, 0);
	page_size = sysconf(_SC_PAGESIZE);
	if (getenv("SMOKE_INFO_PAGES"))
		cfg_info_pages = (uint32_t)strtoul(getenv("SMOKE_INFO_PAGES"),
						   NULL, 0);
	if (getenv("SMOKE_THRESHOLD"))
		cfg_threshold = (uint32_t)strtoul(getenv("SMOKE_THRESHOLD"),
						  NULL, 0);
	if (mode_pick(!strcmp(mode, "run") && argc > 2 ? argv[2] :
		      getenv("SMOKE_MODE")))
		return 0;	/* not offered: skipped */
	if (!strcmp(mode, "run"))
		return run_smoke();
	if (!strcmp(mode, "features"))
		return run_features();
	if (!strcmp(mode, "watch") && argc > 3)
		return run_watch(argv[2], atoi(argv[3]));
	if (!strcmp(mode, "hold"))
		return run_hold(argc > 2 ? argv[2] : "all");
	if (!strcmp(mode, "vlan") && argc > 4)
		return run_vlan(argv[2], argv[3], atoi(argv[4]));
	if (!strcmp(mode, "stress") && argc > 2)
		return run_stress(atoi(argv[2]));
	if (!strcmp(mode, "gone") && argc > 3)
		return run_gone(argv[2], argv[3]);
	if (!strcmp(mode, "global"))
		return run_global();
	if (!strcmp(mode, "bound") && argc > 3)
		return run_bound(argv[2], argv[3]);
	if (!strcmp(mode, "fork"))
		return run_fork(argc > 2 && !strcmp(argv[2], "dofork"));
	if (!strcmp(mode, "restart") && argc > 4)
		return run_restart(argv[2], argv[3], argv[4]);
	fprintf(stderr, "usage: %s [run | watch IF S | hold [IF] | gone IF DST | vlan IF DST VID |\n"
		"          stress S | global | features | fork [dofork] |\n"
		"          bound IF CMD |\n"
		"          restart IF DST CMD]   (env SMOKE_MODE=MODE)\n",
		argv[0]);
	return 2;
}
