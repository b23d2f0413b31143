// SPDX-License-Identifier: GPL-2.0
/*
 * A stand-in for libskbremap_emu.so that speaks the next ABI version: its
 * SKBREMAP_IOC_VERSION answers SKBREMAP_ABI_VERSION + 1, and any other call
 * aborts the process. AbiMismatchTests loads it into remapd through
 * $SKBREMAP_EMU_LIBRARY to prove that remapd checks the version first and
 * calls nothing else after a mismatch (exit code 5, not a crash).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/skbremap.h>

struct skbremap_emu {
	int unused;
};

static struct skbremap_emu the_emu;

int skbremap_emu_open(struct skbremap_emu **out)
{
	*out = &the_emu;
	return 0;
}

int skbremap_emu_ioctl(struct skbremap_emu *e, unsigned long cmd, void *arg)
{
	struct skbremap_version *v = arg;

	(void)e;
	if (cmd != SKBREMAP_IOC_VERSION)
		abort();
	memset(v, 0, sizeof(*v));
	v->magic = SKBREMAP_MAGIC;
	v->abi_version = SKBREMAP_ABI_VERSION + 1;
	v->page_size = 4096;
	return 0;
}

int skbremap_emu_mmap(struct skbremap_emu *e, uint64_t offset, uint64_t length,
		      int prot, void **addr)
{
	(void)e; (void)offset; (void)length; (void)prot; (void)addr;
	abort();
}

int skbremap_emu_munmap(struct skbremap_emu *e, void *addr, uint64_t length)
{
	(void)e; (void)addr; (void)length;
	abort();
}

int skbremap_emu_poll(struct skbremap_emu *e, int timeout_ms)
{
	(void)e; (void)timeout_ms;
	abort();
}

int skbremap_emu_set_source(struct skbremap_emu *e, const char *spec)
{
	(void)e; (void)spec;
	abort();
}

int skbremap_emu_source_done(struct skbremap_emu *e)
{
	(void)e;
	abort();
}

void skbremap_emu_close(struct skbremap_emu *e)
{
	(void)e;
}
