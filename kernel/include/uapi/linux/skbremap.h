/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * skbremap: zero-copy packet capture by remapping pages into user space.
 *
 * This header is the only definition of the ABI between skbremap.ko (and
 * its user-space emulation, tools/emulator) and its consumers (remapd,
 * remapctl). The C# mirror in daemon/RemapDaemon.Protocol/Abi is checked against it
 * by a test that compiles C. A new layout is a new SKBREMAP_ABI_VERSION,
 * never a silent change.
 *
 * Markings: (k) written by the kernel only, (u) written by user space only,
 * (k/u) written by both under the protocol described at the field.
 * Everything (u) is hostile input to the kernel.
 *
 * The region of one capture (one open() of /dev/skbremap) is two mappings,
 * both MAP_SHARED, each of exactly the size SKBREMAP_IOC_LAYOUT returns:
 *
 *   mmap offset 0, ctl_size bytes, PROT_READ | PROT_WRITE
 *   +----------------------------------------------------------------+
 *   | struct skbremap_ctl_hdr (k)                                    |
 *   | struct skbremap_win_ctl[windows] at win_ctl_offset (k/u)       |
 *   +----------------------------------------------------------------+
 *   the control part: the only user-writable memory of the region.
 *
 *   mmap offset win_offset, win_size bytes, PROT_READ only
 *   (VM_MAYWRITE cleared: mprotect(PROT_WRITE) fails)
 *   +------------+--------+--------+-----+--------+------------+-----
 *   | info pages | data 0 | data 1 | ... | data   | info pages | ...
 *   | window 0   |        |        |     | P - 1  | window 1   |
 *   +------------+--------+--------+-----+--------+------------+-----
 *   |<------------------- win_stride ------------>|
 *
 * Each window is I = info_pages info pages (one info area: the header,
 * then the entries, which may cross from one info page into the next)
 * followed by P = pages_per_window data pages. "The info page" below means
 * that whole area. The kernel fills a window (in a worker; a capture whose packets
 * all take the RING path, in the packet hook, as tpacket_rcv() does), then
 * publishes it:
 *
 *   kernel (publish)                     user space (consume)
 *   write data pages, info page          s = load_acquire(&ctl->status)
 *   flush_dcache_page(), smp_wmb()       if (s != SKBREMAP_WIN_READY) wait
 *   WRITE_ONCE(ctl->seq, seq)            read ctl->seq, info page, data
 *   store_release(&ctl->status, READY)   store_release(&ctl->status,
 *   wake poll waiters                                    RELEASED)
 *
 * After RELEASED the window belongs to the kernel again: it unmaps the
 * window's data pages, frees the skbs that backed them and reuses the
 * window. The kernel keeps its own record of who owns each window and
 * reads ctl->status only for windows it has handed to user space; any
 * other value than RELEASED means "still in use". A window whose status
 * user space forges gains it nothing: the kernel never trusts a (u) field
 * for anything but "this window may be taken back".
 *
 * Delivery paths (additions within ABI version 1, issue 3). Every packet
 * reaches its window by one of three paths, recorded in its entry's path:
 *
 *   BOUNCE  copied into a zeroed page of the module's pool, at a small
 *           fixed offset (never one derived from a kernel address; read
 *           it from the entry); that page holds this packet only.
 *   REMAP   the packet's own pages are inserted (read-only) into the
 *           window: only whole pages (offset 0, PAGE_SIZE bytes) that hold
 *           this skb's data and nothing else (see docs/architecture.md,
 *           "Delivery paths"); the rest of the packet (linear head, a
 *           partial last frag) is copied into pool pages around them so
 *           that the packet is contiguous in the window, or, where that is
 *           impossible, described by segment entries (SCATTER below). The
 *           skb and its pages stay referenced until the window's release.
 *   RING    copied packed (each packet starts SKBREMAP_RING_ALIGN-aligned
 *           after the previous one) into pool pages; several packets may
 *           share a page. That is safe in RING pages only: a ring page
 *           holds nothing but this capture's copied packet data (zeroed
 *           when allocated, then only written with packets this capture
 *           delivers), never kernel memory and never another capture's
 *           data, so whatever a consumer can see around a packet is an
 *           earlier packet of its own capture or zeros.
 *
 * struct skbremap_config.mode picks the policy (SKBREMAP_MODE_*): BOUNCE
 * only; REMAP (remap where the pages qualify, bounce otherwise); RING
 * only; ADAPTIVE (the default, mode 0): caplen < copy_threshold -> RING,
 * caplen >= copy_threshold and pages qualify -> REMAP, otherwise BOUNCE.
 * copy_threshold 0 means "calibrate at START" (copy vs remap cost per
 * page measured on this host); the effective value, and the mode, are in
 * struct skbremap_stats.
 *
 * How pool pages are shown depends on the mode:
 *   BOUNCE          a window's pool pages are inserted when it is
 *                   published and zapped when it is released (issue 2).
 *   RING, REMAP,    every window's pool pages are inserted once, when the
 *   ADAPTIVE        windows part is mmap()ed, and stay ("resident"): a
 *                   copy costs no page-table change. A data slot that
 *                   carries a remapped page has its pool page zapped and
 *                   the packet's page inserted at publish, and gets its
 *                   pool page back at release. The window status words
 *                   are the ring's per-slot status: same protocol as above.
 * Resident pool pages are readable at any time, also while the kernel
 * fills their window; they only ever hold this capture's packet data.
 * A consumer reads a window only between READY and RELEASED, as always.
 *
 * Scatter: an entry with SKBREMAP_PKT_SCATTER is a packet head: its
 * caplen is the packet's total, page and offset are 0, and its data are
 * in the .segments (2..SKBREMAP_MAX_SEGMENTS) entries that follow it at
 * once in the info page, each flagged SKBREMAP_PKT_SEGMENT, each
 * describing one contiguous run of bytes (page, offset, caplen, path) in
 * packet order; their caplens sum to the head's caplen; every other field
 * of a segment entry is 0. info_hdr.count counts heads and segments.
 * Consumers check index + segments < count and each segment's bounds as
 * an entry's, and refuse a segment that is not after its head. A consumer
 * that does not know SCATTER sees a nonzero .segments where it expects a
 * zero reserved field, and refuses the window: it fails safe.
 */
