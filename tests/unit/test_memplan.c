// SPDX-License-Identifier: GPL-2.0
/* vmm/memplan: RAM laid into the gaps of hand-made and real x86 layouts. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/suites.h"
#include "vmm/arch.h"
#include "vmm/memplan.h"

#define KiB(n)	((uint64_t)(n) << 10)
#define MiB(n)	((uint64_t)(n) << 20)
#define GiB(n)	((uint64_t)(n) << 30)

/* Listed out of order on purpose: the planner sorts. */
static const struct plan_region small_fixed[] = {
	{ MiB(8), MiB(2), PLAN_DEVICE, "dev", "a device frame" },
	{ MiB(1), MiB(1), PLAN_FIRMWARE, "fw", "firmware tables" },
	{ MiB(200), MiB(56), PLAN_MMIO_WINDOW, "mmio", "a window up to the limit" },
};

static struct plan_constraints small_layout(void)
{
	return (struct plan_constraints) {
		.arch = "test",
		.ram_base = 0,
		.addr_limit = MiB(256),
		.fixed = small_fixed,
		.nr_fixed = sizeof(small_fixed) / sizeof(small_fixed[0]),
	};
}

/* Each test's plan; the fixture frees it in the test's own process. */
static struct vm_plan plan;

static void plan_teardown(void)
{
	memplan_free(&plan);
}

static int plan_for(const struct plan_constraints *cons, uint64_t ram_size,
		    struct vm_plan *out, struct plan_error *err)
{
	struct plan_request req = { .ram_size = ram_size, .nr_cpus = 1 };

	memset(err, 0, sizeof(*err));
	memplan_free(out);
	return memplan_build(&req, cons, NULL, out, err);
}

static uint64_t plan_ram_total(const struct vm_plan *pl)
{
	uint64_t total = 0;

	for (size_t i = 0; i < pl->nr_regions; i++)
		if (pl->regions[i].kind == PLAN_RAM)
			total += pl->regions[i].size;
	return total;
}

static size_t plan_count_kind(const struct vm_plan *pl, enum plan_kind kind)
{
	size_t n = 0;

	for (size_t i = 0; i < pl->nr_regions; i++)
		n += pl->regions[i].kind == kind;
	return n;
}

/*
 * Sorted, non-empty, no two regions overlap; RAM banks 4K aligned. (Plain
 * tests, not ck_assert: Check reports every passed assertion to the parent
 * process, which is slow in loops.)
 */
static void assert_plan_sane(const struct vm_plan *pl)
{
	for (size_t i = 0; i < pl->nr_regions; i++) {
		const struct plan_region *r = &pl->regions[i];

		if (!r->size)
			ck_abort_msg("%s is empty", r->name);
		if (r->kind == PLAN_RAM && (r->start % 4096 || r->size % 4096))
			ck_abort_msg("%s is not page aligned", r->name);
		if (i && pl->regions[i - 1].start + pl->regions[i - 1].size > r->start)
			ck_abort_msg("%s overlaps or is out of order with %s",
				     pl->regions[i - 1].name, r->name);
	}
}

static void assert_region(const struct plan_region *r, uint64_t start,
			  uint64_t size, enum plan_kind kind, const char *name)
{
	ck_assert_msg(r->start == start && r->size == size,
		      "%s: [0x%llx, +0x%llx), want [0x%llx, +0x%llx)", r->name,
		      (unsigned long long)r->start, (unsigned long long)r->size,
		      (unsigned long long)start, (unsigned long long)size);
	ck_assert_int_eq(r->kind, kind);
	ck_assert_str_eq(r->name, name);
}

