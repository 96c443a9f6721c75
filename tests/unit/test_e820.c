// SPDX-License-Identifier: GPL-2.0
/* arch/x86/e820: the plan as the zero page's memory map. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/e820.h"
#include "tests/unit/suites.h"
#include "vmm/arch.h"
#include "vmm/memplan.h"

static void plan_add(struct vm_plan *plan, uint64_t start, uint64_t size,
		     enum plan_kind kind)
{
	struct plan_region r = { .start = start, .size = size, .kind = kind };

	ck_assert_int_eq(memplan_add_region(plan, &r), 0);
}

static void assert_entry(const struct boot_e820_entry *e, uint64_t addr,
			 uint64_t size, uint32_t type)
{
	ck_assert_msg(e->addr == addr && e->size == size && e->type == type,
		      "entry [0x%llx, +0x%llx) type %u, want [0x%llx, +0x%llx) type %u",
		      (unsigned long long)e->addr, (unsigned long long)e->size,
		      e->type, (unsigned long long)addr, (unsigned long long)size,
		      type);
}

START_TEST(test_kinds_to_types)
{
	struct vm_plan plan = { .arch = "test" };
	struct boot_e820_entry table[16];

	/* Gaps between all of them, so nothing merges. */
	plan_add(&plan, 0x00000, 0x1000, PLAN_RAM);
	plan_add(&plan, 0x02000, 0x1000, PLAN_FIRMWARE);
	plan_add(&plan, 0x04000, 0x1000, PLAN_MMIO_WINDOW);
	plan_add(&plan, 0x06000, 0x1000, PLAN_DEVICE);
	plan_add(&plan, 0x08000, 0x1000, PLAN_MSI);
	plan_add(&plan, 0x0a000, 0x1000, PLAN_RESERVED);
	plan_add(&plan, 0x0c000, 0x1000, PLAN_LEGACY);
	plan_add(&plan, 0x0e000, 0x1000, PLAN_RAM);

	memset(table, 0xee, sizeof(table));
	ck_assert_int_eq(e820_from_plan(&plan, table, 16), 6);
	assert_entry(&table[0], 0x00000, 0x1000, E820_TYPE_RAM);
	assert_entry(&table[1], 0x02000, 0x1000, E820_TYPE_RESERVED);
	assert_entry(&table[2], 0x06000, 0x1000, E820_TYPE_RESERVED);
	assert_entry(&table[3], 0x08000, 0x1000, E820_TYPE_RESERVED);
	assert_entry(&table[4], 0x0a000, 0x1000, E820_TYPE_RESERVED);
	assert_entry(&table[5], 0x0e000, 0x1000, E820_TYPE_RAM);
	/* Nothing written past the entries returned. */
	ck_assert_uint_eq(table[6].type, 0xeeeeeeee);
	memplan_free(&plan);
}
END_TEST

START_TEST(test_merges_adjacent)
{
	struct vm_plan plan = { .arch = "test" };
	struct boot_e820_entry table[8];

	plan_add(&plan, 0x0000, 0x1000, PLAN_RAM);
	plan_add(&plan, 0x1000, 0x2000, PLAN_RAM);		/* merges */
	plan_add(&plan, 0x3000, 0x1000, PLAN_FIRMWARE);		/* new type */
	plan_add(&plan, 0x4000, 0x1000, PLAN_DEVICE);		/* merges */
	plan_add(&plan, 0x5000, 0x1000, PLAN_MSI);		/* merges */
	plan_add(&plan, 0x6000, 0x1000, PLAN_LEGACY);		/* left out */
	plan_add(&plan, 0x7000, 0x1000, PLAN_RESERVED);		/* not adjacent */
	plan_add(&plan, 0x9000, 0x1000, PLAN_RAM);		/* gap */
	plan_add(&plan, 0xa000, 0x1000, PLAN_RAM);		/* merges */

	ck_assert_int_eq(e820_from_plan(&plan, table, 8), 4);
	assert_entry(&table[0], 0x0000, 0x3000, E820_TYPE_RAM);
	assert_entry(&table[1], 0x3000, 0x3000, E820_TYPE_RESERVED);
	assert_entry(&table[2], 0x7000, 0x1000, E820_TYPE_RESERVED);
	assert_entry(&table[3], 0x9000, 0x2000, E820_TYPE_RAM);
	memplan_free(&plan);
}
END_TEST

START_TEST(test_table_too_small)
{
	struct vm_plan plan = { .arch = "test" };
	struct boot_e820_entry table[4];

	plan_add(&plan, 0x0000, 0x1000, PLAN_RAM);
	plan_add(&plan, 0x1000, 0x1000, PLAN_RESERVED);
	plan_add(&plan, 0x2000, 0x1000, PLAN_RAM);
	ck_assert_int_eq(e820_from_plan(&plan, table, 3), 3);
	ck_assert_int_eq(e820_from_plan(&plan, table, 2), -ENOSPC);
	ck_assert_int_eq(e820_from_plan(&plan, table, 0), -ENOSPC);

	/* Merging needs no room: two adjacent banks fit one entry. */
	memplan_free(&plan);
	plan_add(&plan, 0x0000, 0x1000, PLAN_RAM);
	plan_add(&plan, 0x1000, 0x1000, PLAN_RAM);
	plan_add(&plan, 0x2000, 0x1000, PLAN_MMIO_WINDOW);
	ck_assert_int_eq(e820_from_plan(&plan, table, 1), 1);
	assert_entry(&table[0], 0, 0x2000, E820_TYPE_RAM);
	memplan_free(&plan);
}
END_TEST

