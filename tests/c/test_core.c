// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the shared core (kernel/core), built in user space with
 * ASan/UBSan: configuration limits, region layout, mmap classification,
 * the window state machine, info-page encoding and the hostile reading of
 * user-written status words.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "harness.h"
#include "skbremap_core.h"

#define PS 4096u

_Static_assert(sizeof(struct skbremap_info_hdr) == 64, "info hdr");
_Static_assert(sizeof(struct skbremap_info_entry) == 48, "info entry");
_Static_assert(sizeof(struct skbremap_win_ctl) == 16, "win ctl");
_Static_assert(sizeof(struct skbremap_ctl_hdr) == 64, "ctl hdr");

/* ---- config ---------------------------------------------------------- */

static int resolve(struct skbremap_config in, struct skbremap_config *out)
{
	return skbremap_config_resolve(&in, out);
}

static void config_zero_takes_every_default(void)
{
	struct skbremap_config out;

	memset(&out, 0xa5, sizeof(out));
	REQUIRE(resolve((struct skbremap_config){ 0 }, &out) == 0);
	CHECK_EQ(out.windows, SKBREMAP_DEF_WINDOWS);
	CHECK_EQ(out.pages_per_window, SKBREMAP_DEF_PAGES_PER_WINDOW);
	CHECK_EQ(out.snaplen, 0);
	CHECK_EQ(out.retire_usec, SKBREMAP_DEF_RETIRE_USEC);
	CHECK_EQ(out.queue_limit, SKBREMAP_DEF_QUEUE_LIMIT);
	CHECK_EQ(out.flags, 0);
	CHECK_EQ(out.mode, SKBREMAP_MODE_DEFAULT);
	CHECK_EQ(out.copy_threshold, 0);
	CHECK_EQ(out.info_pages, 1);
	CHECK_EQ(out.reserved0, 0);
}

static void config_rejects_flags_and_reserved(void)
{
	struct skbremap_config out, in = { 0 };

	in.flags = 1;
	CHECK_EQ(resolve(in, &out), -EINVAL);
	in.flags = 0x80000000u;
	CHECK_EQ(resolve(in, &out), -EINVAL);
	in.flags = 0;
	in.reserved0 = 1;
	CHECK_EQ(resolve(in, &out), -EINVAL);
	in.reserved0 = 0x80000000u;
	CHECK_EQ(resolve(in, &out), -EINVAL);
}

static void config_info_pages_are_checked_and_kept(void)
{
	struct skbremap_config out, in = { 0 };

	in.info_pages = 1;
	CHECK_EQ(resolve(in, &out), 0);
	CHECK_EQ(out.info_pages, 1);
	in.info_pages = SKBREMAP_MAX_INFO_PAGES;
	CHECK_EQ(resolve(in, &out), 0);
	CHECK_EQ(out.info_pages, SKBREMAP_MAX_INFO_PAGES);
	in.info_pages = SKBREMAP_MAX_INFO_PAGES + 1;
	CHECK_EQ(resolve(in, &out), -EINVAL);
	in.info_pages = 0xffffffffu;
	CHECK_EQ(resolve(in, &out), -EINVAL);
}

static void config_mode_and_copy_threshold_are_checked_and_kept(void)
{
	struct skbremap_config out, in = { 0 };

	in.mode = SKBREMAP_MODE_ADAPTIVE;
	in.copy_threshold = SKBREMAP_MAX_COPY_THRESHOLD;
	CHECK_EQ(resolve(in, &out), 0);
	CHECK_EQ(out.mode, SKBREMAP_MODE_ADAPTIVE);
	CHECK_EQ(out.copy_threshold, SKBREMAP_MAX_COPY_THRESHOLD);
	in.mode = SKBREMAP_MODE_ADAPTIVE + 1;
	CHECK_EQ(resolve(in, &out), -EINVAL);
	in.mode = UINT32_MAX;
	CHECK_EQ(resolve(in, &out), -EINVAL);
	in.mode = SKBREMAP_MODE_RING;
	in.copy_threshold = SKBREMAP_MAX_COPY_THRESHOLD + 1;
	CHECK_EQ(resolve(in, &out), -EINVAL);
	in.copy_threshold = UINT32_MAX;
	CHECK_EQ(resolve(in, &out), -EINVAL);
}

/* Accepts lo..hi, rejects hi+1 and UINT32_MAX; 0 means the default. */
#define BOUNDARY(field, lo, hi)						\
	do {								\
		struct skbremap_config in = { 0 }, out;			\
		in.field = (lo);					\
		CHECK_EQ(resolve(in, &out), 0);				\
		CHECK_EQ(out.field, (lo));				\
		in.field = (hi);					\
		CHECK_EQ(resolve(in, &out), 0);				\
		CHECK_EQ(out.field, (hi));				\
		in.field = (hi) + 1;					\
		CHECK_EQ(resolve(in, &out), -EINVAL);			\
		in.field = UINT32_MAX;					\
		CHECK_EQ(resolve(in, &out), -EINVAL);			\
	} while (0)

static void config_accepts_every_limit_and_rejects_one_past(void)
{
	struct skbremap_config in = { 0 }, out;

	BOUNDARY(windows, SKBREMAP_MIN_WINDOWS, SKBREMAP_MAX_WINDOWS);
	BOUNDARY(pages_per_window, 1, SKBREMAP_MAX_PAGES_PER_WINDOW);
	BOUNDARY(snaplen, 1, SKBREMAP_MAX_SNAPLEN);
	BOUNDARY(retire_usec, 1, SKBREMAP_MAX_RETIRE_USEC);
	BOUNDARY(queue_limit, 1, SKBREMAP_MAX_QUEUE_LIMIT);

	in.windows = SKBREMAP_MIN_WINDOWS - 1;	/* 1: below the minimum */
	CHECK_EQ(resolve(in, &out), -EINVAL);
}

