// SPDX-License-Identifier: GPL-2.0
/*
 * The region and its page tables: mmap of the two parts, our vm_ops, and
 * the remap itself (vm_insert_pages of a window's data pages when it is
 * published, zap_page_range when user space has released it).
 *
 * mmap is strict (core/config.c: skbremap_mmap_check): the exact offset and
 * length of a part, MAP_SHARED, the windows part never writable and with
 * VM_MAYWRITE cleared so mprotect(PROT_WRITE) fails. Each part is mapped at
 * most once per capture; the VMAs can be neither split (may_split), moved
 * (mremap), copied to a child (VM_DONTCOPY) nor grown (VM_DONTEXPAND).
 * Every VMA is counted by mmap and our open/close (mappings gauge).
 */
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "skbremap_mod.h"

static bool skbremap_vma_is_windows(struct vm_area_struct *vma)
{
	return vma->vm_pgoff != 0;
}

static void skbremap_vm_open(struct vm_area_struct *vma)
{
	struct skbremap_capture *cap = vma->vm_private_data;

	atomic_inc(skbremap_vma_is_windows(vma) ? &cap->win_vmas :
						  &cap->ctl_vmas);
	atomic64_inc(&skbremap_gauges.mappings);
}

/*
 * Called with mmap_lock held for write, or from exit_mmap(): only atomics
 * here. The pages stay with their window until the worker or release()
 * returns them; the page-table references go with the VMA.
 */
static void skbremap_vm_close(struct vm_area_struct *vma)
{
	struct skbremap_capture *cap = vma->vm_private_data;

	atomic64_dec(&skbremap_gauges.mappings);
	atomic_dec(skbremap_vma_is_windows(vma) ? &cap->win_vmas :
						  &cap->ctl_vmas);
}

static int skbremap_vm_may_split(struct vm_area_struct *vma,
				 unsigned long addr)
{
	return -EINVAL;
}

static int skbremap_vm_mremap(struct vm_area_struct *vma)
{
	return -EINVAL;
}

/* An empty data slot (window not published) or a zapped one. */
static vm_fault_t skbremap_vm_fault(struct vm_fault *vmf)
{
	return VM_FAULT_SIGBUS;
}

static const struct vm_operations_struct skbremap_vm_ops = {
	.open		= skbremap_vm_open,
	.close		= skbremap_vm_close,
	.may_split	= skbremap_vm_may_split,
	.mremap		= skbremap_vm_mremap,
	.fault		= skbremap_vm_fault,
};

/*
 * Must hold cap->lock. Info pages: one per window, at every window start.
 * Resident modes (ring, adaptive): every window's data pages too, once
 * and for good; a copy into them then costs no page-table change.
 */
static int __skbremap_map_windows(struct skbremap_capture *cap,
				  struct vm_area_struct *vma)
{
	unsigned long addr, left;
	u32 i;
	int err;

	for (i = 0; i < cap->layout.windows; i++) {
		addr = vma->vm_start + i * cap->layout.win_stride;
		err = vm_insert_page(vma, addr, cap->wins[i].info);
		if (err)
			return err;	/* mmap_region() unmaps what we did */
		if (!skbremap_resident(cap))
			continue;
		left = cap->layout.pages_per_window;
		err = vm_insert_pages(vma, addr + PAGE_SIZE,
				      cap->wins[i].pages, &left);
		if (err)
			return err;
	}
	return 0;
}