#ifndef _UAPI_LINUX_SKBREMAP_H
#define _UAPI_LINUX_SKBREMAP_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define SKBREMAP_MAGIC		0x52424b53	/* "SKBR" little-endian */
#define SKBREMAP_INFO_MAGIC	0x4f464e49	/* "INFO" little-endian */
#define SKBREMAP_ABI_VERSION	1

#define SKBREMAP_DEVICE_NAME	"skbremap"	/* /dev/skbremap */

/* Limits a configuration is checked against (SKBREMAP_IOC_CONFIGURE). */
#define SKBREMAP_MIN_WINDOWS		2
#define SKBREMAP_MAX_WINDOWS		256
#define SKBREMAP_MAX_PAGES_PER_WINDOW	512
#define SKBREMAP_MAX_INFO_PAGES		64
#define SKBREMAP_MAX_SNAPLEN		262144
#define SKBREMAP_MAX_RETIRE_USEC	10000000	/* 10 s */
#define SKBREMAP_MAX_QUEUE_LIMIT	65536
#define SKBREMAP_MAX_FILTER_INSNS	4096	/* BPF_MAXINSNS */

/* Defaults used for a field left 0 in struct skbremap_config. */
#define SKBREMAP_DEF_WINDOWS		16
#define SKBREMAP_DEF_PAGES_PER_WINDOW	64
#define SKBREMAP_DEF_RETIRE_USEC	10000	/* 10 ms */
#define SKBREMAP_DEF_QUEUE_LIMIT	4096