START_TEST(test_fills_gaps_lowest_first)
{
	struct plan_constraints cons = small_layout();
	struct plan_error err;

	ck_assert_int_eq(plan_for(&cons, MiB(16), &plan, &err), 0);
	ck_assert_str_eq(plan.arch, "test");
	ck_assert_uint_eq(plan.ram_size, MiB(16));
	ck_assert_uint_eq(plan.nr_regions, 6);
	assert_region(&plan.regions[0], 0, MiB(1), PLAN_RAM, "ram0");
	assert_region(&plan.regions[1], MiB(1), MiB(1), PLAN_FIRMWARE, "fw");
	assert_region(&plan.regions[2], MiB(2), MiB(6), PLAN_RAM, "ram1");
	assert_region(&plan.regions[3], MiB(8), MiB(2), PLAN_DEVICE, "dev");
	assert_region(&plan.regions[4], MiB(10), MiB(9), PLAN_RAM, "ram2");
	assert_region(&plan.regions[5], MiB(200), MiB(56), PLAN_MMIO_WINDOW, "mmio");
	ck_assert_str_eq(plan.regions[0].why, "guest RAM bank 0");
	ck_assert_str_eq(plan.regions[4].why, "guest RAM bank 2");
	ck_assert_str_eq(plan.regions[3].why, "a device frame");
	ck_assert_uint_eq(plan_ram_total(&plan), MiB(16));
	assert_plan_sane(&plan);
}
END_TEST

START_TEST(test_small_requests)
{
	struct plan_constraints cons = small_layout();
	struct plan_error err;

	ck_assert_int_eq(plan_for(&cons, KiB(512), &plan, &err), 0);
	ck_assert_uint_eq(plan.nr_regions, 4);
	assert_region(&plan.regions[0], 0, KiB(512), PLAN_RAM, "ram0");
	ck_assert_uint_eq(plan_count_kind(&plan, PLAN_RAM), 1);

	/* Exactly the first gap: no empty second bank. */
	ck_assert_int_eq(plan_for(&cons, MiB(1), &plan, &err), 0);
	ck_assert_uint_eq(plan_count_kind(&plan, PLAN_RAM), 1);
	assert_region(&plan.regions[0], 0, MiB(1), PLAN_RAM, "ram0");

	ck_assert_int_eq(plan_for(&cons, 4096, &plan, &err), 0);
	assert_region(&plan.regions[0], 0, 4096, PLAN_RAM, "ram0");
}
END_TEST

START_TEST(test_fills_to_the_limit)
{
	struct plan_constraints cons = small_layout();
	struct plan_error err;
	/* Everything not fixed below 256M. */
	uint64_t all = MiB(256) - MiB(1) - MiB(2) - MiB(56);

	ck_assert_int_eq(plan_for(&cons, all, &plan, &err), 0);
	ck_assert_uint_eq(plan_ram_total(&plan), all);
	assert_region(&plan.regions[4], MiB(10), MiB(190), PLAN_RAM, "ram2");
	assert_plan_sane(&plan);

	ck_assert_int_eq(plan_for(&cons, all + 4096, &plan, &err), -ENOSPC);
}
END_TEST

START_TEST(test_never_overlaps_fixed)
{
	struct plan_constraints cons = small_layout();
	struct plan_error err;

	for (uint64_t size = 4096; size <= MiB(197); size += KiB(772)) {
		uint64_t rounded = size & ~4095ULL;

		if (plan_for(&cons, rounded, &plan, &err))
			ck_abort_msg("%llu bytes: %s", (unsigned long long)rounded, err.msg);
		if (plan_ram_total(&plan) != rounded ||
		    plan_count_kind(&plan, PLAN_RAM) + 3 != plan.nr_regions)
			ck_abort_msg("%llu bytes: wrong banks", (unsigned long long)rounded);
		assert_plan_sane(&plan);
		for (size_t i = 0; i < plan.nr_regions; i++) {
			const struct plan_region *r = &plan.regions[i];

			if (r->kind != PLAN_RAM)
				continue;
			for (size_t j = 0; j < cons.nr_fixed; j++) {
				const struct plan_region *f = &small_fixed[j];

				if (r->start + r->size > f->start &&
				    f->start + f->size > r->start)
					ck_abort_msg("%s overlaps %s", r->name, f->name);
			}
			if (r->start + r->size > cons.addr_limit)
				ck_abort_msg("%s beyond the limit", r->name);
		}
	}
}
END_TEST