static void config_error_leaves_output_untouched(void)
{
	struct skbremap_config in = { 0 }, out, before;

	memset(&out, 0x5a, sizeof(out));
	before = out;
	in.windows = SKBREMAP_MAX_WINDOWS + 1;
	CHECK_EQ(resolve(in, &out), -EINVAL);
	CHECK(!memcmp(&out, &before, sizeof(out)));
}

/* ---- layout ---------------------------------------------------------- */

static void layout_of_defaults(void)
{
	struct skbremap_config c;
	struct skbremap_layout l;
	u64 stride = (u64)(1 + SKBREMAP_DEF_PAGES_PER_WINDOW) * PS;

	skbremap_config_resolve(&(struct skbremap_config){ 0 }, &c);
	memset(&l, 0xff, sizeof(l));
	skbremap_layout_fill(&c, PS, &l);
	CHECK_EQ(l.ctl_offset, 0);
	CHECK_EQ(l.ctl_size, PS);
	CHECK_EQ(l.win_offset, PS);
	CHECK_EQ(l.win_stride, stride);
	CHECK_EQ(l.win_size, stride * SKBREMAP_DEF_WINDOWS);
	CHECK_EQ(l.windows, SKBREMAP_DEF_WINDOWS);
	CHECK_EQ(l.pages_per_window, SKBREMAP_DEF_PAGES_PER_WINDOW);
	CHECK_EQ(l.page_size, PS);
	CHECK_EQ(l.snaplen, 0);
	CHECK_EQ(l.info_hdr_size, 64);
	CHECK_EQ(l.info_entry_size, 48);
	CHECK_EQ(l.info_entries_max, (PS - 64) / 48);
	CHECK_EQ(l.win_ctl_offset, sizeof(struct skbremap_ctl_hdr));
	CHECK_EQ(l.win_ctl_size, sizeof(struct skbremap_win_ctl));
	CHECK_EQ(l.info_pages, 1);
	for (int i = 0; i < 4; i++)
		CHECK_EQ(l.reserved[i], 0);
}

static void layout_control_part_grows_by_whole_pages(void)
{
	struct skbremap_config c = { .windows = SKBREMAP_MAX_WINDOWS,
				     .pages_per_window =
					     SKBREMAP_MAX_PAGES_PER_WINDOW,
				     .snaplen = 1500 };
	struct skbremap_layout l;
	u64 ctl_bytes = 64 + 16ULL * SKBREMAP_MAX_WINDOWS;	/* 4160 */

	skbremap_layout_fill(&c, PS, &l);
	CHECK_EQ(l.ctl_size, 2 * PS);
	CHECK(l.ctl_size >= ctl_bytes);
	CHECK_EQ(l.win_offset, l.ctl_size);
	CHECK_EQ(l.win_stride, 513ULL * PS);
	CHECK_EQ(l.win_size, 513ULL * PS * 256);
	CHECK_EQ(l.snaplen, 1500);

	/* 64 KiB pages: everything scales, no u32 overflow in win_size. */
	skbremap_layout_fill(&c, 65536, &l);
	CHECK_EQ(l.ctl_size, 65536);
	CHECK_EQ(l.win_size, 513ULL * 65536 * 256);
	CHECK_EQ(l.info_entries_max, (65536 - 64) / 48);
}

static void layout_every_window_fits_the_entries_it_announces(void)
{
	CHECK_EQ(skbremap_info_entries_max(4096, 1), 84);
	CHECK(64 + 48 * skbremap_info_entries_max(4096, 1) <= 4096);
	CHECK(64 + 48 * (skbremap_info_entries_max(4096, 1) + 1) > 4096);
	for (u32 n = 1; n <= SKBREMAP_MAX_INFO_PAGES; n++) {
		u32 max = skbremap_info_entries_max(4096, n);

		CHECK(64 + 48ULL * max <= 4096ULL * n);
		CHECK(64 + 48ULL * (max + 1) > 4096ULL * n);
	}
	CHECK_EQ(skbremap_info_entries_max(4096, 7), 596);
	CHECK_EQ(skbremap_info_entries_max(65536, SKBREMAP_MAX_INFO_PAGES),
		 (65536 * 64 - 64) / 48);
}

static void layout_info_pages_come_before_the_data_pages(void)
{
	struct skbremap_config c = { .windows = 4, .pages_per_window = 16,
				     .info_pages = 7 };
	struct skbremap_layout l;

	skbremap_layout_fill(&c, PS, &l);
	CHECK_EQ(l.info_pages, 7);
	CHECK_EQ(l.win_stride, 23ULL * PS);
	CHECK_EQ(l.win_size, 4 * 23ULL * PS);
	CHECK_EQ(l.info_entries_max, (7 * PS - 64) / 48);
	/* An unresolved 0 is one info page, as before info_pages existed. */
	c.info_pages = 0;
	skbremap_layout_fill(&c, PS, &l);
	CHECK_EQ(l.info_pages, 1);
	CHECK_EQ(l.win_stride, 17ULL * PS);
}

/* ---- mmap check ------------------------------------------------------ */

