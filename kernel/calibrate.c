// SPDX-License-Identifier: GPL-2.0
/*
 * The ADAPTIVE threshold, measured at START, as the emulator's
 * tools/emulator/calibrate.c measures it in user space: for 1, 2, 4, 8 and
 * 16 pages (at most pages_per_window), the cost of the RING path (memcpy
 * into kernel pages) against the page-table cost of the REMAP path
 * (the take-back, unmap_mapping_range() on the capture's address_space,
 * then vm_insert_pages of that many slots, timed on a FREE window's
 * resident slots of the capture's own VMA, which get their own pages
 * back, so nothing user space may read changes). Each cost is the
 * minimum of SKBREMAP_CAL_REPS runs; skbremap_threshold_pick() (core)
 * takes the crossover.
 *
 * Both measurements are reported (stats.calib_*, dmesg) so the seed's
 * claim can be checked. The remap timed here is what a window carrying
 * remapped pages pays per cycle: one batched take-back and one batched
 * insert (remap.c).
 */
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "skbremap_mod.h"

#define SKBREMAP_CAL_REPS	8
#define SKBREMAP_CAL_MAX_PAGES	16

static const u32 skbremap_cal_pages[] = { 1, 2, 4, 8, 16 };

static u64 skbremap_cal_copy(void *dst, const void *src, size_t bytes)
{
	u64 best = U64_MAX, t;
	int r;

	for (r = 0; r < SKBREMAP_CAL_REPS; r++) {
		t = ktime_get_ns();
		memcpy(dst, src, bytes);
		barrier_data(dst);
		t = ktime_get_ns() - t;
		best = min(best, t);
	}
	return best;
}

/* Must hold mmap_lock and cap->lock. U64_MAX when it could not be timed. */
static u64 __skbremap_cal_remap(struct skbremap_capture *cap,
				struct vm_area_struct *vma,
				struct skbremap_kwin *kw, u32 pages)
{
	u64 best = U64_MAX, t;
	int r;

	for (r = 0; r < SKBREMAP_CAL_REPS; r++) {
		t = ktime_get_ns();
		if (__skbremap_restore_slots(cap, vma, kw, 0, pages))
			return U64_MAX;
		t = ktime_get_ns() - t;
		best = min(best, t);
	}
	return best;
}

/* Must hold cap->lock. A FREE window to time the remap on, or NULL. */
static struct skbremap_kwin *__skbremap_cal_window(struct skbremap_capture *cap)
{
	u32 i;

	for (i = 0; cap->wins && i < cap->layout.windows; i++)
		if (cap->wins[i].win.state == SKBREMAP_WS_FREE)
			return &cap->wins[i];
	return NULL;
}

/*
 * Sets cap->copy_threshold and the calibration gauges for an ADAPTIVE
 * capture configured with copy_threshold 0, at its first START only
 * (cap->path_set: a later START keeps the threshold, and with it the
 * path mode, for the region's life). Takes the capture's mm,
 * mmap_lock and cap->lock (in that order), so the caller holds none.
 * Any failure leaves the threshold at "never remap" (copying always
 * works).
 */
void skbremap_calibrate(struct skbremap_capture *cap)
{
	struct skbremap_calib_point pts[ARRAY_SIZE(skbremap_cal_pages)];
	size_t max = SKBREMAP_CAL_MAX_PAGES * PAGE_SIZE;
	struct mm_struct *mm = READ_ONCE(cap->mm);
	struct vm_area_struct *vma = NULL;
	struct skbremap_kwin *kw = NULL;
	u32 i, n = 0, pick = SKBREMAP_MAX_COPY_THRESHOLD, forced;
	u8 *buf;

	buf = vmalloc(2 * max);
	if (!buf)
		goto out;
	memset(buf, 0xa5, 2 * max);	/* resident, as packet data is */
	if (!mm || !mmget_not_zero(mm))
		goto out_free;
	mmap_read_lock(mm);
	mutex_lock(&cap->lock);
	if (cap->running || cap->path_set ||
	    cap->mode != SKBREMAP_MODE_ADAPTIVE || cap->cfg.copy_threshold)
		goto unlock;
	vma = __skbremap_find_win_vma(cap, mm);
	if (vma)
		kw = __skbremap_cal_window(cap);
	for (i = 0; kw && i < ARRAY_SIZE(skbremap_cal_pages); i++) {
		if (skbremap_cal_pages[i] > cap->layout.pages_per_window)
			break;
		pts[n].size = skbremap_cal_pages[i] * PAGE_SIZE;
		pts[n].copy_ns = skbremap_cal_copy(buf + max, buf,
						   pts[n].size);
		pts[n].remap_ns = __skbremap_cal_remap(cap, vma, kw,
						       skbremap_cal_pages[i]);
		if (pts[n].remap_ns == U64_MAX)
			break;
		n++;
	}
	if (n) {
		pick = skbremap_threshold_pick(pts, n);
		cap->calib_copy_ns = pts[0].copy_ns;
		cap->calib_remap_ns = pts[0].remap_ns;
	}
	cap->copy_threshold = pick;
	forced = READ_ONCE(skbremap_test_calibrated_threshold_param);
	if (n && forced) {
		cap->copy_threshold = min_t(u32, forced,
					    SKBREMAP_MAX_COPY_THRESHOLD);
		pr_info("capture %u calibration: threshold forced to %u (test_calibrated_threshold)\n",
			cap->id, cap->copy_threshold);
	}
	for (i = 0; i < n; i++)
		pr_info("capture %u calibration: %2u pages: copy %6llu ns, remap %6llu ns\n",
			cap->id, pts[i].size >> PAGE_SHIFT, pts[i].copy_ns,
			pts[i].remap_ns);
	if (n)
		pr_info("capture %u calibration: crossover %u bytes%s, threshold %u\n",
			cap->id, pick,
			pick == SKBREMAP_MAX_COPY_THRESHOLD ? " (never)" : "",
			cap->copy_threshold);
unlock:
	mutex_unlock(&cap->lock);
	mmap_read_unlock(mm);
	mmput(mm);
out_free:
	vfree(buf);
out:
	/* Not calibrated (no mm, no free window): never remap. */
	mutex_lock(&cap->lock);
	if (cap->mode == SKBREMAP_MODE_ADAPTIVE && !cap->copy_threshold)
		cap->copy_threshold = SKBREMAP_MAX_COPY_THRESHOLD;
	mutex_unlock(&cap->lock);
}