int skbremap_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct skbremap_capture *cap = file->private_data;
	u64 offset = (u64)vma->vm_pgoff << PAGE_SHIFT;
	u64 length = vma->vm_end - vma->vm_start;
	int kind, err;

	if (!(vma->vm_flags & VM_SHARED) || (vma->vm_flags & VM_EXEC))
		return -EINVAL;

	mutex_lock(&cap->lock);
	kind = skbremap_mmap_check(&cap->layout, offset, length,
				   vma->vm_flags & VM_WRITE);
	err = kind;
	if (kind < 0)
		goto out;
	err = -EINVAL;
	if (cap->mm && cap->mm != current->mm)
		goto out;	/* both parts in one address space */
	err = -EBUSY;
	if (kind == SKBREMAP_MAP_CTL ? cap->ctl_mapped : cap->win_mapped)
		goto out;
	err = __skbremap_region_alloc(cap);
	if (err)
		goto out;

	vma->vm_flags &= ~VM_MAYEXEC;
	vma->vm_flags |= VM_MIXEDMAP | VM_DONTEXPAND | VM_DONTDUMP |
			 VM_DONTCOPY;
	if (kind == SKBREMAP_MAP_CTL) {
		err = remap_vmalloc_range(vma, cap->ctl, 0);
	} else {
		vma->vm_flags &= ~VM_MAYWRITE;
		err = __skbremap_map_windows(cap, vma);
	}
	if (err)
		goto out;

	vma->vm_ops = &skbremap_vm_ops;
	vma->vm_private_data = cap;
	if (!cap->mm) {
		mmgrab(current->mm);
		WRITE_ONCE(cap->mm, current->mm);
	}
	if (kind == SKBREMAP_MAP_CTL) {
		cap->ctl_mapped = true;
		atomic_inc(&cap->ctl_vmas);
	} else {
		cap->win_mapped = true;
		cap->win_addr = vma->vm_start;
		atomic_inc(&cap->win_vmas);
	}
	atomic64_inc(&skbremap_gauges.mappings);
out:
	mutex_unlock(&cap->lock);
	return err;
}

/*
 * Must hold mmap_lock of @mm and cap->lock. The windows VMA, checked to be
 * ours and whole, or NULL.
 */
struct vm_area_struct *__skbremap_find_win_vma(struct skbremap_capture *cap,
					       struct mm_struct *mm)
{
	struct vm_area_struct *vma;

	/* Not mmap_assert_locked(): its DEBUG_VM dump_mm() is not exported. */
	lockdep_assert_held(&mm->mmap_lock);
	lockdep_assert_held(&cap->lock);
	if (!cap->win_mapped || !atomic_read(&cap->win_vmas))
		return NULL;
	vma = vma_lookup(mm, cap->win_addr);
	if (!vma || vma->vm_ops != &skbremap_vm_ops ||
	    vma->vm_private_data != cap || vma->vm_start != cap->win_addr ||
	    vma->vm_end - vma->vm_start != cap->layout.win_size)
		return NULL;
	return vma;
}

static unsigned long skbremap_data_addr(struct skbremap_capture *cap,
					const struct skbremap_kwin *kw)
{
	return cap->win_addr + kw->win.index * cap->layout.win_stride +
	       PAGE_SIZE;
}

/*
 * Must hold mmap_lock and cap->lock. Inserts the window's data pages into
 * its slots in one batch. On failure nothing of it stays mapped.
 */
int __skbremap_insert_window(struct skbremap_capture *cap,
			     struct vm_area_struct *vma,
			     struct skbremap_kwin *kw)
{
	unsigned long want = kw->win.pages_used, left = want;
	int err;

	lockdep_assert_held(&cap->lock);
	if (!want || skbremap_resident(cap))
		return 0;
	err = vm_insert_pages(vma, skbremap_data_addr(cap, kw), kw->pages,
			      &left);
	if (err)
		__skbremap_zap_window(cap, vma, kw, want - left);
	return err;
}

/*
 * Must hold mmap_lock and cap->lock; resident modes only. Unmaps @pages
 * data slots of @kw from slot @first and inserts the window's own pages
 * there again (what a slot that showed another page gets back; the
 * calibration times it). Page tables exist already (zap_page_range does
 * not free them), so the insert needs no allocation.
 */
int __skbremap_restore_slots(struct skbremap_capture *cap,
			     struct vm_area_struct *vma,
			     struct skbremap_kwin *kw, u32 first, u32 pages)
{
	unsigned long addr = skbremap_data_addr(cap, kw) +
			     ((unsigned long)first << PAGE_SHIFT);
	unsigned long left = pages;
	int err;