/* struct skbremap_version.features */
#define SKBREMAP_FEAT_BOUNCE	(1U << 0)	/* bounce path */
#define SKBREMAP_FEAT_FILTER	(1U << 1)	/* SKBREMAP_IOC_SET_FILTER */
#define SKBREMAP_FEAT_RING	(1U << 2)	/* SKBREMAP_MODE_RING, PATH_RING */
#define SKBREMAP_FEAT_REMAP	(1U << 3)	/* SKBREMAP_MODE_REMAP, PATH_REMAP */
#define SKBREMAP_FEAT_ADAPTIVE	(1U << 4)	/* SKBREMAP_MODE_ADAPTIVE and
						 * copy_threshold calibration
						 */
#define SKBREMAP_FEAT_SCATTER	(1U << 5)	/* may publish SCATTER entries */
#define SKBREMAP_FEAT_INFO_PAGES (1U << 6)	/* config.info_pages > 1 */
#define SKBREMAP_FEAT_MEM_LIMIT	(1U << 7)	/* stats.drop_mem_limit,
						 * skb_bytes_held, mem_limit;
						 * global.skb_bytes_held
						 */

/*
 * struct skbremap_config.mode. The values of BOUNCE, REMAP and RING equal
 * the SKBREMAP_PATH_* they force. A host without the matching feature bit
 * refuses the mode with -EOPNOTSUPP at CONFIGURE; for mode 0 it takes the
 * best it has (ADAPTIVE, else BOUNCE) and reports it in stats.mode.
 */
#define SKBREMAP_MODE_DEFAULT	0	/* = ADAPTIVE where supported */
#define SKBREMAP_MODE_BOUNCE	1
#define SKBREMAP_MODE_REMAP	2
#define SKBREMAP_MODE_RING	3
#define SKBREMAP_MODE_ADAPTIVE	4

/* RING path: every packed packet starts at a multiple of this in its window. */
#define SKBREMAP_RING_ALIGN		16
/* Largest copy_threshold; any value above every caplen means "never remap". */
#define SKBREMAP_MAX_COPY_THRESHOLD	(1U << 24)
/* Most segment entries one SCATTER packet may have. */
#define SKBREMAP_MAX_SEGMENTS		64

/* SKBREMAP_IOC_VERSION: the first call of every consumer. */
struct skbremap_version {
	__u32 magic;		/* (k) SKBREMAP_MAGIC */
	__u32 abi_version;	/* (k) SKBREMAP_ABI_VERSION */
	__u32 page_size;	/* (k) PAGE_SIZE of the host */
	__u32 features;		/* (k) SKBREMAP_FEAT_* */
	__u64 reserved[2];	/* (k) zero */
};

/*
 * SKBREMAP_IOC_CONFIGURE: size the region. Allowed only while the capture is
 * stopped and nothing is mapped. A field left 0 takes its SKBREMAP_DEF_*.
 */
struct skbremap_config {
	__u32 windows;		/* (u) MIN_WINDOWS..MAX_WINDOWS */
	__u32 pages_per_window;	/* (u) data pages, 1..MAX_PAGES_PER_WINDOW */
	__u32 snaplen;		/* (u) 0 = whole packet, else 1..MAX_SNAPLEN */
	__u32 retire_usec;	/* (u) publish a part-full window after this */
	__u32 queue_limit;	/* (u) skbs queued between hook and worker */
	__u32 flags;		/* (u) none defined: must be 0 */
	__u32 mode;		/* (u) a mode, see SKBREMAP_MODE_BOUNCE;
				 * 0 = ADAPTIVE (added in v1: was the low
				 * half of reserved[0])
				 */
	__u32 copy_threshold;	/* (u) ADAPTIVE: bytes; caplen below -> RING;
				 * 0 = calibrate at START;
				 * 1..SKBREMAP_MAX_COPY_THRESHOLD (added in v1:
				 * was the high half of reserved[0])
				 */
	__u32 info_pages;	/* (u) info pages per window: 0 = 1,
				 * 1..SKBREMAP_MAX_INFO_PAGES; each holds
				 * about 85 more entries (added in v1: was
				 * the low half of reserved[0])
				 */
	__u32 reserved0;	/* (u) must be 0 */
};