START_TEST(test_deterministic)
{
	struct plan_constraints cons = small_layout();
	struct vm_plan other = { 0 };
	struct plan_error err;

	ck_assert_int_eq(plan_for(&cons, MiB(100), &plan, &err), 0);
	ck_assert_int_eq(plan_for(&cons, MiB(100), &other, &err), 0);
	ck_assert_uint_eq(plan.nr_regions, other.nr_regions);
	ck_assert_int_eq(memcmp(plan.regions, other.regions,
				plan.nr_regions * sizeof(plan.regions[0])), 0);
	ck_assert_int_eq(memcmp(&plan.doorbell, &other.doorbell, sizeof(plan.doorbell)), 0);
	memplan_free(&other);
}
END_TEST

START_TEST(test_does_not_fit)
{
	struct plan_constraints cons = small_layout();
	struct plan_error err;

	ck_assert_int_eq(plan_for(&cons, MiB(300), &plan, &err), -ENOSPC);
	/* The message names the request, the limit and what would fit. */
	ck_assert_msg(strstr(err.msg, "300M of RAM does not fit") != NULL, "%s", err.msg);
	ck_assert_msg(strstr(err.msg, "0x10000000") != NULL, "%s", err.msg);
	ck_assert_msg(strstr(err.msg, "only 197M fits") != NULL, "%s", err.msg);
	ck_assert_msg(strstr(err.msg, "Ask for at most 197M") != NULL, "%s", err.msg);
}
END_TEST

START_TEST(test_limit_below_fixed)
{
	/* Fixed regions above the limit are kept, RAM stays under it. */
	struct plan_constraints cons = small_layout();
	struct plan_error err;

	cons.addr_limit = MiB(4);
	ck_assert_int_eq(plan_for(&cons, MiB(3), &plan, &err), 0);
	ck_assert_uint_eq(plan_ram_total(&plan), MiB(3));
	ck_assert_int_eq(plan_for(&cons, MiB(4), &plan, &err), -ENOSPC);
	ck_assert_msg(strstr(err.msg, "only 3M fits") != NULL, "%s", err.msg);
}
END_TEST

START_TEST(test_ram_base_and_alignment)
{
	static const struct plan_region fixed[] = {
		{ 0x101000, 0x1800, PLAN_RESERVED, "odd", "ends mid-page" },
	};
	struct plan_constraints cons = {
		.arch = "test", .ram_base = 0x800, .addr_limit = MiB(64),
		.fixed = fixed, .nr_fixed = 1,
	};
	struct plan_error err;

	ck_assert_int_eq(plan_for(&cons, MiB(2), &plan, &err), 0);
	assert_plan_sane(&plan);
	/* RAM starts on the first page at or above ram_base... */
	assert_region(&plan.regions[0], 0x1000, 0x100000, PLAN_RAM, "ram0");
	assert_region(&plan.regions[1], 0x101000, 0x1800, PLAN_RESERVED, "odd");
	/* ...and after a fixed region on the next page boundary. */
	assert_region(&plan.regions[2], 0x103000, MiB(1), PLAN_RAM, "ram1");
}
END_TEST

START_TEST(test_no_fixed_regions)
{
	static const struct plan_region none[1];
	struct plan_constraints cons = {
		.arch = "bare", .ram_base = GiB(1), .addr_limit = GiB(2),
		.fixed = none, .nr_fixed = 0,
	};
	struct plan_error err;

	ck_assert_int_eq(plan_for(&cons, MiB(512), &plan, &err), 0);
	ck_assert_uint_eq(plan.nr_regions, 1);
	assert_region(&plan.regions[0], GiB(1), MiB(512), PLAN_RAM, "ram0");
	ck_assert_int_eq(plan_for(&cons, GiB(1) + 4096, &plan, &err), -ENOSPC);
}
END_TEST

/*
 * BUG (vmm/memplan.c, memplan_build): with no fixed regions (fixed = NULL,
 * nr_fixed = 0, a natural way to say "none") it calls memcpy(fixed, NULL,
 * 0), which is undefined behaviour; `make SAN=1 check-unit` reports
 * "null pointer passed as argument 2" at the memcpy and this test errors.
 * Without sanitizers it passes.
 */