	lockdep_assert_held(&cap->lock);
	if (WARN_ON_ONCE(!skbremap_resident(cap) ||
			 first + pages > kw->win.pages_max))
		return -EINVAL;
	zap_page_range(vma, addr, (unsigned long)pages << PAGE_SHIFT);
	err = vm_insert_pages(vma, addr, kw->pages + first, &left);
	if (err)
		pr_warn_ratelimited("capture %u: %lu slots left unmapped (%d)\n",
				    cap->id, left, err);
	return err;
}

/* Must hold mmap_lock and cap->lock. Unmaps the first @pages data slots. */
void __skbremap_zap_window(struct skbremap_capture *cap,
			   struct vm_area_struct *vma,
			   struct skbremap_kwin *kw, u32 pages)
{
	lockdep_assert_held(&cap->lock);
	if (pages && !skbremap_resident(cap))
		zap_page_range(vma, skbremap_data_addr(cap, kw),
			       (unsigned long)pages << PAGE_SHIFT);
}

/* Must hold cap->lock. A resident window's own data pages, all of them. */
static int __skbremap_resident_get(struct skbremap_capture *cap,
				   struct skbremap_kwin *kw)
{
	u32 i;

	for (i = 0; i < cap->layout.pages_per_window; i++) {
		kw->pages[i] = skbremap_pool_get(cap);
		if (!kw->pages[i])
			return -ENOMEM;
	}
	return 0;
}

static void __skbremap_resident_put(struct skbremap_capture *cap,
				    struct skbremap_kwin *kw)
{
	u32 i;

	for (i = 0; kw->pages && i < cap->layout.pages_per_window; i++) {
		if (kw->pages[i])
			skbremap_pool_put(cap, kw->pages[i]);
		kw->pages[i] = NULL;
	}
}

/*
 * Must hold cap->lock. Allocates the region for the current layout on the
 * first mmap: control part, window records, info pages. It is freed only by
 * release(), when no VMA can be left.
 */
int __skbremap_region_alloc(struct skbremap_capture *cap)
{
	const struct skbremap_layout *l = &cap->layout;
	struct skbremap_kwin *kw;
	u32 i;

	lockdep_assert_held(&cap->lock);
	if (cap->wins)
		return 0;

	cap->ctl = vmalloc_user(l->ctl_size);
	if (!cap->ctl)
		goto err;
	skbremap_ctl_init(cap->ctl, l);
	cap->scratch = kcalloc(l->pages_per_window, sizeof(*cap->scratch),
			       GFP_KERNEL);
	if (!cap->scratch)
		goto err;
	cap->wins = kvcalloc(l->windows, sizeof(*cap->wins), GFP_KERNEL);
	if (!cap->wins)
		goto err;
	for (i = 0; i < l->windows; i++) {
		kw = &cap->wins[i];
		skbremap_win_init(&kw->win, i, l->pages_per_window,
				  l->info_entries_max);
		__skb_queue_head_init(&kw->skbs);
		kw->pages = kcalloc(l->pages_per_window, sizeof(*kw->pages),
				    GFP_KERNEL);
		if (!kw->pages)
			goto err;
		kw->info = skbremap_pool_get(cap);
		if (!kw->info)
			goto err;
		if (skbremap_resident(cap) && __skbremap_resident_get(cap, kw))
			goto err;
	}
	return 0;
err:
	__skbremap_region_free(cap);
	return -ENOMEM;
}

/*
 * Must hold cap->lock, with the worker stopped and every window's pages
 * and skbs already returned (__skbremap_purge).
 */
void __skbremap_region_free(struct skbremap_capture *cap)
{
	u32 i;

	lockdep_assert_held(&cap->lock);
	if (cap->wins) {
		for (i = 0; i < cap->layout.windows; i++) {
			WARN_ON_ONCE(cap->wins[i].win.state !=
				     SKBREMAP_WS_FREE);
			if (cap->wins[i].info)
				skbremap_pool_put(cap, cap->wins[i].info);
			if (skbremap_resident(cap))
				__skbremap_resident_put(cap, &cap->wins[i]);
			kfree(cap->wins[i].pages);
		}
		kvfree(cap->wins);
		cap->wins = NULL;
	}
	kfree(cap->scratch);
	cap->scratch = NULL;
	vfree(cap->ctl);
	cap->ctl = NULL;
}