/* SKBREMAP_IOC_LAYOUT: where everything is; consumers use these, not sizeof. */
struct skbremap_layout {
	__u64 ctl_offset;	/* (k) mmap offset of the control part: 0 */
	__u64 ctl_size;		/* (k) its exact mmap length */
	__u64 win_offset;	/* (k) mmap offset of window 0 */
	__u64 win_size;		/* (k) exact mmap length of all windows */
	__u64 win_stride;	/* (k) bytes from one window to the next */
	__u32 windows;		/* (k) number of windows */
	__u32 pages_per_window;	/* (k) data pages per window */
	__u32 page_size;	/* (k) */
	__u32 snaplen;		/* (k) effective snaplen (0 = whole packet) */
	__u32 info_hdr_size;	/* (k) sizeof(struct skbremap_info_hdr) */
	__u32 info_entry_size;	/* (k) sizeof(struct skbremap_info_entry) */
	__u32 info_entries_max;	/* (k) entries that fit in the info pages */
	__u32 win_ctl_offset;	/* (k) offset of win_ctl[0] in the control part */
	__u32 win_ctl_size;	/* (k) sizeof(struct skbremap_win_ctl) */
	__u32 info_pages;	/* (k) info pages at the start of every window;
				 * data page 0 is at info_pages * page_size
				 * (added in v1: was reserved0, always 1)
				 */
	__u64 reserved[4];	/* (k) zero */
};

/* SKBREMAP_IOC_BIND: which packets the hook sees. Only while stopped. */
struct skbremap_bind {
	__s32 ifindex;		/* (u) 0 = all interfaces */
	__u32 flags;		/* (u) none defined: must be 0 */
	__u64 reserved;		/* (u) must be 0 */
};

/*
 * SKBREMAP_IOC_SET_FILTER: select packets in the hook, before anything is
 * queued, cloned or remapped. The program is classic BPF as pcap_compile()
 * makes it for DLT_EN10MB (struct sock_filter of <linux/filter.h>, the
 * same layout as libpcap's struct bpf_insn). It runs on the frame from its
 * link-layer (Ethernet) header, as it was on the wire: a VLAN tag the
 * stack moved into metadata (SKBREMAP_PKT_VLAN) is put back in front of
 * the program, as libpcap puts it back for tcpdump. Its return value is
 * the number of bytes to capture: 0 drops the packet (counted in
 * stats.filtered), anything else caps caplen (for a packet whose tag is
 * in metadata, the value minus the tag's 4 bytes), which the configured
 * snaplen caps too; wirelen is always the frame's length. A shift by X
 * of 32 or more gives 0 in the emulator and shifts by X & 31 in the
 * module (see filter_check.c); nothing else differs.
 *
 * The module loads the program with the kernel's own cBPF machinery, the
 * emulator runs it with libpcap's bpf_filter(); both first apply the same
 * checks (kernel/core/filter_check.c): 1..SKBREMAP_MAX_FILTER_INSNS
 * instructions, known opcodes only, every jump inside the program, the
 * last instruction a RET, no division or modulo by a constant 0, scratch
 * memory indices below 16 and read only after written, no shift by a
 * constant of 32 or more, no load at a negative offset (SKF_AD_OFF and
 * the like: libpcap cannot run them). -EINVAL otherwise, and the filter
 * in place stays. -EFAULT when insns cannot be read.
 *
 * Allowed running or stopped. Replacing is atomic: every packet is judged
 * by either the old program or the new one, never by neither or a mix.
 * The filter stays across STOP/START until replaced, removed or close().
 */
struct skbremap_filter {
	__u32 len;		/* (u) instructions; 0 = remove the filter
				 * (insns is then ignored)
				 */
	__u32 flags;		/* (u) none defined: must be 0 */
	__u64 insns;		/* (u) user pointer to struct sock_filter[len] */
};