static void mmap_check_accepts_exactly_the_two_parts(void)
{
	struct skbremap_config c;
	struct skbremap_layout l;

	skbremap_config_resolve(&(struct skbremap_config){ 0 }, &c);
	skbremap_layout_fill(&c, PS, &l);
	CHECK_EQ(skbremap_mmap_check(&l, 0, l.ctl_size, true),
		 SKBREMAP_MAP_CTL);
	CHECK_EQ(skbremap_mmap_check(&l, 0, l.ctl_size, false),
		 SKBREMAP_MAP_CTL);
	CHECK_EQ(skbremap_mmap_check(&l, l.win_offset, l.win_size, false),
		 SKBREMAP_MAP_WINDOWS);
	CHECK_EQ(skbremap_mmap_check(&l, l.win_offset, l.win_size, true),
		 -EPERM);
}

static void mmap_check_rejects_every_other_offset_and_length(void)
{
	struct skbremap_config c;
	struct skbremap_layout l;

	skbremap_config_resolve(&(struct skbremap_config){ 0 }, &c);
	skbremap_layout_fill(&c, PS, &l);
	CHECK_EQ(skbremap_mmap_check(&l, 0, l.ctl_size - PS, true), -EINVAL);
	CHECK_EQ(skbremap_mmap_check(&l, 0, l.ctl_size + PS, true), -EINVAL);
	CHECK_EQ(skbremap_mmap_check(&l, 0, 0, false), -EINVAL);
	CHECK_EQ(skbremap_mmap_check(&l, 0, l.ctl_size + l.win_size, false),
		 -EINVAL);
	CHECK_EQ(skbremap_mmap_check(&l, l.win_offset, l.win_size - PS,
				     false), -EINVAL);
	CHECK_EQ(skbremap_mmap_check(&l, l.win_offset, l.win_size + PS,
				     false), -EINVAL);
	CHECK_EQ(skbremap_mmap_check(&l, l.win_offset + PS, l.win_size - PS,
				     false), -EINVAL);
	CHECK_EQ(skbremap_mmap_check(&l, l.win_offset, l.ctl_size, false),
		 -EINVAL);
	CHECK_EQ(skbremap_mmap_check(&l, 0, l.win_size, false), -EINVAL);
	CHECK_EQ(skbremap_mmap_check(&l, PS / 2, l.ctl_size, false), -EINVAL);
	CHECK_EQ(skbremap_mmap_check(&l, UINT64_MAX, UINT64_MAX, false),
		 -EINVAL);
	/* A wrong length of the windows part is -EINVAL even if writable. */
	CHECK_EQ(skbremap_mmap_check(&l, l.win_offset, PS, true), -EINVAL);
}

/* ---- window state machine ------------------------------------------- */

static void window_open_only_from_free(void)
{
	struct skbremap_win w;

	skbremap_win_init(&w, 3, 8, 84);
	CHECK_EQ(w.state, SKBREMAP_WS_FREE);
	CHECK_EQ(w.index, 3);
	CHECK_EQ(skbremap_win_open(&w), 0);
	CHECK_EQ(w.state, SKBREMAP_WS_FILLING);
	CHECK_EQ(skbremap_win_open(&w), -EBUSY);
	w.state = SKBREMAP_WS_USER;
	CHECK_EQ(skbremap_win_open(&w), -EBUSY);
}

static void window_place_never_shares_a_page(void)
{
	struct skbremap_win w;
	u32 page, entry, i;

	skbremap_win_init(&w, 0, 8, 84);
	skbremap_win_open(&w);
	for (i = 0; i < 8; i++) {
		REQUIRE(skbremap_win_place(&w, 2, 1, PS, &page, &entry) == 0);
		CHECK_EQ(page, i);
		CHECK_EQ(entry, i);
		CHECK_EQ(w.pages_used, i + 1);
	}
	CHECK_EQ(skbremap_win_place(&w, 2, 1, PS, &page, &entry), -ENOSPC);
	CHECK_EQ(w.count, 8);
	CHECK_EQ(w.pages_used, 8);
}

static void window_place_spans_pages_from_the_offset(void)
{
	struct skbremap_win w;
	u32 page, entry;

	skbremap_win_init(&w, 0, 8, 84);
	skbremap_win_open(&w);
	/* 4094 bytes at offset 2: exactly one page. */
	CHECK_EQ(skbremap_win_place(&w, 2, PS - 2, PS, &page, &entry), 0);
	CHECK_EQ(w.pages_used, 1);
	/* 4095 at offset 2: two pages. */
	CHECK_EQ(skbremap_win_place(&w, 2, PS - 1, PS, &page, &entry), 0);
	CHECK_EQ(page, 1);
	CHECK_EQ(w.pages_used, 3);
	/* 9000 at offset 0: three pages; then five are left. */
	CHECK_EQ(skbremap_win_place(&w, 0, 9000, PS, &page, &entry), 0);
	CHECK_EQ(page, 3);
	CHECK_EQ(w.pages_used, 6);
	/* Three pages do not fit in the two left: -ENOSPC, nothing moves. */
	CHECK_EQ(skbremap_win_place(&w, 0, 2 * PS + 1, PS, &page, &entry),
		 -ENOSPC);
	CHECK_EQ(w.pages_used, 6);
	CHECK_EQ(w.count, 3);
	CHECK_EQ(skbremap_win_place(&w, 0, 2 * PS, PS, &page, &entry), 0);
	CHECK_EQ(w.pages_used, 8);
}

static void window_place_enospc_when_entries_run_out(void)
{
	struct skbremap_win w;
	u32 page, entry, i;

	skbremap_win_init(&w, 0, 512, 84);
	skbremap_win_open(&w);
	for (i = 0; i < 84; i++)
		REQUIRE(skbremap_win_place(&w, 0, 60, PS, &page, &entry) == 0);
	CHECK_EQ(entry, 83);
	CHECK_EQ(skbremap_win_place(&w, 0, 60, PS, &page, &entry), -ENOSPC);
	CHECK_EQ(w.count, 84);
	CHECK_EQ(w.pages_used, 84);
}

