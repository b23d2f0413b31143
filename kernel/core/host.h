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

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;

#define READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))
#define smp_store_release(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define smp_load_acquire(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define smp_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#define smp_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#endif

#endif /* SKBREMAP_CORE_HOST_H */