/*
 * SKBREMAP_IOC_STATS: counters of this capture. Every counter only grows
 * (never reset) except the ones marked "gauge". After SKBREMAP_IOC_STOP
 * has returned:
 *   seen == captured + filtered + drop_queue_full + drop_no_window
 *           + drop_nomem + drop_too_big + drop_mem_limit
 *   captured == bounced + remapped + copied
 * and while running the difference is in_flight.
 */
struct skbremap_stats {
	__u64 seen;		/* packets handed to the hook that matched bind */
	__u64 captured;		/* packets in a published window */
	__u64 captured_bytes;	/* sum of their captured lengths */
	__u64 wire_bytes;	/* sum of their wire lengths */
	__u64 drop_queue_full;	/* hook: queue at queue_limit */
	__u64 drop_no_window;	/* every window held by user space (or the
				 * windows part unmapped)
				 */
	__u64 drop_nomem;	/* skb clone or page allocation failed */
	__u64 drop_too_big;	/* larger than a window's data pages */
	__u64 in_flight;	/* gauge: queued or in a filling window */
	__u64 windows_published;
	__u64 windows_retired;	/* published part-full by the retire timeout */
	__u64 windows_released;	/* taken back after user space released them */
	__u64 windows_user;	/* gauge: published and not yet released */
	__u64 bounced;		/* packets copied into a pool page (bounce) */
	__u64 pages_mapped;	/* data pages inserted into the region */
	__u64 pages_held;	/* gauge: pool pages this capture holds */
	__u64 skbs_held;	/* gauge: skbs kept until their window's release */
	__u64 skbs_freed;	/* skbs freed after release (deferred free) */
	__u64 bad_release;	/* ctl status values that were neither
				 * READY nor RELEASED (user scribbled)
				 */
	__u64 filtered;		/* hook: rejected by the filter program */
	/* Added in v1 (issue 3), taken from reserved[]: */
	__u64 remapped;		/* packets delivered by PATH_REMAP */
	__u64 copied;		/* packets copied into ring pages (PATH_RING) */
	__u64 pages_remapped;	/* packet pages inserted by PATH_REMAP */
	__u64 mode;		/* gauge: the effective mode (0: a host
				 * that predates modes, i.e. BOUNCE)
				 */
	__u64 copy_threshold;	/* gauge: effective threshold (ADAPTIVE) */
	__u64 calib_copy_ns;	/* gauge: calibration's cost of copying one
				 * page, ns (0: threshold set by config)
				 */
	__u64 calib_remap_ns;	/* gauge: calibration's cost of remapping one
				 * page (insert + zap, amortised), ns
				 */
	/* Added in v1 (SKBREMAP_FEAT_MEM_LIMIT), taken from reserved[]: */
	__u64 drop_mem_limit;	/* the capture held mem_limit bytes already */
	__u64 skb_bytes_held;	/* gauge: truesize of the skbs it holds
				 * (queued, or kept until their window's
				 * release)
				 */
	__u64 mem_limit;	/* gauge: most bytes of skbs (truesize) and
				 * per-packet pool pages it may hold; the
				 * region's own pages are not counted
				 */
	__u64 reserved[2];	/* zero */
};

/*
 * SKBREMAP_IOC_GLOBAL: gauges over the captures the caller may see. "The
 * caller" is the open file: its network namespace is the opener's at
 * open(), its credentials the opener's.
 *  - Opened in the initial network namespace with CAP_SYS_ADMIN in the
 *    initial user namespace (the host's administrator): module-wide, every
 *    namespace, including what closed captures still hold. After every
 *    capture is closed all of them are 0; that is how teardown is proven.
 *  - Anyone else: sums over the open captures of the file's own network
 *    namespace (this one included); nothing of other namespaces.
 */