static void window_place_rejects_bad_arguments_and_states(void)
{
	struct skbremap_win w;
	u32 page = 77, entry = 77;

	skbremap_win_init(&w, 0, 8, 84);
	CHECK_EQ(skbremap_win_place(&w, 0, 60, PS, &page, &entry), -EINVAL);
	skbremap_win_open(&w);
	CHECK_EQ(skbremap_win_place(&w, 0, 0, PS, &page, &entry), -EINVAL);
	CHECK_EQ(skbremap_win_place(&w, PS, 1, PS, &page, &entry), -EINVAL);
	CHECK_EQ(skbremap_win_place(&w, UINT32_MAX, 1, PS, &page, &entry),
		 -EINVAL);
	/* No u32 wrap: offset + len past 2^32 needs more pages, not fewer. */
	CHECK_EQ(skbremap_win_place(&w, PS - 1, UINT32_MAX, PS, &page,
				    &entry), -ENOSPC);
	CHECK_EQ(page, 77);
	CHECK_EQ(entry, 77);
	CHECK_EQ(w.count, 0);
}

static void window_fits_empty_boundaries(void)
{
	CHECK(skbremap_win_fits_empty(1, 0, PS, PS));
	CHECK(!skbremap_win_fits_empty(1, 0, PS + 1, PS));
	CHECK(skbremap_win_fits_empty(1, 2, PS - 2, PS));
	CHECK(!skbremap_win_fits_empty(1, 2, PS - 1, PS));
	CHECK(skbremap_win_fits_empty(64, 0, SKBREMAP_MAX_SNAPLEN, PS));
	CHECK(!skbremap_win_fits_empty(64, 2, SKBREMAP_MAX_SNAPLEN, PS));
	CHECK(!skbremap_win_fits_empty(8, 0, 0, PS));
	CHECK(!skbremap_win_fits_empty(8, PS, 1, PS));
	CHECK(!skbremap_win_fits_empty(512, PS - 1, UINT32_MAX, PS));
	CHECK(!skbremap_win_fits_empty(0, 0, 1, PS));
}

static void window_publish_then_release_then_reclaim(void)
{
	struct skbremap_win w;
	struct skbremap_win_ctl ctl = { 0 };
	u32 page, entry;
	u64 bad = 0;

	skbremap_win_init(&w, 1, 8, 84);
	skbremap_win_open(&w);
	skbremap_win_place(&w, 0, 100, PS, &page, &entry);
	/* A FILLING window is never "released", whatever the word says. */
	ctl.status = SKBREMAP_WIN_RELEASED;
	CHECK(!skbremap_win_released(&w, &ctl, &bad));
	CHECK_EQ(bad, 0);

	skbremap_win_publish(&w, 42, &ctl);
	CHECK_EQ(w.state, SKBREMAP_WS_USER);
	CHECK_EQ(w.seq, 42);
	CHECK_EQ(ctl.seq, 42);
	CHECK_EQ(ctl.status, SKBREMAP_WIN_READY);
	CHECK(!skbremap_win_released(&w, &ctl, &bad));
	CHECK_EQ(bad, 0);

	__atomic_store_n(&ctl.status, SKBREMAP_WIN_RELEASED, __ATOMIC_RELEASE);
	CHECK(skbremap_win_released(&w, &ctl, &bad));
	CHECK_EQ(bad, 0);
	skbremap_win_reclaim(&w, &ctl);
	CHECK_EQ(w.state, SKBREMAP_WS_FREE);
	CHECK_EQ(w.count, 0);
	CHECK_EQ(w.pages_used, 0);
	CHECK_EQ(ctl.status, SKBREMAP_WIN_KERNEL);
	CHECK_EQ(skbremap_win_open(&w), 0);
}

static void window_abandon_frees_a_filling_window(void)
{
	struct skbremap_win w;
	u32 page, entry;

	skbremap_win_init(&w, 0, 8, 84);
	skbremap_win_open(&w);
	skbremap_win_place(&w, 0, 5000, PS, &page, &entry);
	skbremap_win_abandon(&w);
	CHECK_EQ(w.state, SKBREMAP_WS_FREE);
	CHECK_EQ(w.count, 0);
	CHECK_EQ(w.pages_used, 0);
}

static void user_queue_keeps_publish_order_across_wrap(void)
{
	u32 slot[4], i;
	struct skbremap_user_queue q;

	skbremap_uq_init(&q, slot, 4);
	CHECK_EQ(q.len, 0);
	/* Published 2, 3, 0, 1; the two oldest go back in order. */
	CHECK_EQ(skbremap_uq_push(&q, 2), 0);
	CHECK_EQ(skbremap_uq_push(&q, 3), 0);
	CHECK_EQ(skbremap_uq_push(&q, 0), 0);
	CHECK_EQ(skbremap_uq_push(&q, 1), 0);
	CHECK_EQ(skbremap_uq_push(&q, 1), -ENOSPC);
	CHECK_EQ(q.len, 4);
	CHECK_EQ(skbremap_uq_at(&q, 0), 2);
	skbremap_uq_pop(&q);
	skbremap_uq_pop(&q);
	/* The ring wraps: 2 and 3 again, after 0 and 1. */
	CHECK_EQ(skbremap_uq_push(&q, 2), 0);
	CHECK_EQ(skbremap_uq_push(&q, 3), 0);
	for (i = 0; i < 4; i++)
		CHECK_EQ(skbremap_uq_at(&q, i), (i + 0) % 4);
	skbremap_uq_clear(&q);
	CHECK_EQ(q.len, 0);
	skbremap_uq_pop(&q);	/* empty: nothing happens */
	CHECK_EQ(q.len, 0);
}

