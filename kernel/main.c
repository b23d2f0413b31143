// SPDX-License-Identifier: GPL-2.0
/*
 * skbremap.ko: zero-copy packet capture by remapping pages into the
 * capture process (the netdev thread in the project's seed). Module init
 * and exit, the module-wide gauges and the list of open captures.
 */
#include <linux/module.h>
#include <linux/workqueue.h>

#include "skbremap_mod.h"

struct skbremap_gauges skbremap_gauges;
struct workqueue_struct *skbremap_wq;

/* Open captures, for SKBREMAP_IOC_CAPTURES and the netdevice notifier. */
LIST_HEAD(skbremap_captures);
/*
 * Rule: skbremap_captures_lock covers membership of skbremap_captures; it
 * ranks below rtnl (the notifier holds rtnl) and above every cap->lock.
 */
DEFINE_MUTEX(skbremap_captures_lock);

/*
 * The ADAPTIVE threshold for captures that configure none (0): 0 means
 * "calibrate at START". Read once per CONFIGURE (and at open), so a
 * change applies to captures configured after it.
 */
unsigned int skbremap_copy_threshold_param;
module_param_named(copy_threshold, skbremap_copy_threshold_param, uint, 0644);
MODULE_PARM_DESC(copy_threshold,
		 "adaptive mode: remap packets of at least this many bytes when a capture configures no threshold (0 = calibrate at start)");

/*
 * Whether a capture on the RING path alone (ring mode, adaptive that never
 * remaps) copies in the hook (1, the default: worker.c's direct path) or
 * through the queue and the worker as the other paths do (0; what the
 * benchmark compares it with). Read at a capture's first START: its path
 * mode is kept for the region's life.
 */
bool skbremap_direct_param = true;
module_param_named(direct_copy, skbremap_direct_param, bool, 0644);
MODULE_PARM_DESC(direct_copy,
		 "ring path: copy packets in the hook (1, default) or in the worker (0); read at a capture's first start");

/*
 * TEST ONLY. Nonzero: a calibration that could time the remap (a FREE
 * window was there) reports this threshold instead of the crossover it
 * measured, clamped to 1..SKBREMAP_MAX_COPY_THRESHOLD; a calibration that
 * could not time it still gives "never remap". Under TCG the measured
 * crossover is always "never", so this is how the VM lanes make an
 * adaptive capture take the worker and the REMAP path with a calibrated
 * (not configured) threshold. Read at each calibration. Not for
 * production: the threshold it gives is not a measurement.
 */
unsigned int skbremap_test_calibrated_threshold_param;
module_param_named(test_calibrated_threshold,
		   skbremap_test_calibrated_threshold_param, uint, 0644);
MODULE_PARM_DESC(test_calibrated_threshold,
		 "TEST ONLY, not for production: nonzero replaces the threshold a calibration measured with this value (0 = off, the default)");

static int __init skbremap_init(void)
{
	int err;

	/* Unbound: a worker may sleep on page allocation and mmap_lock. */
	skbremap_wq = alloc_workqueue("skbremap", WQ_UNBOUND, 0);
	if (!skbremap_wq)
		return -ENOMEM;
	err = skbremap_netdev_notifier_register();
	if (err)
		goto err_destroy_wq;
	err = skbremap_device_register();
	if (err)
		goto err_unregister_notifier;
	pr_info("ABI %u loaded\n", SKBREMAP_ABI_VERSION);
	return 0;

err_unregister_notifier:
	skbremap_netdev_notifier_unregister();
err_destroy_wq:
	destroy_workqueue(skbremap_wq);
	return err;
}

/* No capture is open: each holds the module through its file. */
static void __exit skbremap_exit(void)
{
	skbremap_device_unregister();
	skbremap_netdev_notifier_unregister();
	destroy_workqueue(skbremap_wq);
	pr_info("unloaded: captures=%lld pages_held=%lld skbs_held=%lld mappings=%lld\n",
		atomic64_read(&skbremap_gauges.captures),
		atomic64_read(&skbremap_gauges.pages_held),
		atomic64_read(&skbremap_gauges.skbs_held),
		atomic64_read(&skbremap_gauges.mappings));
}

module_init(skbremap_init);
module_exit(skbremap_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Zero-copy packet capture by remapping pages (skbremap)");
MODULE_AUTHOR("RemapDaemon");