START_TEST(test_bug_null_fixed_regions)
{
	struct plan_constraints cons = {
		.arch = "bare", .ram_base = GiB(1), .addr_limit = GiB(2),
		.fixed = NULL, .nr_fixed = 0,
	};
	struct plan_error err;

	ck_assert_int_eq(plan_for(&cons, MiB(512), &plan, &err), 0);
	ck_assert_uint_eq(plan.nr_regions, 1);
	assert_region(&plan.regions[0], GiB(1), MiB(512), PLAN_RAM, "ram0");
}
END_TEST

START_TEST(test_bad_ram_size)
{
	struct plan_constraints cons = small_layout();
	struct plan_error err;

	ck_assert_int_lt(plan_for(&cons, MiB(4) + 1, &plan, &err), 0);
	ck_assert_str_eq(err.msg, "RAM size must be a non-zero multiple of 4K");
	ck_assert_int_lt(plan_for(&cons, 2048, &plan, &err), 0);
	ck_assert_str_eq(err.msg, "RAM size must be a non-zero multiple of 4K");
	ck_assert_int_lt(plan_for(&cons, 0, &plan, &err), 0);
	ck_assert_str_eq(err.msg, "RAM size must be a non-zero multiple of 4K");
}
END_TEST

START_TEST(test_overlapping_fixed)
{
	static const struct plan_region fixed[] = {
		{ MiB(2), MiB(1), PLAN_DEVICE, "b", "second" },
		{ MiB(1), MiB(1) + 4096, PLAN_FIRMWARE, "a", "first" },
	};
	struct plan_constraints cons = {
		.arch = "test", .addr_limit = MiB(64), .fixed = fixed, .nr_fixed = 2,
	};
	struct plan_error err;

	ck_assert_int_lt(plan_for(&cons, MiB(8), &plan, &err), 0);
	ck_assert_str_eq(err.msg, "a overlaps b in the test layout");
}
END_TEST

START_TEST(test_touching_fixed_is_fine)
{
	static const struct plan_region fixed[] = {
		{ MiB(2), MiB(1), PLAN_DEVICE, "b", "second" },
		{ MiB(1), MiB(1), PLAN_FIRMWARE, "a", "first" },
	};
	struct plan_constraints cons = {
		.arch = "test", .addr_limit = MiB(64), .fixed = fixed, .nr_fixed = 2,
	};
	struct plan_error err;

	ck_assert_int_eq(plan_for(&cons, MiB(8), &plan, &err), 0);
	ck_assert_uint_eq(plan.nr_regions, 4);
	assert_region(&plan.regions[3], MiB(3), MiB(7), PLAN_RAM, "ram1");
}
END_TEST

START_TEST(test_bad_fixed_size)
{
	static const struct plan_region empty[] = {
		{ MiB(1), 0, PLAN_DEVICE, "empty", "no size" },
	};
	static const struct plan_region wraps[] = {
		{ 0xfffffffffffff000ULL, 0x2000, PLAN_DEVICE, "wraps", "past 2^64" },
	};
	struct plan_constraints cons = {
		.arch = "test", .addr_limit = MiB(64), .fixed = empty, .nr_fixed = 1,
	};
	struct plan_error err;

	ck_assert_int_lt(plan_for(&cons, MiB(8), &plan, &err), 0);
	ck_assert_str_eq(err.msg, "empty: fixed region has a bad size");
	cons.fixed = wraps;
	ck_assert_int_lt(plan_for(&cons, MiB(8), &plan, &err), 0);
	ck_assert_str_eq(err.msg, "wraps: fixed region has a bad size");
}
END_TEST