struct skbremap_global {
	__u64 captures;		/* gauge: open captures */
	__u64 pages_held;	/* gauge: pool pages allocated, all captures */
	__u64 skbs_held;	/* gauge: skbs referenced, all captures */
	__u64 mappings;		/* gauge: live VMAs of our regions */
	__u64 skb_bytes_held;	/* gauge: truesize of the skbs held, all
				 * captures (added in v1,
				 * SKBREMAP_FEAT_MEM_LIMIT: was reserved[0])
				 */
	__u64 reserved[3];	/* zero */
};

/*
 * SKBREMAP_IOC_CAPTURES: one open capture of the module (of the process, in
 * the emulator), for remapctl. Set index to 0, 1, 2, ... until -ENOENT.
 * Only captures opened in the same network namespace as the file asking
 * are listed (index counts those alone), whoever asks: a container sees
 * its own captures, the host its own, neither the other's. pid is as
 * seen from the asking process's pid namespace (0 if not visible there).
 */
struct skbremap_capture_info {
	__u32 index;		/* (u) which capture */
	__u32 id;		/* (k) capture id, unique since load */
	__s32 pid;		/* (k) thread group of the opener */
	__s32 ifindex;		/* (k) bound interface, 0 = all */
	__u32 running;		/* (k) 1 between START and STOP */
	__u32 windows;		/* (k) windows in the region (0: no region) */
	__u32 windows_free;	/* (k) kernel-owned, empty */
	__u32 windows_filling;	/* (k) kernel-owned, being filled */
	__u32 windows_user;	/* (k) published, not yet released */
	__u32 pages_per_window;	/* (k) */
	__u32 snaplen;		/* (k) */
	__u32 info_pages;	/* (k) info pages per window (added in v1:
				 * was reserved0)
				 */
	struct skbremap_stats stats;	/* (k) as SKBREMAP_IOC_STATS */
	__u64 reserved[4];	/* (k) zero */
};

/* Control part header at offset 0 of the region. */
struct skbremap_ctl_hdr {
	__u32 magic;		/* (k) SKBREMAP_MAGIC */
	__u32 abi_version;	/* (k) SKBREMAP_ABI_VERSION */
	__u32 windows;		/* (k) */
	__u32 pages_per_window;	/* (k) */
	__u64 reserved[6];	/* (k) zero */
};

/* struct skbremap_win_ctl.status */
#define SKBREMAP_WIN_KERNEL	0	/* (k) kernel owns it (free or filling) */
#define SKBREMAP_WIN_READY	1	/* (k) published: user space owns it */
#define SKBREMAP_WIN_RELEASED	2	/* (u) user space is done with it */

/* One per window, in the control part at win_ctl_offset. */
struct skbremap_win_ctl {
	__u32 status;		/* (k/u) SKBREMAP_WIN_*, see the top comment */
	__u32 reserved0;	/* zero */
	__u64 seq;		/* (k) sequence number of the published window */
};

/* struct skbremap_info_hdr.flags */
#define SKBREMAP_INFO_RETIRED	(1U << 0)	/* published part-full on timeout */
#define SKBREMAP_INFO_FLUSH	(1U << 1)	/* published part-full on stop */

/* First bytes of every window's info page (all (k)). */
struct skbremap_info_hdr {
	__u32 magic;		/* SKBREMAP_INFO_MAGIC */
	__u32 abi_version;	/* SKBREMAP_ABI_VERSION */
	__u64 seq;		/* window sequence number: 1, 2, 3, ... */
	__u32 count;		/* entries that follow the header */
	__u32 pages_used;	/* data pages holding packet data */
	__u64 drops;		/* packets dropped since the previous window */
	__u32 flags;		/* SKBREMAP_INFO_* */
	__u32 window;		/* index of this window in the region */
	__u64 reserved[3];	/* zero */
};

/* struct skbremap_info_entry.path: how the data got into the window */
#define SKBREMAP_PATH_BOUNCE	1	/* copied into a zeroed pool page */
#define SKBREMAP_PATH_REMAP	2	/* the packet's own pages inserted (v1
					 * addition); a contiguous packet may
					 * start and end in pool pages holding
					 * its copied head and tail
					 */
