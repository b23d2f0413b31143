// SPDX-License-Identifier: GPL-2.0
/*
 * skbremap_tbench.ko: times the take-back of released pages, the way
 * skbremap.ko used to do it (zap_page_range() on the VMA, removed in 6.3)
 * against the way it does it now (unmap_mapping_range() on the capture's
 * own address_space, remap.c), on the same VMA and the same pages. Only
 * for kernels that still have zap_page_range() (Debian 6.1): it compares
 * the two there; tools/bench/takeback/run.sh boots it in the VM.
 *
 * /dev/skbremap_tbench: open() gets an inode of an internal filesystem as
 * skbremap.ko does and points f_mapping at it; mmap() of TBENCH_PAGES
 * pages (MAP_SHARED, read-only) inserts our pages with vm_insert_pages().
 * ioctls, each on the caller's own mapping:
 *   TBENCH_IOC_FILL   n: insert pages [0, n) again (after a take-back)
 *   TBENCH_IOC_OLD    n: zap_page_range() of pages [0, n), returns ns
 *   TBENCH_IOC_NEW    n: unmap_mapping_range() of pages [0, n), returns ns
 */
#include <linux/fs.h>
#include <linux/ktime.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/pseudo_fs.h>
#include <linux/slab.h>

#define TBENCH_PAGES		64
#define TBENCH_IOC_FILL		_IO('T', 1)
#define TBENCH_IOC_OLD		_IO('T', 2)
#define TBENCH_IOC_NEW		_IO('T', 3)

struct tbench {
	struct inode *inode;
	struct page *pages[TBENCH_PAGES];
	unsigned long addr;		/* vm_start, 0 until mmap */
	struct mutex lock;		/* serialises the ioctls */
};

static struct vfsmount *tbench_mnt;
static int tbench_count;

static int tbench_init_fs_context(struct fs_context *fc)
{
	return init_pseudo(fc, 0x54424e43) ? 0 : -ENOMEM;
}

static struct file_system_type tbench_fs_type = {
	.name		= "skbremap_tbench",
	.owner		= THIS_MODULE,
	.init_fs_context = tbench_init_fs_context,
	.kill_sb	= kill_anon_super,
};

static int tbench_open(struct inode *inode, struct file *file)
{
	struct tbench *tb;
	int i, err;

	tb = kzalloc(sizeof(*tb), GFP_KERNEL);
	if (!tb)
		return -ENOMEM;
	mutex_init(&tb->lock);
	for (i = 0; i < TBENCH_PAGES; i++) {
		tb->pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!tb->pages[i])
			goto err_pages;
	}
	err = simple_pin_fs(&tbench_fs_type, &tbench_mnt, &tbench_count);
	if (err)
		goto err_pages;
	tb->inode = alloc_anon_inode(tbench_mnt->mnt_sb);
	if (IS_ERR(tb->inode)) {
		err = PTR_ERR(tb->inode);
		simple_release_fs(&tbench_mnt, &tbench_count);
		goto err_pages;
	}
	file->f_mapping = tb->inode->i_mapping;
	file->private_data = tb;
	return 0;
err_pages:
	while (i--)
		__free_page(tb->pages[i]);
	kfree(tb);
	return err ?: -ENOMEM;
}

static int tbench_release(struct inode *inode, struct file *file)
{
	struct tbench *tb = file->private_data;
	int i;

	file->f_mapping = inode->i_mapping;
	iput(tb->inode);
	simple_release_fs(&tbench_mnt, &tbench_count);
	for (i = 0; i < TBENCH_PAGES; i++)
		__free_page(tb->pages[i]);
	kfree(tb);
	return 0;
}

static vm_fault_t tbench_fault(struct vm_fault *vmf)
{
	return VM_FAULT_SIGBUS;
}

static const struct vm_operations_struct tbench_vm_ops = {
	.fault = tbench_fault,
};

static int tbench_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct tbench *tb = file->private_data;
	unsigned long left = TBENCH_PAGES;
	int err;

	if (vma->vm_pgoff || vma->vm_end - vma->vm_start !=
	    TBENCH_PAGES * PAGE_SIZE || !(vma->vm_flags & VM_SHARED) ||
	    (vma->vm_flags & VM_WRITE))
		return -EINVAL;
	mutex_lock(&tb->lock);
	err = -EBUSY;
	if (tb->addr)
		goto out;
	vma->vm_flags |= VM_MIXEDMAP | VM_DONTEXPAND | VM_DONTCOPY;
	vma->vm_flags &= ~VM_MAYWRITE;
	vma->vm_ops = &tbench_vm_ops;
	err = vm_insert_pages(vma, vma->vm_start, tb->pages, &left);
	if (!err)
		tb->addr = vma->vm_start;
out:
	mutex_unlock(&tb->lock);
	return err;
}

static long tbench_ioctl(struct file *file, unsigned int cmd,
			 unsigned long arg)
{
	struct tbench *tb = file->private_data;
	struct mm_struct *mm = current->mm;
	unsigned long left = arg;
	struct vm_area_struct *vma;
	long ret = -EINVAL;
	u64 t;

	if (!arg || arg > TBENCH_PAGES)
		return -EINVAL;
	mmap_read_lock(mm);
	mutex_lock(&tb->lock);
	vma = tb->addr ? vma_lookup(mm, tb->addr) : NULL;
	if (!vma || vma->vm_ops != &tbench_vm_ops)
		goto out;
	switch (cmd) {
	case TBENCH_IOC_FILL:
		ret = vm_insert_pages(vma, vma->vm_start, tb->pages, &left);
		break;
	case TBENCH_IOC_OLD:	/* skbremap.ko's take-back until now */
		t = ktime_get_ns();
		zap_page_range(vma, vma->vm_start, arg << PAGE_SHIFT);
		ret = ktime_get_ns() - t;
		break;
	case TBENCH_IOC_NEW:	/* __skbremap_unmap_slots() */
		t = ktime_get_ns();
		unmap_mapping_range(file->f_mapping, 0, arg << PAGE_SHIFT, 1);
		ret = ktime_get_ns() - t;
		break;
	}
out:
	mutex_unlock(&tb->lock);
	mmap_read_unlock(mm);
	return ret;
}

static const struct file_operations tbench_fops = {
	.owner		= THIS_MODULE,
	.open		= tbench_open,
	.release	= tbench_release,
	.mmap		= tbench_mmap,
	.unlocked_ioctl	= tbench_ioctl,
};

static struct miscdevice tbench_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "skbremap_tbench",
	.fops	= &tbench_fops,
	.mode	= 0600,
};

module_misc_device(tbench_misc);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("skbremap: take-back benchmark, zap_page_range vs unmap_mapping_range");
MODULE_AUTHOR("RemapDaemon");
