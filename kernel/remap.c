// SPDX-License-Identifier: GPL-2.0
/*
 * The region and its page tables: mmap of the two parts, our vm_ops, and
 * the remap itself (vm_insert_pages of a window's data pages, or of the
 * skb pages of its REMAP packets, when it is published; the take-back,
 * unmap_mapping_range() on the capture's own address_space, when user
 * space has released it), and which skb pages may be remapped.
 *
 * mmap is strict (core/config.c: skbremap_mmap_check): the exact offset and
 * length of a part, MAP_SHARED, the windows part never writable and with
 * VM_MAYWRITE cleared so mprotect(PROT_WRITE) fails. Each part is mapped at
 * most once per capture; the VMAs can be neither split (may_split), moved
 * (mremap), copied to a child (VM_DONTCOPY, which VM_IO keeps
 * MADV_DOFORK from clearing) nor grown (VM_DONTEXPAND).
 * Every VMA is counted by mmap and our open/close (mappings gauge).
 *
 * Each open file (capture) has an address_space of its own: the i_mapping
 * of an inode of our internal pseudo filesystem, as DRM gives its devices
 * one (drm_fs_inode_new()). open() points file->f_mapping at it, so every
 * VMA of the file, a child's inherited copy included, is linked into its
 * i_mmap tree, at file offsets 0 (control part) and win_offset (windows).
 * unmap_mapping_range() over a range of those offsets then takes exactly
 * this capture's pages out of every page table that shows them.
 */
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/pseudo_fs.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "compat.h"
#include "skbremap_mod.h"

/* "SKBR": the superblock magic of the internal filesystem. */
#define SKBREMAP_FS_MAGIC	0x534b4252

/*
 * The internal mount, there while any capture has an inode on it. Rule:
 * simple_pin_fs()/simple_release_fs() count and serialise it themselves.
 */
static struct vfsmount *skbremap_fs_mnt;
static int skbremap_fs_count;

static int skbremap_fs_init_fs_context(struct fs_context *fc)
{
	return init_pseudo(fc, SKBREMAP_FS_MAGIC) ? 0 : -ENOMEM;
}

static struct file_system_type skbremap_fs_type = {
	.name		= "skbremap",
	.owner		= THIS_MODULE,
	.init_fs_context = skbremap_fs_init_fs_context,
	.kill_sb	= kill_anon_super,
};

/*
 * open(): the capture's own address_space. The caller points the file's
 * f_mapping at cap->inode->i_mapping before anything can mmap the file,
 * so mmap_region() links every VMA of it there (and counts VM_SHARED
 * ones against that same mapping, from mmap to munmap).
 */
int skbremap_mapping_create(struct skbremap_capture *cap)
{
	struct inode *inode;
	int err;

	err = simple_pin_fs(&skbremap_fs_type, &skbremap_fs_mnt,
			    &skbremap_fs_count);
	if (err)
		return err;
	inode = alloc_anon_inode(skbremap_fs_mnt->mnt_sb);
	if (IS_ERR(inode)) {
		simple_release_fs(&skbremap_fs_mnt, &skbremap_fs_count);
		return PTR_ERR(inode);
	}
	cap->inode = inode;
	return 0;
}

/*
 * release(): no VMA is left (each holds the file), so the i_mmap tree is
 * empty and the inode goes with its last reference.
 */
void skbremap_mapping_destroy(struct inode *inode)
{
	if (!inode)
		return;
	WARN_ON_ONCE(mapping_mapped(inode->i_mapping));
	iput(inode);
	simple_release_fs(&skbremap_fs_mnt, &skbremap_fs_count);
}

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