#define SKBREMAP_PATH_RING	3	/* copied packed into ring pages mapped
					 * once (v1 addition)
					 */

/* struct skbremap_info_entry.flags */
#define SKBREMAP_PKT_VLAN	(1U << 0)	/* vlan_tci/vlan_proto valid: the
						 * tag was in skb metadata, not in
						 * the data (put it back as libpcap
						 * does)
						 */
#define SKBREMAP_PKT_TRUNCATED	(1U << 1)	/* caplen < wirelen */
#define SKBREMAP_PKT_SCATTER	(1U << 2)	/* head: data in .segments
						 * segment entries that follow
						 * (v1 addition, see the top)
						 */
#define SKBREMAP_PKT_SEGMENT	(1U << 3)	/* one run of a SCATTER
						 * packet's data (v1 addition)
						 */

/*
 * One per packet, after the info header (all (k)). Unless it is flagged
 * SKBREMAP_PKT_SCATTER, the packet's captured bytes are contiguous in the
 * window's data area: they start at byte .offset of data page number .page
 * and run on into the following pages. Consumers check page, offset and
 * caplen against pages_used before touching data. A SCATTER head is
 * followed by .segments SKBREMAP_PKT_SEGMENT entries (see the top).
 */
struct skbremap_info_entry {
	__u32 page;		/* first data page, 0..pages_per_window - 1 */
	__u32 offset;		/* byte offset in that page */
	__u32 caplen;		/* bytes present */
	__u32 wirelen;		/* bytes on the wire */
	__u64 tstamp_ns;	/* CLOCK_REALTIME nanoseconds (skb->tstamp) */
	__s32 ifindex;		/* receiving or sending interface */
	__u16 protocol;		/* skb->protocol, network byte order */
	__u8 pkttype;		/* PACKET_HOST, PACKET_OUTGOING, ... */
	__u8 path;		/* SKBREMAP_PATH_* */
	__u16 vlan_tci;		/* host byte order, if SKBREMAP_PKT_VLAN */
	__u16 vlan_proto;	/* network byte order, if SKBREMAP_PKT_VLAN */
	__u32 flags;		/* SKBREMAP_PKT_* */
	__u32 segments;		/* SCATTER head: segment entries that follow;
				 * else 0 (v1 addition: was the low half of
				 * a u64 reserved)
				 */
	__u32 reserved;		/* zero */
};

#define SKBREMAP_IOC_MAGIC	0xbb

#define SKBREMAP_IOC_VERSION	_IOR(SKBREMAP_IOC_MAGIC, 0x00, struct skbremap_version)
#define SKBREMAP_IOC_CONFIGURE	_IOW(SKBREMAP_IOC_MAGIC, 0x01, struct skbremap_config)
#define SKBREMAP_IOC_LAYOUT	_IOR(SKBREMAP_IOC_MAGIC, 0x02, struct skbremap_layout)
#define SKBREMAP_IOC_BIND	_IOW(SKBREMAP_IOC_MAGIC, 0x03, struct skbremap_bind)
#define SKBREMAP_IOC_START	_IO(SKBREMAP_IOC_MAGIC, 0x04)
#define SKBREMAP_IOC_STOP	_IO(SKBREMAP_IOC_MAGIC, 0x05)
#define SKBREMAP_IOC_STATS	_IOR(SKBREMAP_IOC_MAGIC, 0x06, struct skbremap_stats)
#define SKBREMAP_IOC_GLOBAL	_IOR(SKBREMAP_IOC_MAGIC, 0x07, struct skbremap_global)
#define SKBREMAP_IOC_CAPTURES	_IOWR(SKBREMAP_IOC_MAGIC, 0x08, struct skbremap_capture_info)
#define SKBREMAP_IOC_SET_FILTER	_IOW(SKBREMAP_IOC_MAGIC, 0x09, struct skbremap_filter)

#endif /* _UAPI_LINUX_SKBREMAP_H */