START_TEST(test_many_regions)
{
	/* 40 one-page holes, one page apart: 40 banks between them, no limit. */
	struct plan_region fixed[40];
	struct plan_constraints cons = { .arch = "test", .addr_limit = MiB(64),
					 .fixed = fixed };
	struct plan_error err;

	memset(fixed, 0, sizeof(fixed));
	for (unsigned int i = 0; i < 40; i++) {
		fixed[i].start = 0x1000 + i * 0x2000;
		fixed[i].size = 0x1000;
		fixed[i].kind = PLAN_RESERVED;
		snprintf(fixed[i].name, sizeof(fixed[i].name), "fixed%u", i);
	}
	cons.nr_fixed = 40;
	ck_assert_int_eq(plan_for(&cons, 40 * 0x1000, &plan, &err), 0);
	ck_assert_uint_eq(plan_count_kind(&plan, PLAN_RAM), 40);
	ck_assert_uint_eq(plan.nr_regions, 80);
	assert_plan_sane(&plan);
}
END_TEST

START_TEST(test_find)
{
	struct plan_constraints cons = small_layout();
	struct plan_error err;
	const struct plan_region *r;

	ck_assert_int_eq(plan_for(&cons, MiB(16), &plan, &err), 0);
	r = memplan_find(&plan, "dev");
	ck_assert_ptr_eq(r, &plan.regions[3]);
	ck_assert_uint_eq(r->start, MiB(8));
	r = memplan_find(&plan, "ram1");
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->start, MiB(2));
	ck_assert_ptr_null(memplan_find(&plan, "nope"));
	ck_assert_ptr_null(memplan_find(&plan, "de"));
	ck_assert_ptr_null(memplan_find(&plan, ""));
}
END_TEST

START_TEST(test_kind_names)
{
	ck_assert_str_eq(memplan_kind_name(PLAN_RAM), "ram");
	ck_assert_str_eq(memplan_kind_name(PLAN_FIRMWARE), "firmware");
	ck_assert_str_eq(memplan_kind_name(PLAN_MMIO_WINDOW), "mmio-window");
	ck_assert_str_eq(memplan_kind_name(PLAN_DEVICE), "device");
	ck_assert_str_eq(memplan_kind_name(PLAN_MSI), "msi");
	ck_assert_str_eq(memplan_kind_name(PLAN_RESERVED), "reserved");
	ck_assert_str_eq(memplan_kind_name(PLAN_LEGACY), "legacy");
	ck_assert(memplan_kind_is_backed(PLAN_RAM));
	ck_assert(memplan_kind_is_backed(PLAN_FIRMWARE));
	ck_assert(!memplan_kind_is_backed(PLAN_MMIO_WINDOW));
	ck_assert(!memplan_kind_is_backed(PLAN_DEVICE));
	ck_assert(!memplan_kind_is_backed(PLAN_MSI));
	ck_assert(!memplan_kind_is_backed(PLAN_RESERVED));
	/* Guests scan legacy holes; zeroed memory answers without exits. */
	ck_assert(memplan_kind_is_backed(PLAN_LEGACY));
}
END_TEST

START_TEST(test_print)
{
	struct plan_constraints cons = small_layout();
	struct plan_error err;
	char *text = NULL, *line, *save = NULL;
	size_t len = 0, lines = 0;
	FILE *out;

	ck_assert_int_eq(plan_for(&cons, MiB(16), &plan, &err), 0);
	out = open_memstream(&text, &len);
	ck_assert_ptr_nonnull(out);
	memplan_print(&plan, out);
	fclose(out);
	ck_assert_uint_gt(len, 0);
	ck_assert_int_eq(text[len - 1], '\n');
	/* Sizes print in the largest exact unit. */
	ck_assert_ptr_nonnull(strstr(text, "      9M  ram "));

	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save), lines++) {
		const struct plan_region *r;
		char want[64];

		if (lines == 0) {
			ck_assert_msg(!strncmp(line, "start", 5), "header: %s", line);
			ck_assert_ptr_nonnull(strstr(line, "end"));
			ck_assert_ptr_nonnull(strstr(line, "size"));
			ck_assert_ptr_nonnull(strstr(line, "kind"));
			ck_assert_ptr_nonnull(strstr(line, "name"));
			ck_assert_ptr_nonnull(strstr(line, "why"));
			continue;
		}
		ck_assert_uint_le(lines, plan.nr_regions);
		r = &plan.regions[lines - 1];
		snprintf(want, sizeof(want), "0x%016llx 0x%016llx ",
			 (unsigned long long)r->start,
			 (unsigned long long)(r->start + r->size - 1));
		ck_assert_msg(!strncmp(line, want, strlen(want)), "line %zu: %s",
			      lines, line);
		ck_assert_ptr_nonnull(strstr(line, memplan_kind_name(r->kind)));
		ck_assert_ptr_nonnull(strstr(line, r->name));
		ck_assert_ptr_nonnull(strstr(line, r->why));
	}
	ck_assert_uint_eq(lines, 1 + plan.nr_regions);
	free(text);
}
END_TEST

