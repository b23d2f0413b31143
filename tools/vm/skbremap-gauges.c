// SPDX-License-Identifier: GPL-2.0
/*
 * skbremap-gauges: the VM lane's own reader of the module's counters,
 * independent of remapctl (which is under test too).
 *
 *   skbremap-gauges version    magic, ABI version, page size, features
 *   skbremap-gauges global     captures= pages_held= skbs_held= mappings=
 *   skbremap-gauges captures   one line per open capture (this one included)
 *   skbremap-gauges bind N     SKBREMAP_IOC_BIND to ifindex N: "bind N: ok"
 *                              or the error (the netns scenarios' probe)
 *
 * Opening /dev/skbremap is itself a capture (never configured, never
 * started): "global" counts it in captures, with no page, skb or mapping.
 * Built on the host with gcc -static against the uapi header.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/skbremap.h>

static int gauges_version(int fd)
{
	struct skbremap_version v;

	memset(&v, 0, sizeof(v));
	if (ioctl(fd, SKBREMAP_IOC_VERSION, &v) < 0) {
		perror("skbremap-gauges: SKBREMAP_IOC_VERSION");
		return 1;
	}
	printf("magic=0x%08x abi_version=%u page_size=%u features=0x%x\n",
	       v.magic, v.abi_version, v.page_size, v.features);
	return v.magic == SKBREMAP_MAGIC && v.abi_version == SKBREMAP_ABI_VERSION ? 0 : 1;
}

static int gauges_global(int fd)
{
	struct skbremap_global g;

	memset(&g, 0, sizeof(g));
	if (ioctl(fd, SKBREMAP_IOC_GLOBAL, &g) < 0) {
		perror("skbremap-gauges: SKBREMAP_IOC_GLOBAL");
		return 1;
	}
	printf("captures=%llu pages_held=%llu skbs_held=%llu mappings=%llu\n",
	       (unsigned long long)g.captures, (unsigned long long)g.pages_held,
	       (unsigned long long)g.skbs_held, (unsigned long long)g.mappings);
	return 0;
}

static int gauges_captures(int fd)
{
	struct skbremap_capture_info ci;
	__u32 i;

	for (i = 0; i < 4096; i++) {
		const struct skbremap_stats *s = &ci.stats;

		memset(&ci, 0, sizeof(ci));
		ci.index = i;
		if (ioctl(fd, SKBREMAP_IOC_CAPTURES, &ci) < 0) {
			if (errno == ENOENT)
				return 0;
			perror("skbremap-gauges: SKBREMAP_IOC_CAPTURES");
			return 1;
		}
		printf("id=%u pid=%d ifindex=%d running=%u windows=%u free=%u filling=%u user=%u "
		       "seen=%llu captured=%llu drops=%llu in_flight=%llu pages_held=%llu "
		       "skbs_held=%llu skbs_freed=%llu bad_release=%llu\n",
		       ci.id, ci.pid, ci.ifindex, ci.running, ci.windows, ci.windows_free,
		       ci.windows_filling, ci.windows_user,
		       (unsigned long long)s->seen, (unsigned long long)s->captured,
		       (unsigned long long)(s->drop_queue_full + s->drop_no_window +
					    s->drop_nomem + s->drop_too_big +
					    s->drop_mem_limit),
		       (unsigned long long)s->in_flight, (unsigned long long)s->pages_held,
		       (unsigned long long)s->skbs_held, (unsigned long long)s->skbs_freed,
		       (unsigned long long)s->bad_release);
	}
	return 0;
}

static int gauges_bind(int fd, const char *arg)
{
	struct skbremap_bind b;
	char *end;
	long n;

	errno = 0;
	n = strtol(arg, &end, 10);
	if (errno || *end || n < 0 || n > 0x7fffffff) {
		fprintf(stderr, "skbremap-gauges: bad ifindex '%s'\n", arg);
		return 2;
	}
	memset(&b, 0, sizeof(b));
	b.ifindex = (__s32)n;
	if (ioctl(fd, SKBREMAP_IOC_BIND, &b) < 0) {
		printf("bind %ld: %s\n", n, strerror(errno));
		return 1;
	}
	printf("bind %ld: ok\n", n);
	return 0;
}

int main(int argc, char **argv)
{
	const char *dev = "/dev/" SKBREMAP_DEVICE_NAME;
	int fd, rc;

	if (argc != 2 && !(argc == 3 && strcmp(argv[1], "bind") == 0)) {
		fprintf(stderr, "usage: skbremap-gauges version|global|captures|bind IFINDEX\n");
		return 2;
	}
	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "skbremap-gauges: open %s: %s\n", dev, strerror(errno));
		return 1;
	}
	if (strcmp(argv[1], "version") == 0)
		rc = gauges_version(fd);
	else if (strcmp(argv[1], "global") == 0)
		rc = gauges_global(fd);
	else if (strcmp(argv[1], "captures") == 0)
		rc = gauges_captures(fd);
	else if (strcmp(argv[1], "bind") == 0)
		rc = gauges_bind(fd, argv[2]);
	else {
		fprintf(stderr, "usage: skbremap-gauges version|global|captures|bind IFINDEX\n");
		rc = 2;
	}
	close(fd);
	return rc;
}
