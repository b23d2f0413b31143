// SPDX-License-Identifier: GPL-2.0
/*
 * Packet sources: the emulator's prot_hook. A spec (skbremap_emu.h) is
 * parsed and checked at skbremap_emu_set_source(); START opens the source
 * (socket, file) so that its errors come back from START, then runs it on
 * its own thread, which hands every packet to emu_hook(). STOP tells the
 * thread to end and joins it before the worker flushes.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "emu_internal.h"

static int parse_u64(const char *s, size_t n, u64 *out)
{
	u64 v = 0;
	size_t i;

	if (!n || n > 19)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (u64)(s[i] - '0');
	}
	*out = v;
	return 0;
}

static int parse_synthetic(const char *p, struct emu_source_spec *s)
{
	u64 min = 60, max = 1514, step = 1;

	s->kind = EMU_SRC_SYNTHETIC;
	s->count = 0;
	s->rate = 0;
	s->lossless = false;
	s->flows = 1;
	while (p && *p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const char *eq = memchr(p, '=', len);
		size_t klen, vlen;
		u64 v;

		if (!eq)
			return -EINVAL;
		klen = (size_t)(eq - p);
		vlen = len - klen - 1;
		if (parse_u64(eq + 1, vlen, &v))
			return -EINVAL;
		if (klen == 5 && !strncmp(p, "count", 5))
			s->count = v;
		else if (klen == 3 && !strncmp(p, "min", 3))
			min = v;
		else if (klen == 3 && !strncmp(p, "max", 3))
			max = v;
		else if (klen == 4 && !strncmp(p, "rate", 4))
			s->rate = v;
		else if (klen == 4 && !strncmp(p, "step", 4) && v >= 1 &&
			 v <= 65535)
			step = v;
		else if (klen == 8 && !strncmp(p, "lossless", 8) && v <= 1)
			s->lossless = v;
		else if (klen == 5 && !strncmp(p, "flows", 5) && v >= 1 &&
			 v <= 65535)
			s->flows = (u32)v;
		else
			return -EINVAL;
		p = end ? end + 1 : NULL;
		if (end && !*p)		/* trailing comma */
			return -EINVAL;
	}
	if (min < 1 || min > max || max > 65535)
		return -EINVAL;
	s->min = (u32)min;
	s->max = (u32)max;
	s->step = (u32)step;
	return 0;
}

int emu_source_parse(const char *spec, struct emu_source_spec *out)
{
	int err;

	memset(out, 0, sizeof(*out));
	if (!strcmp(spec, "afpacket")) {
		out->kind = EMU_SRC_AFPACKET;
		return 0;
	}
	if (!strncmp(spec, "pcap:", 5)) {
		err = emu_pcap_check(spec + 5);
		if (err)
			return err;
		out->kind = EMU_SRC_PCAP;
		out->path = strdup(spec + 5);
		return out->path ? 0 : -ENOMEM;
	}
	if (!strcmp(spec, "synthetic"))
		return parse_synthetic(NULL, out);
	if (!strncmp(spec, "synthetic:", 10) && spec[10])
		return parse_synthetic(spec + 10, out);
	return -EINVAL;
}

void emu_source_spec_free(struct emu_source_spec *s)
{
	free(s->path);
	s->path = NULL;
}

static void *source_main(void *arg)
{
	struct skbremap_emu *e = arg;
	struct emu_source *s = e->src;

	switch (s->kind) {
	case EMU_SRC_AFPACKET:
		emu_afpacket_run(e, s);
		break;
	case EMU_SRC_PCAP:
		emu_pcap_run(e, s);
		break;
	case EMU_SRC_SYNTHETIC:
		emu_synthetic_run(e, s);
		break;
	}
	return NULL;
}

static void source_close(struct emu_source *s)
{
	if (s->kind == EMU_SRC_AFPACKET)
		emu_afpacket_close(s);
	else if (s->kind == EMU_SRC_PCAP)
		emu_pcap_close(s);
	free(s);
}

/* Must hold ctl_lock; the worker runs. */
int emu_source_start(struct skbremap_emu *e)
{
	struct emu_source *s = calloc(1, sizeof(*s));
	int err = 0;

	if (!s)
		return -ENOMEM;
	s->kind = e->spec.kind;
	s->sock = s->wake_fd = -1;
	if (s->kind == EMU_SRC_AFPACKET)
		err = emu_afpacket_open(e, s);
	else if (s->kind == EMU_SRC_PCAP)
		err = emu_pcap_open(e, s);
	if (err) {
		free(s);
		return err;
	}
	e->src = s;
	err = emu_thread_create(&e->src_thread, source_main, e);
	if (err) {
		e->src = NULL;
		source_close(s);
		return err;
	}
	return 0;
}

/* Must hold ctl_lock. */
void emu_source_stop(struct skbremap_emu *e)
{
	struct emu_source *s = e->src;

	pthread_mutex_lock(&e->q.lock);
	e->q.src_stop = true;
	pthread_cond_broadcast(&e->q.space);
	pthread_mutex_unlock(&e->q.lock);
	if (s->kind == EMU_SRC_AFPACKET)
		emu_afpacket_wake(s);
	pthread_join(e->src_thread, NULL);
	e->src = NULL;
	source_close(s);
}
