// SPDX-License-Identifier: GPL-2.0
/*
 * The per-packet choice of delivery path (issue 3), as pure functions of
 * what the host tells about a packet, so that the module and the emulator
 * decide the same way and tests/c can check every rule:
 *
 *   BOUNCE  copy into a zeroed pool page of its own
 *   REMAP   insert the skb's own whole, exclusive pages (the rest copied)
 *   RING    copy packed into ring pages that stay mapped
 *
 * ADAPTIVE: caplen < copy_threshold -> RING; else eligible -> REMAP; else
 * BOUNCE. The threshold comes from skbremap_threshold_pick() over the
 * host's calibration at START, or from the configuration.
 */
#include "skbremap_core.h"

static bool frag_qualifies(const struct skbremap_frag *f, u32 page_size)
{
	return !f->linear && f->exclusive && f->page_offset == 0 &&
	       f->len == page_size;
}

bool skbremap_remap_eligible(const struct skbremap_frag *frags, u32 nr,
			     u32 caplen, u32 page_size,
			     struct skbremap_remap_plan *plan)
{
	u64 pos = 0;
	u32 i, run = 0, first = 0;
	u64 head = 0;

	for (i = 0; i < nr && pos < caplen; i++) {
		const struct skbremap_frag *f = &frags[i];
		bool whole = pos + f->len <= caplen;

		if (whole && frag_qualifies(f, page_size)) {
			if (!run) {
				first = i;
				head = pos;
			}
			run++;
		} else if (run) {
			break;		/* the first run ends here */
		}
		pos += f->len;
	}
	if (!run)
		return false;
	plan->head = (u32)head;
	plan->first = first;
	plan->pages = run;
	plan->tail = (u32)(caplen - head - (u64)run * page_size);
	return true;
}

u32 skbremap_path_choose(u32 mode, u32 caplen, u32 copy_threshold,
			 bool remap_eligible)
{
	switch (mode) {
	case SKBREMAP_MODE_RING:
		return SKBREMAP_PATH_RING;
	case SKBREMAP_MODE_REMAP:
		return remap_eligible ? SKBREMAP_PATH_REMAP :
					SKBREMAP_PATH_BOUNCE;
	case SKBREMAP_MODE_ADAPTIVE:
		if (caplen < copy_threshold)
			return SKBREMAP_PATH_RING;
		return remap_eligible ? SKBREMAP_PATH_REMAP :
					SKBREMAP_PATH_BOUNCE;
	default:
		return SKBREMAP_PATH_BOUNCE;
	}
}

int skbremap_mode_resolve(u32 mode, u32 features, u32 *out)
{
	u32 need;

	switch (mode) {
	case SKBREMAP_MODE_DEFAULT:
		*out = (features & SKBREMAP_FEAT_ADAPTIVE) ?
		       SKBREMAP_MODE_ADAPTIVE : SKBREMAP_MODE_BOUNCE;
		return 0;
	case SKBREMAP_MODE_BOUNCE:
		need = SKBREMAP_FEAT_BOUNCE;
		break;
	case SKBREMAP_MODE_REMAP:
		need = SKBREMAP_FEAT_REMAP;
		break;
	case SKBREMAP_MODE_RING:
		need = SKBREMAP_FEAT_RING;
		break;
	case SKBREMAP_MODE_ADAPTIVE:
		need = SKBREMAP_FEAT_ADAPTIVE;
		break;
	default:
		return -EINVAL;
	}
	if (!(features & need))
		return -EOPNOTSUPP;
	*out = mode;
	return 0;
}

bool skbremap_mode_resident(u32 mode)
{
	return mode == SKBREMAP_MODE_RING || mode == SKBREMAP_MODE_REMAP ||
	       mode == SKBREMAP_MODE_ADAPTIVE;
}

u32 skbremap_threshold_pick(const struct skbremap_calib_point *pts, u32 n)
{
	u32 pick = SKBREMAP_MAX_COPY_THRESHOLD;
	u32 i = n;

	/* From the largest size down, as long as remapping stays cheaper. */
	while (i > 0 && pts[i - 1].remap_ns < pts[i - 1].copy_ns) {
		pick = pts[i - 1].size;
		i--;
	}
	return pick;
}
