/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel API differences between the kernels skbremap.ko builds
 * against (Debian 6.1, 6.12, 7.3), all of them here: one shim per line of
 * change, named after the newer API, so the rest of the module is written
 * against the newest kernel. Each shim tests for the feature, never for a
 * version (a backport moves the feature, not the version): a macro of the
 * kernel's where there is one, else Kbuild looks for the symbol in the
 * kernel's headers and says so with -DSKBREMAP_HAVE_* (kernel/Kbuild).
 *
 * Changes that need no shim, because the module uses API every one of these
 * kernels has:
 *   - 6.12 removed no_llseek: device.c sets no .llseek; stream_open()
 *     clears FMODE_LSEEK, so lseek() fails with -ESPIPE on all of them.
 *   - 6.11 renamed skb->mono_delivery_time to tstamp_type: hook.c reads
 *     skb_tstamp(), which is 0 for a delivery time on all of them.
 *   - 7.3 keeps ETH_P_ALL hooks per netns and refuses (WARN, no hook) one
 *     with neither af_packet_net nor dev: capture.c sets af_packet_net,
 *     a field all of them have (6.1 and 6.12 use it for /proc/net/ptype).
 *   - 7.3 no longer pulls <net/dst.h> in through the headers hook.c
 *     includes: hook.c includes it for skb_dst_drop(), declared there on
 *     all of them.
 *   - 6.3 removed zap_page_range() for zap_page_range_single(), which 7.3
 *     calls zap_vma_range(), and 7.3 exports no zap_vma_ptes(): the
 *     take-back is unmap_mapping_range() on the capture's own
 *     address_space (remap.c), the same name and export on all of them.
 */
#ifndef SKBREMAP_COMPAT_H
#define SKBREMAP_COMPAT_H

#include <linux/mm.h>

/*
 * 6.3 made vma->vm_flags read-only: vm_flags_set()/vm_flags_clear(). They
 * are inline functions, with no macro to test for: Kbuild looks for them
 * in <linux/mm.h> (SKBREMAP_HAVE_VM_FLAGS_SET).
 */
#ifndef SKBREMAP_HAVE_VM_FLAGS_SET
static inline void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags |= flags;
}

static inline void vm_flags_clear(struct vm_area_struct *vma,
				  vm_flags_t flags)
{
	vma->vm_flags &= ~flags;
}
#endif

#endif /* SKBREMAP_COMPAT_H */