/* --- the real x86 layout (arch/x86/plan.c), no /dev/kvm --- */

static void x86_plan(uint64_t ram_size, struct vm_plan *pl)
{
	struct plan_constraints cons;
	struct plan_error err;

	ck_assert_int_eq(x86_plan_constraints(NULL, 36, &cons), 0);
	ck_assert_int_eq(plan_for(&cons, ram_size, pl, &err), 0);
	assert_plan_sane(pl);
	ck_assert_uint_eq(plan_ram_total(pl), ram_size);
}

/* No RAM byte of the plan falls in [start, end). */
static void assert_no_ram_in(const struct vm_plan *pl, uint64_t start,
			     uint64_t end)
{
	for (size_t i = 0; i < pl->nr_regions; i++) {
		const struct plan_region *r = &pl->regions[i];

		if (r->kind != PLAN_RAM)
			continue;
		ck_assert_msg(r->start + r->size <= start || r->start >= end,
			      "%s [0x%llx, +0x%llx) is in [0x%llx, 0x%llx)", r->name,
			      (unsigned long long)r->start,
			      (unsigned long long)r->size,
			      (unsigned long long)start, (unsigned long long)end);
	}
}

START_TEST(test_x86_constraints)
{
	struct plan_constraints cons;

	ck_assert_int_eq(x86_plan_constraints(NULL, 36, &cons), 0);
	ck_assert_str_eq(cons.arch, "x86_64");
	ck_assert_uint_eq(cons.ram_base, 0);
	ck_assert_uint_eq(cons.addr_limit, 1ULL << 36);
	ck_assert_uint_gt(cons.nr_fixed, 0);
}
END_TEST

START_TEST(test_x86_64m)
{
	const struct plan_region *r;

	x86_plan(MiB(64), &plan);
	ck_assert_uint_eq(plan_count_kind(&plan, PLAN_RAM), 2);
	r = memplan_find(&plan, "ram0");
	ck_assert_ptr_nonnull(r);
	assert_region(r, 0, 0x9f000, PLAN_RAM, "ram0");
	r = memplan_find(&plan, "ram1");
	ck_assert_ptr_nonnull(r);
	assert_region(r, 0x100000, MiB(64) - 0x9f000, PLAN_RAM, "ram1");
	assert_no_ram_in(&plan, 0x9f000, 0x100000);
	assert_no_ram_in(&plan, 0xc0000000, GiB(4));
}
END_TEST

START_TEST(test_x86_5g)
{
	const struct plan_region *r;

	x86_plan(GiB(5), &plan);
	ck_assert_uint_eq(plan_count_kind(&plan, PLAN_RAM), 3);
	assert_region(memplan_find(&plan, "ram0"), 0, 0x9f000, PLAN_RAM, "ram0");
	assert_region(memplan_find(&plan, "ram1"), 0x100000, 0xc0000000 - 0x100000,
		      PLAN_RAM, "ram1");
	r = memplan_find(&plan, "ram2");
	ck_assert_ptr_nonnull(r);
	assert_region(r, GiB(4), GiB(5) - 0x9f000 - (0xc0000000 - 0x100000),
		      PLAN_RAM, "ram2");
	assert_no_ram_in(&plan, 0x9f000, 0x100000);
	assert_no_ram_in(&plan, 0xc0000000, GiB(4));
}
END_TEST