static void user_queue_remove_at_keeps_the_others_in_order(void)
{
	u32 slot[5], i;
	struct skbremap_user_queue q;
	static const u32 want[] = { 4, 0, 2 };

	skbremap_uq_init(&q, slot, 5);
	/* Start near the ring's end so the removal crosses the wrap. */
	for (i = 0; i < 3; i++) {
		skbremap_uq_push(&q, 9);
		skbremap_uq_pop(&q);
	}
	for (i = 0; i < 5; i++)
		skbremap_uq_push(&q, (i + 4) % 5);	/* 4 0 1 2 3 */
	skbremap_uq_remove_at(&q, 2);			/* 4 0 2 3 */
	skbremap_uq_remove_at(&q, 3);			/* 4 0 2 */
	skbremap_uq_remove_at(&q, 3);			/* past the end: no-op */
	CHECK_EQ(q.len, 3);
	for (i = 0; i < 3; i++)
		CHECK_EQ(skbremap_uq_at(&q, i), want[i]);
}

/* ---- hostile status words ------------------------------------------- */

static void hostile_status_words_keep_the_window_and_count(void)
{
	static const u32 garbage[] = { SKBREMAP_WIN_KERNEL, 3, 4, 0x100,
				       0x80000002u, 0xffffffffu };
	struct skbremap_win w;
	struct skbremap_win_ctl ctl = { 0 };
	u64 bad = 0;
	size_t i;

	skbremap_win_init(&w, 0, 8, 84);
	skbremap_win_open(&w);
	skbremap_win_publish(&w, 1, &ctl);
	for (i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
		ctl.status = garbage[i];
		CHECK(!skbremap_win_released(&w, &ctl, &bad));
		CHECK_EQ(bad, i + 1);
		CHECK_EQ(w.state, SKBREMAP_WS_USER);
	}
	/* Forged seq is ignored: the core keeps its own. */
	ctl.seq = 999;
	ctl.status = SKBREMAP_WIN_RELEASED;
	CHECK(skbremap_win_released(&w, &ctl, &bad));
	CHECK_EQ(w.seq, 1);
	CHECK_EQ(bad, 6);
}

static void hostile_status_words_on_kernel_windows_are_not_read(void)
{
	struct skbremap_win w;
	struct skbremap_win_ctl ctl;
	u64 bad = 0;

	skbremap_win_init(&w, 0, 8, 84);
	ctl.status = 0xdeadbeef;
	CHECK(!skbremap_win_released(&w, &ctl, &bad));	/* FREE */
	skbremap_win_open(&w);
	CHECK(!skbremap_win_released(&w, &ctl, &bad));	/* FILLING */
	CHECK_EQ(bad, 0);
	/* Publishing overwrites whatever user space scribbled. */
	skbremap_win_publish(&w, 7, &ctl);
	CHECK_EQ(ctl.status, SKBREMAP_WIN_READY);
}

/* ---- info encoding --------------------------------------------------- */

static void info_ctl_init_writes_header_and_zeroes_the_rest(void)
{
	struct skbremap_config c = { .windows = 4, .pages_per_window = 2 };
	struct skbremap_layout l;
	struct skbremap_ctl_hdr *h;
	u8 *ctl;
	u64 i;

	skbremap_config_resolve(&c, &c);
	skbremap_layout_fill(&c, PS, &l);
	ctl = malloc(l.ctl_size);
	REQUIRE(ctl);
	memset(ctl, 0xaa, l.ctl_size);
	skbremap_ctl_init(ctl, &l);
	h = (struct skbremap_ctl_hdr *)ctl;
	CHECK_EQ(h->magic, SKBREMAP_MAGIC);
	CHECK_EQ(h->abi_version, SKBREMAP_ABI_VERSION);
	CHECK_EQ(h->windows, 4);
	CHECK_EQ(h->pages_per_window, 2);
	for (i = 16; i < l.ctl_size; i++)
		if (ctl[i])
			break;
	CHECK_EQ(i, l.ctl_size);
	CHECK((u8 *)skbremap_win_ctl_at(ctl, &l, 0) == ctl + 64);
	CHECK((u8 *)skbremap_win_ctl_at(ctl, &l, 3) == ctl + 64 + 3 * 16);
	CHECK_EQ(skbremap_win_ctl_at(ctl, &l, 3)->status, SKBREMAP_WIN_KERNEL);
	free(ctl);
}