/* An empty data slot (window not published) or a taken-back one. */
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
		left = cap->layout.info_pages;
		err = vm_insert_pages(vma, addr, cap->wins[i].info_pages,
				      &left);
		if (err)
			return err;	/* mmap_region() unmaps what we did */
		if (!skbremap_resident(cap))
			continue;
		left = cap->layout.pages_per_window;
		err = vm_insert_pages(vma, addr + skbremap_info_bytes(cap),
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
	/* open() set it: the VMA joins the capture's own i_mmap tree. */
	if (WARN_ON_ONCE(file->f_mapping != cap->inode->i_mapping))
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

	vm_flags_clear(vma, VM_MAYEXEC);
	/*
	 * VM_IO: madvise(MADV_DOFORK) refuses to clear VM_DONTCOPY on it
	 * (mm/madvise.c), so no child ever inherits a part: a copied VMA
	 * would keep the pages it showed, and the capture, alive after the
	 * opener closed it (the take-back would unmap the child's PTEs, but
	 * nothing would ever release its windows). vm_insert_pages() and
	 * unmap_mapping_range() do not look at VM_IO.
	 */
	vm_flags_set(vma, VM_MIXEDMAP | VM_DONTEXPAND | VM_DONTDUMP |
		     VM_DONTCOPY | VM_IO);
	if (kind == SKBREMAP_MAP_CTL) {
		err = remap_vmalloc_range(vma, cap->ctl, 0);
	} else {
		vm_flags_clear(vma, VM_MAYWRITE);
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

/*
 * Page @slot of @kw's data within the windows part: the one place the
 * layout is turned into page numbers. The windows VMA starts at page 0
 * (win_addr) and at file offset win_offset (vm_pgoff), so the same number
 * gives a slot's user address and its file offset.
 */
static unsigned long skbremap_slot_page(const struct skbremap_capture *cap,
					const struct skbremap_kwin *kw,
					u32 slot)
{
	u64 off = kw->win.index * cap->layout.win_stride +
		  skbremap_info_bytes(cap);

	return (unsigned long)(off >> PAGE_SHIFT) + slot;
}

static unsigned long skbremap_slot_addr(struct skbremap_capture *cap,
					const struct skbremap_kwin *kw, u32 slot)
{
	return cap->win_addr + (skbremap_slot_page(cap, kw, slot) << PAGE_SHIFT);
}

/*
 * Must hold cap->lock; may sleep (i_mmap_rwsem). The take-back: pages
 * [@first, @first + @npages) of the windows part leave every page table
 * that shows them, in every process that maps this capture's windows
 * (a child's inherited VMA too) and no other capture's, and no TLB holds
 * them when it returns (each VMA of the mapping's i_mmap tree is
 * unmapped under its i_mmap_rwsem). Needs no mmap_lock.
 */
void __skbremap_unmap_slots(struct skbremap_capture *cap, unsigned long first,
			    unsigned long npages)
{
	lockdep_assert_held(&cap->lock);
	/* A length of 0 would mean "to the end of the file". */
	if (!npages)
		return;
	unmap_mapping_range(cap->inode->i_mapping,
			    cap->layout.win_offset + ((u64)first << PAGE_SHIFT),
			    (u64)npages << PAGE_SHIFT, 1);
}

/* Widens [*lo, *hi) to cover [a, b); an empty range is lo == hi. */
static void skbremap_range_add(u32 *lo, u32 *hi, u32 a, u32 b)
{
	if (a >= b)
		return;
	if (*lo == *hi) {
		*lo = a;
		*hi = b;
		return;
	}
	*lo = min(*lo, a);
	*hi = max(*hi, b);
}

/*
 * Must hold mmap_lock and cap->lock; resident modes. Makes slots [lo, hi)
 * of @kw show what they should (remap[s], else the window's own page),
 * all in one vm_insert_pages(). With @unmap_first, slots in the range may still
 * show a page and are taken back first (one TLB flush); without, every
 * PTE in the range must be empty. On failure the whole range is left
 * unmapped and recorded as the window's hole.
 */
static int __skbremap_fill_slots(struct skbremap_capture *cap,
				 struct vm_area_struct *vma,
				 struct skbremap_kwin *kw, u32 lo, u32 hi,
				 bool unmap_first)
{
	unsigned long addr = skbremap_slot_addr(cap, kw, lo);
	unsigned long page = skbremap_slot_page(cap, kw, lo);
	unsigned long left = hi - lo;
	u32 s;
	int err;

	/* scratch is the bounce mode's; resident captures lend it here. */
	for (s = lo; s < hi; s++)
		cap->scratch[s - lo] = kw->remap[s] ?: kw->pages[s];
	if (unmap_first)
		__skbremap_unmap_slots(cap, page, hi - lo);
	err = vm_insert_pages(vma, addr, cap->scratch, &left);
	if (err) {
		/* What did get in comes out again: one hole, healed later. */
		__skbremap_unmap_slots(cap, page, hi - lo);
		kw->hole_lo = lo;
		kw->hole_hi = hi;
		return err;
	}
	kw->hole_lo = 0;
	kw->hole_hi = 0;
	return 0;
}

/*
 * Must hold mmap_lock and cap->lock. Inserts a window's data pages when
 * it is published, in one batch; on failure nothing of it stays mapped.
 *
 * Bounce: every data page, into empty slots (the take-back emptied them).
 * Resident modes: the own pages are mapped already; only the remapped
 * range (REMAP packets' skb pages) and the hole a previous release left
 * are inserted. When the remapped range lies within the hole (the usual
 * case once traffic is steady: the same slots carried skb pages last
 * time) the PTEs are empty and nothing is flushed; otherwise the range
 * is taken back first. One take-back at release plus, at most, one here
 * per window.
 */
int __skbremap_insert_window(struct skbremap_capture *cap,
			     struct vm_area_struct *vma,
			     struct skbremap_kwin *kw)
{
	unsigned long want = kw->win.pages_used, left = want;
	u32 lo, hi;
	bool unmap_first;
	int err;

	lockdep_assert_held(&cap->lock);
	if (skbremap_resident(cap)) {
		lo = kw->hole_lo;
		hi = kw->hole_hi;
		unmap_first = kw->remap_lo < kw->remap_hi &&
			      (lo == hi || kw->remap_lo < lo ||
			       kw->remap_hi > hi);
		skbremap_range_add(&lo, &hi, kw->remap_lo, kw->remap_hi);
		if (lo == hi)
			return 0;
		return __skbremap_fill_slots(cap, vma, kw, lo, hi,
					     unmap_first);
	}
	if (!want)
		return 0;
	err = vm_insert_pages(vma, skbremap_slot_addr(cap, kw, 0), kw->pages,
			      &left);
	if (err)
		__skbremap_unmap_window(cap, kw, want - left);
	return err;
}

/*
 * Must hold mmap_lock and cap->lock; resident modes, a window without
 * remapped slots (FREE). Unmaps @pages data slots of @kw from slot @first
 * and inserts the window's own pages there again, together with any hole
 * a release left (what a remapped slot costs; the calibration times it).
 * Page tables exist already (the take-back does not free them), so the
 * insert needs no allocation.
 */
int __skbremap_restore_slots(struct skbremap_capture *cap,
			     struct vm_area_struct *vma,
			     struct skbremap_kwin *kw, u32 first, u32 pages)
{
	u32 lo = first, hi = first + pages;
	int err;

	lockdep_assert_held(&cap->lock);
	if (WARN_ON_ONCE(!skbremap_resident(cap) ||
			 first + pages > kw->win.pages_max ||
			 kw->remap_lo != kw->remap_hi))
		return -EINVAL;
	skbremap_range_add(&lo, &hi, kw->hole_lo, kw->hole_hi);
	err = __skbremap_fill_slots(cap, vma, kw, lo, hi, true);
	if (err)
		pr_warn_ratelimited("capture %u: %u slots left unmapped (%d)\n",
				    cap->id, hi - lo, err);
	return err;
}

/*
 * Must hold cap->lock; at release (take-back, purge). Bounce: unmaps the
 * first @pages data slots. Resident: unmaps the remapped range only (the
 * skb pages go back with their skbs right after; the TLB is flushed
 * before __skbremap_unmap_slots() returns, so no CPU can still read them)
 * and leaves it a hole until the window's next publish.
 */
void __skbremap_unmap_window(struct skbremap_capture *cap,
			     struct skbremap_kwin *kw, u32 pages)
{
	lockdep_assert_held(&cap->lock);
	if (!skbremap_resident(cap)) {
		__skbremap_unmap_slots(cap, skbremap_slot_page(cap, kw, 0),
				       pages);
		return;
	}
	if (kw->remap_lo == kw->remap_hi)
		return;
	__skbremap_unmap_slots(cap, skbremap_slot_page(cap, kw, kw->remap_lo),
			       kw->remap_hi - kw->remap_lo);
	skbremap_range_add(&kw->hole_lo, &kw->hole_hi, kw->remap_lo,
			   kw->remap_hi);
}

/*
 * Must hold cap->lock. Forgets a window's remapped slots (their skbs are
 * about to be freed; any PTEs of them were taken back at release, or
 * went with the VMA, or were never made: FILLING).
 */
void __skbremap_remap_clear(struct skbremap_kwin *kw)
{
	u32 s;

	for (s = kw->remap_lo; s < kw->remap_hi; s++)
		kw->remap[s] = NULL;
	kw->remap_lo = 0;
	kw->remap_hi = 0;
}

/*
 * The remap-eligibility of an skb page (docs/architecture.md
 * "Delivery paths"): the rule of TCP zerocopy receive (can_map_frag() in
 * net/ipv4/tcp.c: not part of a compound page, no page->mapping, so no
 * page cache and no anonymous memory) plus what vm_insert_page() refuses
 * (slab, typed pages). Offset 0 and PAGE_SIZE long is the core's part.
 */
static bool skbremap_page_qualifies(struct page *page)
{
	return !PageCompound(page) && !page->mapping && !PageSlab(page) &&
	       !page_has_type(page) && !is_zone_device_page(page);
}

bool skbremap_skb_plan(const struct sk_buff *skb, u32 caplen,
		       struct skbremap_remap_plan *plan)
{
	const struct skb_shared_info *sh = skb_shinfo(skb);
	struct skbremap_frag fr[MAX_SKB_FRAGS + 1];
	bool own;
	u32 i;

	if (!sh->nr_frags)
		return false;
	/*
	 * Frags that may hold memory another party can still write or
	 * that is not plain packet data: a frag list, zerocopy TX (user
	 * pages), shared frags (sendfile/splice page cache), managed refs
	 * (io_uring). Any SKBFL_* at all: not ours to show.
	 */
	own = !skb_has_frag_list(skb) && !sh->flags;
	fr[0] = (struct skbremap_frag){ .len = skb_headlen(skb),
					.linear = true };
	for (i = 0; i < sh->nr_frags; i++) {
		const skb_frag_t *f = &sh->frags[i];

		fr[i + 1] = (struct skbremap_frag){
			.page_offset = skb_frag_off(f),
			.len = skb_frag_size(f),
			.exclusive = own &&
				     skbremap_page_qualifies(skb_frag_page(f)),
		};
	}
	return skbremap_remap_eligible(fr, sh->nr_frags + 1, caplen,
				       PAGE_SIZE, plan);
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
 * Must hold cap->lock. The window's info area: layout.info_pages pool pages
 * (zeroed, counted like every page user space sees), vmap()ed so that the
 * header and the entries are one array to write, whichever page an entry
 * falls in. User space maps the same pages, in the same order.
 */
static int __skbremap_info_get(struct skbremap_capture *cap,
			       struct skbremap_kwin *kw)
{
	u32 i, n = cap->layout.info_pages;

	kw->info_pages = kcalloc(n, sizeof(*kw->info_pages), GFP_KERNEL);
	if (!kw->info_pages)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		kw->info_pages[i] = skbremap_pool_get(cap);
		if (!kw->info_pages[i])
			return -ENOMEM;	/* __skbremap_info_put() undoes */
	}
	kw->info = vmap(kw->info_pages, n, VM_MAP, PAGE_KERNEL);
	return kw->info ? 0 : -ENOMEM;
}

/* Must hold cap->lock; undoes a whole or partial __skbremap_info_get(). */
static void __skbremap_info_put(struct skbremap_capture *cap,
				struct skbremap_kwin *kw)
{
	u32 i;

	if (kw->info)
		vunmap(kw->info);
	kw->info = NULL;
	if (!kw->info_pages)
		return;
	for (i = 0; i < cap->layout.info_pages; i++)
		if (kw->info_pages[i])
			skbremap_pool_put(cap, kw->info_pages[i]);
	kfree(kw->info_pages);
	kw->info_pages = NULL;
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
	u32 i, *slots;

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
	slots = kvcalloc(l->windows, sizeof(*slots), GFP_KERNEL);
	if (!slots)
		goto err;
	skbremap_uq_init(&cap->uq, slots, l->windows);
	cap->uq_scanned = jiffies - 1;
	for (i = 0; i < l->windows; i++) {
		kw = &cap->wins[i];
		skbremap_win_init(&kw->win, i, l->pages_per_window,
				  l->info_entries_max);
		__skb_queue_head_init(&kw->skbs);
		kw->pages = kcalloc(l->pages_per_window, sizeof(*kw->pages),
				    GFP_KERNEL);
		if (!kw->pages)
			goto err;
		if (__skbremap_info_get(cap, kw))
			goto err;
		if (!skbremap_resident(cap))
			continue;
		kw->remap = kcalloc(l->pages_per_window, sizeof(*kw->remap),
				    GFP_KERNEL);
		if (!kw->remap || __skbremap_resident_get(cap, kw))
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
			__skbremap_info_put(cap, &cap->wins[i]);
			if (skbremap_resident(cap))
				__skbremap_resident_put(cap, &cap->wins[i]);
			WARN_ON_ONCE(cap->wins[i].remap_lo !=
				     cap->wins[i].remap_hi);
			kfree(cap->wins[i].remap);
			kfree(cap->wins[i].pages);
		}
		kvfree(cap->wins);
		cap->wins = NULL;
	}
	kvfree(cap->uq.slot);
	skbremap_uq_init(&cap->uq, NULL, 0);
	kfree(cap->scratch);
	cap->scratch = NULL;
	vfree(cap->ctl);
	cap->ctl = NULL;
}