START_TEST(test_x86_no_ram_in_hole)
{
	static const uint64_t sizes[] = {
		MiB(4), MiB(256), GiB(3) - MiB(1), GiB(3), GiB(4), GiB(16) + MiB(4),
	};

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {

		x86_plan(sizes[i], &plan);
		assert_no_ram_in(&plan, 0x9f000, 0x100000);
		assert_no_ram_in(&plan, 0xc0000000, GiB(4));
	}
}
END_TEST

START_TEST(test_x86_fixed_devices)
{
	const struct plan_region *r;

	x86_plan(MiB(256), &plan);
	r = memplan_find(&plan, "ioapic");
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->start, 0xfec00000);
	ck_assert_int_eq(r->kind, PLAN_DEVICE);
	r = memplan_find(&plan, "lapic-msi");
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->start, 0xfee00000);
	ck_assert_int_eq(r->kind, PLAN_MSI);
	r = memplan_find(&plan, "pci-ecam");
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->start, 0xc0000000);
	ck_assert_uint_eq(r->size, 0x1000000);
	ck_assert_int_eq(r->kind, PLAN_DEVICE);
	r = memplan_find(&plan, "pci-mmio32");
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->start, 0xc1000000);
	ck_assert_int_eq(r->kind, PLAN_MMIO_WINDOW);
}
END_TEST

START_TEST(test_x86_too_big)
{
	struct plan_constraints cons;
	struct plan_error err;

	ck_assert_int_eq(x86_plan_constraints(NULL, 36, &cons), 0);
	/* 64G is the whole 36-bit space, the 1G hole and low holes included. */
	ck_assert_int_eq(plan_for(&cons, GiB(64), &plan, &err), -ENOSPC);
	ck_assert_msg(strstr(err.msg, "64G") != NULL, "%s", err.msg);
	ck_assert_msg(strstr(err.msg, "0x1000000000") != NULL, "%s", err.msg);
}
END_TEST

Suite *memplan_suite(void)
{
	Suite *s = suite_create("memplan");
	TCase *tc;

	tc = tcase_create("build");
	tcase_add_checked_fixture(tc, NULL, plan_teardown);
	tcase_add_test(tc, test_fills_gaps_lowest_first);
	tcase_add_test(tc, test_small_requests);
	tcase_add_test(tc, test_fills_to_the_limit);
	tcase_add_test(tc, test_never_overlaps_fixed);
	tcase_add_test(tc, test_deterministic);
	tcase_add_test(tc, test_does_not_fit);
	tcase_add_test(tc, test_limit_below_fixed);
	tcase_add_test(tc, test_ram_base_and_alignment);
	tcase_add_test(tc, test_no_fixed_regions);
	tcase_add_test(tc, test_bug_null_fixed_regions);
	tcase_add_test(tc, test_bad_ram_size);
	tcase_add_test(tc, test_overlapping_fixed);
	tcase_add_test(tc, test_touching_fixed_is_fine);
	tcase_add_test(tc, test_bad_fixed_size);
	tcase_add_test(tc, test_many_regions);
	suite_add_tcase(s, tc);

	tc = tcase_create("output");
	tcase_add_checked_fixture(tc, NULL, plan_teardown);
	tcase_add_test(tc, test_find);
	tcase_add_test(tc, test_kind_names);
	tcase_add_test(tc, test_print);
	suite_add_tcase(s, tc);

	tc = tcase_create("x86");
	tcase_add_checked_fixture(tc, NULL, plan_teardown);
	tcase_add_test(tc, test_x86_constraints);
	tcase_add_test(tc, test_x86_64m);
	tcase_add_test(tc, test_x86_5g);
	tcase_add_test(tc, test_x86_no_ram_in_hole);
	tcase_add_test(tc, test_x86_fixed_devices);
	tcase_add_test(tc, test_x86_too_big);
	suite_add_tcase(s, tc);
	return s;
}