static void info_page_encoding_is_byte_exact(void)
{
	u8 *page = malloc(PS);
	struct skbremap_info_hdr *h = (struct skbremap_info_hdr *)page;
	struct skbremap_info_entry e = {
		.page = 5, .offset = 2, .caplen = 1500, .wirelen = 9000,
		.tstamp_ns = 0x1122334455667788ULL, .ifindex = -3,
		.protocol = 0x0008, .pkttype = 4, .path = SKBREMAP_PATH_BOUNCE,
		.vlan_tci = 0x0123, .vlan_proto = 0x0081,
		.flags = SKBREMAP_PKT_VLAN | SKBREMAP_PKT_TRUNCATED,
	};
	struct skbremap_win w;
	u32 pg, ent;

	REQUIRE(page);
	memset(page, 0xaa, PS);
	skbremap_info_begin(page, 9);
	CHECK_EQ(h->magic, SKBREMAP_INFO_MAGIC);
	CHECK_EQ(h->abi_version, SKBREMAP_ABI_VERSION);
	CHECK_EQ(h->window, 9);
	CHECK_EQ(h->seq, 0);
	CHECK_EQ(h->count, 0);
	CHECK_EQ(h->reserved[0] | h->reserved[1] | h->reserved[2], 0);
	/* "INFO" little-endian in the first four bytes. */
	CHECK(!memcmp(page, "INFO", 4));

	skbremap_info_put(page, 83, &e);
	CHECK(!memcmp(page + 64 + 83 * 48, &e, sizeof(e)));
	CHECK_EQ(page[64 + 83 * 48 + 48 - 1 + 0], 0);	/* reserved */
	CHECK_EQ(page[64 + 83 * 48 + 30], 4);		/* pkttype */
	CHECK_EQ(page[64 + 83 * 48 + 31], SKBREMAP_PATH_BOUNCE);

	skbremap_win_init(&w, 9, 8, 84);
	skbremap_win_open(&w);
	skbremap_win_place(&w, 2, 5000, PS, &pg, &ent);
	skbremap_info_finish(page, &w, 17, 3, SKBREMAP_INFO_RETIRED);
	CHECK_EQ(h->seq, 17);
	CHECK_EQ(h->count, 1);
	CHECK_EQ(h->pages_used, 2);
	CHECK_EQ(h->drops, 3);
	CHECK_EQ(h->flags, SKBREMAP_INFO_RETIRED);
	CHECK_EQ(h->window, 9);
	free(page);
}

/* ---- delivery paths (issue 3) --------------------------------------- */

static void ring_place_packs_aligned_packets_into_shared_pages(void)
{
	struct skbremap_win w;
	u32 page, off, slot;

	skbremap_win_init(&w, 0, 4, 100);
	REQUIRE(skbremap_win_open(&w) == 0);
	REQUIRE(skbremap_win_place_packed(&w, 60, PS, &page, &off, &slot) == 0);
	CHECK_EQ(page, 0);
	CHECK_EQ(off, 0);
	CHECK_EQ(slot, 0);
	REQUIRE(skbremap_win_place_packed(&w, 1, PS, &page, &off, &slot) == 0);
	CHECK_EQ(page, 0);
	CHECK_EQ(off, 64);		/* 60 rounded up to 16 */
	CHECK_EQ(slot, 1);
	REQUIRE(skbremap_win_place_packed(&w, 16, PS, &page, &off, &slot) == 0);
	CHECK_EQ(off, 80);
	CHECK_EQ(w.pages_used, 1);
	/* Runs on into the next page, packed. */
	REQUIRE(skbremap_win_place_packed(&w, PS, PS, &page, &off, &slot) == 0);
	CHECK_EQ(page, 0);
	CHECK_EQ(off, 96);
	CHECK_EQ(w.pages_used, 2);
	CHECK_EQ(w.pack_off, 96);
	/* A bounce after it takes a fresh page; packing restarts fresh. */
	REQUIRE(skbremap_win_place(&w, 2, 10, PS, &page, &slot) == 0);
	CHECK_EQ(page, 2);
	REQUIRE(skbremap_win_place_packed(&w, 10, PS, &page, &off, &slot) == 0);
	CHECK_EQ(page, 3);
	CHECK_EQ(off, 0);
	CHECK_EQ(w.count, 6);
}

static void ring_place_fills_a_page_exactly_then_opens_the_next(void)
{
	struct skbremap_win w;
	u32 page, off, slot;

	skbremap_win_init(&w, 0, 2, 100);
	REQUIRE(skbremap_win_open(&w) == 0);
	REQUIRE(skbremap_win_place_packed(&w, PS - 16, PS, &page, &off,
					  &slot) == 0);
	REQUIRE(skbremap_win_place_packed(&w, 16, PS, &page, &off, &slot) == 0);
	CHECK_EQ(page, 0);
	CHECK_EQ(off, PS - 16);
	CHECK_EQ(w.pack_off, 0);
	CHECK_EQ(w.pages_used, 1);
	REQUIRE(skbremap_win_place_packed(&w, 1, PS, &page, &off, &slot) == 0);
	CHECK_EQ(page, 1);
	CHECK_EQ(off, 0);
	/* 2 pages: PS - 16 + 1 more bytes do not fit. */
	CHECK_EQ(skbremap_win_place_packed(&w, PS, PS, &page, &off, &slot),
		 -ENOSPC);
	CHECK_EQ(skbremap_win_place_packed(&w, PS - 16, PS, &page, &off,
					   &slot), 0);
	CHECK_EQ(skbremap_win_place_packed(&w, 0, PS, &page, &off, &slot),
		 -EINVAL);
}

static void ring_place_enospc_when_entries_run_out(void)
{
	struct skbremap_win w;
	u32 page, off, slot, first;

	skbremap_win_init(&w, 0, 8, 3);
	REQUIRE(skbremap_win_open(&w) == 0);
	CHECK_EQ(skbremap_win_place_packed(&w, 8, PS, &page, &off, &slot), 0);
	CHECK_EQ(skbremap_win_reserve_entries(&w, 3, &first), -ENOSPC);
	CHECK_EQ(skbremap_win_reserve_entries(&w, 2, &first), 0);
	CHECK_EQ(first, 1);
	CHECK_EQ(skbremap_win_place_packed(&w, 8, PS, &page, &off, &slot),
		 -ENOSPC);
	skbremap_win_abandon(&w);
	CHECK_EQ(skbremap_win_place_packed(&w, 8, PS, &page, &off, &slot),
		 -EINVAL);
	CHECK_EQ(skbremap_win_reserve_entries(&w, 1, &first), -EINVAL);
}

