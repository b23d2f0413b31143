/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the shared core needs from its host: fixed-width types, errno
 * values and the shared-memory accessors. In the kernel these are the
 * kernel's own; in user space (tools/emulator, tests/c) they are mapped
 * onto C11 atomics with the same ordering.
 */
#ifndef SKBREMAP_CORE_HOST_H
#define SKBREMAP_CORE_HOST_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/errno.h>
#include <linux/compiler.h>
#include <linux/string.h>
#include <asm/barrier.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <errno.h>
#include <linux/types.h>

/*
 * The kernel's u64 is __u64 (unsigned long long); so must ours be, or a
 * u64 * and a pointer to a __u64 field of a uapi struct would not mix.
 */
typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s32 s32;

/* Relaxed single-copy accesses, as the kernel's (scalars only). */
#define READ_ONCE(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
/* Orders earlier accesses before the store (the status word publish). */
#define smp_store_release(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
/* Orders the load (the status word) before later accesses. */
#define smp_load_acquire(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
/* Orders earlier stores before later stores (info/data before seq). */
#define smp_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
/* Orders earlier loads before later loads. */
#define smp_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#endif

#endif /* SKBREMAP_CORE_HOST_H */