START_TEST(test_empty_plan)
{
	struct vm_plan plan = { .arch = "test" };
	struct boot_e820_entry table[1];

	ck_assert_int_eq(e820_from_plan(&plan, table, 1), 0);
	ck_assert_int_eq(e820_from_plan(&plan, table, 0), 0);
	memplan_free(&plan);
}
END_TEST

START_TEST(test_x86_plan)
{
	struct plan_request req = { .ram_size = 5ULL << 30, .nr_cpus = 1 };
	struct plan_constraints cons;
	struct boot_e820_entry table[E820_MAX_ENTRIES_ZEROPAGE];
	struct vm_plan plan;
	struct plan_error err;

	ck_assert_int_eq(x86_plan_constraints(&req, 36, &cons), 0);
	ck_assert_int_eq(memplan_build(&req, &cons, NULL, &plan, &err), 0);
	ck_assert_int_eq(e820_from_plan(&plan, table, E820_MAX_ENTRIES_ZEROPAGE), 7);
	assert_entry(&table[0], 0, 0x9f000, E820_TYPE_RAM);
	assert_entry(&table[1], 0x9f000, 0x1000, E820_TYPE_RESERVED);
	assert_entry(&table[2], 0xe0000, 0x20000, E820_TYPE_RESERVED);
	assert_entry(&table[3], 0x100000, 0xc0000000 - 0x100000, E820_TYPE_RAM);
	/* ECAM is reserved, as Linux wants MCFG's area to be. */
	assert_entry(&table[4], 0xc0000000, 0x1000000, E820_TYPE_RESERVED);
	/* IOAPIC, chipset, LAPIC/MSI and the top firmware merge. */
	assert_entry(&table[5], 0xfec00000, 0x100000000 - 0xfec00000,
		     E820_TYPE_RESERVED);
	assert_entry(&table[6], 0x100000000,
		     (5ULL << 30) - 0x9f000 - (0xc0000000 - 0x100000),
		     E820_TYPE_RAM);
	memplan_free(&plan);
}
END_TEST

START_TEST(test_more_than_the_zero_page)
{
	struct vm_plan plan = { .arch = "test" };
	struct boot_params *bp = calloc(1, sizeof(*bp));
	size_t ext_size = sizeof(struct setup_data) + 100 * sizeof(struct boot_e820_entry);
	struct setup_data *ext = calloc(1, ext_size);
	struct boot_e820_entry *more;

	ck_assert_ptr_nonnull(bp);
	ck_assert_ptr_nonnull(ext);
	/* 100 banks with 100 holes between them: 200 entries. */
	for (unsigned int i = 0; i < 100; i++) {
		plan_add(&plan, i * 0x2000, 0x1000, PLAN_RAM);
		plan_add(&plan, i * 0x2000 + 0x1000, 0x1000, PLAN_HOLE);
	}
	ck_assert_int_eq(e820_write_boot(&plan, bp, ext, ext_size),
			 sizeof(*ext) + 72 * sizeof(struct boot_e820_entry));
	ck_assert_uint_eq(bp->e820_entries, 128);
	assert_entry(&bp->e820_table[127], 63 * 0x2000 + 0x1000, 0x1000, E820_TYPE_RESERVED);
	ck_assert_uint_eq(ext->type, SETUP_E820_EXT);
	ck_assert_uint_eq(ext->next, 0);
	ck_assert_uint_eq(ext->len, 72 * sizeof(struct boot_e820_entry));
	more = (struct boot_e820_entry *)ext->data;
	assert_entry(&more[0], 64 * 0x2000, 0x1000, E820_TYPE_RAM);
	assert_entry(&more[71], 99 * 0x2000 + 0x1000, 0x1000, E820_TYPE_RESERVED);

	/* Too little room for the rest: refused, not cut short. */
	ck_assert_int_eq(e820_write_boot(&plan, bp, ext, ext_size / 2), -ENOSPC);
	ck_assert_int_eq(e820_write_boot(&plan, bp, NULL, 0), -ENOSPC);

	/* A small plan needs no setup_data at all. */
	memplan_free(&plan);
	plan_add(&plan, 0, 0x1000, PLAN_RAM);
	ck_assert_int_eq(e820_write_boot(&plan, bp, NULL, 0), 0);
	ck_assert_uint_eq(bp->e820_entries, 1);
	memplan_free(&plan);
	free(bp);
	free(ext);
}
END_TEST

Suite *e820_suite(void)
{
	Suite *s = suite_create("e820");
	TCase *tc = tcase_create("from_plan");

	tcase_add_test(tc, test_kinds_to_types);
	tcase_add_test(tc, test_merges_adjacent);
	tcase_add_test(tc, test_table_too_small);
	tcase_add_test(tc, test_empty_plan);
	tcase_add_test(tc, test_x86_plan);
	tcase_add_test(tc, test_more_than_the_zero_page);
	suite_add_tcase(s, tc);
	return s;
}