static void scatter_place_takes_pages_and_entries_all_or_nothing(void)
{
	struct skbremap_win w;
	const u32 segs[] = { 1, 2, 1 };
	const u32 zero[] = { 1, 0 };
	u32 page, slot;

	skbremap_win_init(&w, 0, 5, 6);
	REQUIRE(skbremap_win_open(&w) == 0);
	REQUIRE(skbremap_win_place(&w, 2, 10, PS, &page, &slot) == 0);
	REQUIRE(skbremap_win_place_scatter(&w, segs, 3, &page, &slot) == 0);
	CHECK_EQ(page, 1);
	CHECK_EQ(slot, 1);
	CHECK_EQ(w.pages_used, 5);
	CHECK_EQ(w.count, 5);
	/* No page left: nothing taken. */
	CHECK_EQ(skbremap_win_place_scatter(&w, segs, 2, &page, &slot), -ENOSPC);
	CHECK_EQ(w.count, 5);
	CHECK_EQ(skbremap_win_place_scatter(&w, segs, 1, &page, &slot), -EINVAL);
	CHECK_EQ(skbremap_win_place_scatter(&w, zero, 2, &page, &slot), -EINVAL);
	CHECK_EQ(skbremap_win_place_scatter(&w, segs, SKBREMAP_MAX_SEGMENTS + 1,
					    &page, &slot), -EINVAL);
	skbremap_win_init(&w, 0, 8, 3);
	REQUIRE(skbremap_win_open(&w) == 0);
	/* 1 + 3 entries do not fit 3. */
	CHECK_EQ(skbremap_win_place_scatter(&w, segs, 3, &page, &slot), -ENOSPC);
	CHECK_EQ(skbremap_win_place_scatter(&w, segs, 2, &page, &slot), 0);
}

#define LIN(n) { .page_offset = 64, .len = (n), .linear = true }
#define WHOLE { .page_offset = 0, .len = PS, .exclusive = true }
#define FRAG(o, n, ex) { .page_offset = (o), .len = (n), .exclusive = (ex) }

static void remap_eligible_only_whole_exclusive_page_frags(void)
{
	struct skbremap_remap_plan p;
	const struct skbremap_frag head_whole_tail[] = {
		LIN(128), WHOLE, WHOLE, FRAG(0, 100, true),
	};
	const struct skbremap_frag linear_only[] = { LIN(9000) };
	const struct skbremap_frag shared[] = { LIN(64), FRAG(0, PS, false) };
	const struct skbremap_frag unaligned[] = { LIN(64), FRAG(64, PS, true) };
	const struct skbremap_frag short_frag[] = { LIN(64),
						    FRAG(0, PS - 1, true) };
	/* A linear head of exactly a page is still kmalloc'd memory. */
	const struct skbremap_frag linear_page[] = {
		{ .page_offset = 0, .len = PS, .linear = true,
		  .exclusive = true },
	};

	REQUIRE(skbremap_remap_eligible(head_whole_tail, 4,
					128 + 2 * PS + 100, PS, &p));
	CHECK_EQ(p.head, 128);
	CHECK_EQ(p.first, 1);
	CHECK_EQ(p.pages, 2);
	CHECK_EQ(p.tail, 100);
	CHECK(!skbremap_remap_eligible(linear_only, 1, 9000, PS, &p));
	CHECK(!skbremap_remap_eligible(shared, 2, 64 + PS, PS, &p));
	CHECK(!skbremap_remap_eligible(unaligned, 2, 64 + PS, PS, &p));
	CHECK(!skbremap_remap_eligible(short_frag, 2, 63 + PS, PS, &p));
	CHECK(!skbremap_remap_eligible(linear_page, 1, PS, PS, &p));
	CHECK(!skbremap_remap_eligible(NULL, 0, 0, PS, &p));
}

static void remap_eligible_respects_caplen_and_takes_the_first_run(void)
{
	struct skbremap_remap_plan p;
	const struct skbremap_frag f[] = {
		LIN(100), WHOLE, FRAG(0, PS, false), WHOLE, WHOLE,
	};

	/* snaplen cuts the first whole page: nothing whole is left. */
	CHECK(!skbremap_remap_eligible(f, 5, 100 + PS - 1, PS, &p));
	REQUIRE(skbremap_remap_eligible(f, 5, 100 + PS, PS, &p));
	CHECK_EQ(p.head, 100);
	CHECK_EQ(p.pages, 1);
	CHECK_EQ(p.tail, 0);
	/* The shared page ends the first run: it and the rest are copied. */
	REQUIRE(skbremap_remap_eligible(f, 5, 100 + 4 * PS, PS, &p));
	CHECK_EQ(p.first, 1);
	CHECK_EQ(p.pages, 1);
	CHECK_EQ(p.tail, 3 * PS);
	/* Starting with whole pages: no head. */
	REQUIRE(skbremap_remap_eligible(f + 3, 2, 2 * PS, PS, &p));
	CHECK_EQ(p.head, 0);
	CHECK_EQ(p.first, 0);
	CHECK_EQ(p.pages, 2);
	CHECK_EQ(p.tail, 0);
}

static void path_choice_per_mode(void)
{
	/* BOUNCE and RING ignore size and eligibility. */
	CHECK_EQ(skbremap_path_choose(SKBREMAP_MODE_BOUNCE, 9000, 0, true),
		 SKBREMAP_PATH_BOUNCE);
	CHECK_EQ(skbremap_path_choose(SKBREMAP_MODE_RING, 65535, 0, true),
		 SKBREMAP_PATH_RING);
	CHECK_EQ(skbremap_path_choose(SKBREMAP_MODE_REMAP, 60, 0, true),
		 SKBREMAP_PATH_REMAP);
	CHECK_EQ(skbremap_path_choose(SKBREMAP_MODE_REMAP, 9000, 0, false),
		 SKBREMAP_PATH_BOUNCE);
	/* ADAPTIVE: below the threshold ring, at or above remap or bounce. */
	CHECK_EQ(skbremap_path_choose(SKBREMAP_MODE_ADAPTIVE, 8191, 8192,
				      true), SKBREMAP_PATH_RING);
	CHECK_EQ(skbremap_path_choose(SKBREMAP_MODE_ADAPTIVE, 8192, 8192,
				      true), SKBREMAP_PATH_REMAP);
	CHECK_EQ(skbremap_path_choose(SKBREMAP_MODE_ADAPTIVE, 8192, 8192,
				      false), SKBREMAP_PATH_BOUNCE);
	CHECK_EQ(skbremap_path_choose(SKBREMAP_MODE_ADAPTIVE, 65535,
				      SKBREMAP_MAX_COPY_THRESHOLD, true),
		 SKBREMAP_PATH_RING);
	CHECK_EQ(skbremap_path_choose(0, 9000, 0, true), SKBREMAP_PATH_BOUNCE);
}

static void mode_resolve_default_and_missing_features(void)
{
	u32 all = SKBREMAP_FEAT_BOUNCE | SKBREMAP_FEAT_RING |
		  SKBREMAP_FEAT_REMAP | SKBREMAP_FEAT_ADAPTIVE;
	u32 m = 99;

	CHECK_EQ(skbremap_mode_resolve(0, all, &m), 0);
	CHECK_EQ(m, SKBREMAP_MODE_ADAPTIVE);
	CHECK_EQ(skbremap_mode_resolve(0, SKBREMAP_FEAT_BOUNCE, &m), 0);
	CHECK_EQ(m, SKBREMAP_MODE_BOUNCE);
	CHECK_EQ(skbremap_mode_resolve(SKBREMAP_MODE_RING, SKBREMAP_FEAT_BOUNCE,
				       &m), -EOPNOTSUPP);
	CHECK_EQ(skbremap_mode_resolve(SKBREMAP_MODE_REMAP, all, &m), 0);
	CHECK_EQ(m, SKBREMAP_MODE_REMAP);
	CHECK_EQ(skbremap_mode_resolve(5, all, &m), -EINVAL);
	CHECK(!skbremap_mode_resident(SKBREMAP_MODE_BOUNCE));
	CHECK(skbremap_mode_resident(SKBREMAP_MODE_RING));
	CHECK(skbremap_mode_resident(SKBREMAP_MODE_ADAPTIVE));
}

static void threshold_is_the_crossover_that_holds_for_larger_sizes(void)
{
	const struct skbremap_calib_point pts[] = {
		{ 1024, 100, 900 }, { 4096, 400, 300 }, { 8192, 800, 900 },
		{ 16384, 1600, 1000 }, { 65536, 6400, 2000 },
	};
	const struct skbremap_calib_point never[] = {
		{ 4096, 100, 900 }, { 65536, 1600, 1700 },
	};

	/* 4096 wins once but loses at 8192: the crossover is 16384. */
	CHECK_EQ(skbremap_threshold_pick(pts, 5), 16384);
	CHECK_EQ(skbremap_threshold_pick(never, 2),
		 SKBREMAP_MAX_COPY_THRESHOLD);
	CHECK_EQ(skbremap_threshold_pick(pts, 0), SKBREMAP_MAX_COPY_THRESHOLD);
	CHECK_EQ(skbremap_threshold_pick(pts + 3, 2), 16384);
}

int main(void)
{
	RUN(config_zero_takes_every_default);
	RUN(config_rejects_flags_and_reserved);
	RUN(config_mode_and_copy_threshold_are_checked_and_kept);
	RUN(config_info_pages_are_checked_and_kept);
	RUN(config_accepts_every_limit_and_rejects_one_past);
	RUN(config_error_leaves_output_untouched);
	RUN(layout_of_defaults);
	RUN(layout_control_part_grows_by_whole_pages);
	RUN(layout_every_window_fits_the_entries_it_announces);
	RUN(layout_info_pages_come_before_the_data_pages);
	RUN(mmap_check_accepts_exactly_the_two_parts);
	RUN(mmap_check_rejects_every_other_offset_and_length);
	RUN(window_open_only_from_free);
	RUN(window_place_never_shares_a_page);
	RUN(window_place_spans_pages_from_the_offset);
	RUN(window_place_enospc_when_entries_run_out);
	RUN(window_place_rejects_bad_arguments_and_states);
	RUN(window_fits_empty_boundaries);
	RUN(window_publish_then_release_then_reclaim);
	RUN(window_abandon_frees_a_filling_window);
	RUN(user_queue_keeps_publish_order_across_wrap);
	RUN(user_queue_remove_at_keeps_the_others_in_order);
	RUN(hostile_status_words_keep_the_window_and_count);
	RUN(hostile_status_words_on_kernel_windows_are_not_read);
	RUN(info_ctl_init_writes_header_and_zeroes_the_rest);
	RUN(info_page_encoding_is_byte_exact);
	RUN(ring_place_packs_aligned_packets_into_shared_pages);
	RUN(ring_place_fills_a_page_exactly_then_opens_the_next);
	RUN(ring_place_enospc_when_entries_run_out);
	RUN(scatter_place_takes_pages_and_entries_all_or_nothing);
	RUN(remap_eligible_only_whole_exclusive_page_frags);
	RUN(remap_eligible_respects_caplen_and_takes_the_first_run);
	RUN(path_choice_per_mode);
	RUN(mode_resolve_default_and_missing_features);
	RUN(threshold_is_the_crossover_that_holds_for_larger_sizes);
	return harness_summary("test_core");
}
