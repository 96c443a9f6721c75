// SPDX-License-Identifier: GPL-2.0
/*
 * vmm/memplan against host facts: one case per rule of docs/planner.md,
 * each failing if its rule breaks, with the shapes real hosts report.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/e820.h"
#include "tests/unit/suites.h"
#include "vmm/hostres.h"
#include "vmm/memplan.h"

#define MiB(n)	((uint64_t)(n) << 20)
#define GiB(n)	((uint64_t)(n) << 30)
#define TiB(n)	((uint64_t)(n) << 40)

static struct vm_plan plan;

static void plan_teardown(void)
{
	memplan_free(&plan);
}

/* Facts from static tables: tests need no parser. */
#define FACTS(hosts_, regions_) \
	((struct host_facts) { .hosts = (hosts_), .nr_hosts = sizeof(hosts_) / sizeof((hosts_)[0]), \
			       .regions = (regions_), .nr_regions = sizeof(regions_) / sizeof((regions_)[0]) })

static int plan_arch(const char *arch, uint64_t ram, const struct host_facts *facts,
		     bool relaxable, struct plan_error *err)
{
	struct plan_request req = { .ram_size = ram, .nr_cpus = 2,
				    .allow_relaxable = relaxable };
	struct plan_constraints cons;

	memset(err, 0, sizeof(*err));
	memplan_free(&plan);
	ck_assert_int_eq(memplan_arch_constraints(arch, &req, 46, &cons, err), 0);
	return memplan_build(&req, &cons, facts, &plan, err);
}

static uint64_t ram_in(uint64_t start, uint64_t end)
{
	uint64_t total = 0;

	for (size_t i = 0; i < plan.nr_regions; i++) {
		const struct plan_region *r = &plan.regions[i];
		uint64_t s = r->start > start ? r->start : start;
		uint64_t e = r->start + r->size < end ? r->start + r->size : end;

		if (r->kind == PLAN_RAM && s < e)
			total += e - s;
	}
	return total;
}

static const struct plan_region *region_at(uint64_t addr)
{
	for (size_t i = 0; i < plan.nr_regions; i++)
		if (plan.regions[i].start <= addr &&
		    addr - plan.regions[i].start < plan.regions[i].size)
			return &plan.regions[i];
	return NULL;
}

static char *print_host_text(const struct host_facts *facts)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(out);
	memplan_print_host(&plan, facts, out);
	fclose(out);
	return text;
}

static struct host_info one_host[] = { { .name = "hostA.txt" } };

START_TEST(test_x86_msi_window)
{
	struct host_region regions[] = {
		{ 0xfee00000, 0xfeefffff, HOST_MSI, 0, "" },
	};
	struct host_facts facts = FACTS(one_host, regions);
	struct plan_error err;
	char *text;

	ck_assert_int_eq(plan_arch("x86_64", GiB(8), &facts, false, &err), 0);
	ck_assert_uint_eq(ram_in(0xfee00000, 0xfef00000), 0);
	ck_assert_uint_eq(memplan_ram_total(&plan), GiB(8));
	ck_assert_uint_eq(plan.doorbell.start, 0xfee00000);
	ck_assert_uint_eq(plan.doorbell.size, MiB(1));
	/* The window lies in the guest's own MSI region: no extra hole. */
	ck_assert_ptr_null(memplan_find(&plan, "hole0"));
	text = print_host_text(&facts);
	ck_assert_msg(strstr(text, "MSI doorbell sits on it") != NULL, "%s", text);
	free(text);
	ck_assert_int_eq(memplan_check(&plan, &facts, NULL), 0);
}
END_TEST

START_TEST(test_x86_rmrr_in_low_ram)
{
	struct host_region regions[] = {
		{ 0xbdf6e000, 0xbdf84fff, HOST_DIRECT, 0, "RMRR" },
	};
	struct host_facts facts = FACTS(one_host, regions);
	struct boot_e820_entry table[E820_MAX_ENTRIES_ZEROPAGE];
	const struct plan_region *before, *hole, *after;
	struct plan_error err;
	bool reserved = false;
	int n;

	ck_assert_int_eq(plan_arch("x86_64", GiB(4), &facts, false, &err), 0);
	before = region_at(0xbdf6d000);
	hole = region_at(0xbdf6e000);
	after = region_at(0xbdf85000);
	ck_assert_ptr_nonnull(before);
	ck_assert_ptr_nonnull(hole);
	ck_assert_ptr_nonnull(after);
	/* Banks end and start exactly at the 4K-aligned hole. */
	ck_assert_int_eq(before->kind, PLAN_RAM);
	ck_assert_uint_eq(before->start + before->size, 0xbdf6e000);
	ck_assert_int_eq(hole->kind, PLAN_HOLE);
	ck_assert_uint_eq(hole->start, 0xbdf6e000);
	ck_assert_uint_eq(hole->size, 0x17000);
	ck_assert_msg(strstr(hole->why, "direct") && strstr(hole->why, "hostA.txt"), "%s", hole->why);
	ck_assert_int_eq(after->kind, PLAN_RAM);
	ck_assert_uint_eq(after->start, 0xbdf85000);
	ck_assert_uint_eq(after->start + after->size, 0xc0000000);
	ck_assert_uint_eq(memplan_ram_total(&plan), GiB(4));
	/* The guest is told: e820 has the hole as reserved. */
	n = e820_from_plan(&plan, table, E820_MAX_ENTRIES_ZEROPAGE);
	ck_assert_int_gt(n, 0);
	for (int i = 0; i < n; i++)
		if (table[i].addr == 0xbdf6e000 && table[i].size == 0x17000 &&
		    table[i].type == E820_TYPE_RESERVED)
			reserved = true;
	ck_assert(reserved);
}
END_TEST

START_TEST(test_relaxable_overlapping_direct)
{
	/* direct [16M, 32M), relaxable [24M, 40M): only [32M, 40M) is relaxable. */
	struct host_region regions[] = {
		{ MiB(24), MiB(40) - 1, HOST_DIRECT_RELAXABLE, 0, "" },
		{ MiB(16), MiB(32) - 1, HOST_DIRECT, 0, "" },
	};
	struct host_facts facts = FACTS(one_host, regions);
	struct plan_error err;

	ck_assert_int_eq(plan_arch("x86_64", MiB(512), &facts, false, &err), 0);
	ck_assert_uint_eq(ram_in(MiB(16), MiB(40)), 0);
	ck_assert_uint_eq(memplan_check(&plan, &facts, NULL), 0);

	ck_assert_int_eq(plan_arch("x86_64", MiB(512), &facts, true, &err), 0);
	ck_assert_uint_eq(ram_in(MiB(16), MiB(32)), 0);
	ck_assert_uint_eq(ram_in(MiB(32), MiB(40)), MiB(8));
	ck_assert(plan.allow_relaxable);
	ck_assert_uint_eq(memplan_check(&plan, &facts, NULL), 0);
}
END_TEST

START_TEST(test_relaxable_suggested)
{
	/* Relaxable covers most of a small address space: the message says the flag helps. */
	struct host_info hosts[] = { { .name = "small.txt", .phys_bits = 32 } };
	struct host_region regions[] = {
		{ MiB(64), 0xbfffffff, HOST_DIRECT_RELAXABLE, 0, "" },
	};
	struct host_facts facts = FACTS(hosts, regions);
	struct plan_error err;

	ck_assert_int_eq(plan_arch("x86_64", GiB(1), &facts, false, &err), -ENOSPC);
	ck_assert_msg(strstr(err.msg, "--allow-relaxable would make it fit"), "%s", err.msg);
	ck_assert_int_eq(plan_arch("x86_64", GiB(1), &facts, true, &err), 0);
}
END_TEST

START_TEST(test_amd_ht_hole)
{
	struct host_info hosts[] = { { .name = "amd.txt", .phys_bits = 48 } };
	struct host_region regions[] = {
		{ 0xfee00000, 0xfeefffff, HOST_MSI, 0, "" },
		{ 0xfd00000000ULL, 0xffffffffffULL, HOST_RESERVED, 0, "" },
	};
	struct host_facts facts = FACTS(hosts, regions);
	const struct plan_region *hole, *above;
	struct plan_error err;

	ck_assert_int_eq(plan_arch("x86_64", GiB(1536), &facts, false, &err), 0);
	ck_assert_uint_eq(memplan_ram_total(&plan), GiB(1536));
	ck_assert_uint_eq(ram_in(0xfd00000000ULL, TiB(1)), 0);
	hole = region_at(0xfd00000000ULL);
	ck_assert_ptr_nonnull(hole);
	ck_assert_int_eq(hole->kind, PLAN_HOLE);
	ck_assert_uint_eq(hole->size, GiB(12));
	above = region_at(TiB(1));
	ck_assert_ptr_nonnull(above);
	ck_assert_int_eq(above->kind, PLAN_RAM);
	ck_assert_uint_eq(memplan_check(&plan, &facts, NULL), 0);

	/* A guest that ends below the hole leaves it alone: no hole region. */
	ck_assert_int_eq(plan_arch("x86_64", GiB(64), &facts, false, &err), 0);
	ck_assert_ptr_null(region_at(0xfd00000000ULL));
}
END_TEST

START_TEST(test_x86_phys_bits_too_small)
{
	/* The AMD hole plus 1.5T does not fit 40 bits: the error says so. */
	struct host_info hosts[] = { { .name = "amd.txt", .phys_bits = 40 } };
	struct host_region regions[] = {
		{ 0xfd00000000ULL, 0xffffffffffULL, HOST_RESERVED, 0, "" },
	};
	struct host_facts facts = FACTS(hosts, regions);
	struct plan_error err;

	ck_assert_int_eq(plan_arch("x86_64", GiB(1536), &facts, false, &err), -ENOSPC);
	ck_assert_msg(strstr(err.msg, "1.5T of RAM does not fit") &&
		      strstr(err.msg, "amd.txt's phys-bits 40") &&
		      strstr(err.msg, "Ask for at most"), "%s", err.msg);
}
END_TEST

START_TEST(test_arm64_msi_at_128m)
{
	struct host_region regions[] = {
		{ 0x8000000, 0x80fffff, HOST_MSI, 0, "" },
		{ 0xc6010000, 0xc601ffff, HOST_MSI, 0, "ITS doorbell" },
	};
	struct host_facts facts = FACTS(one_host, regions);
	const struct plan_region *its, *hole;
	struct plan_error err;

	ck_assert_int_eq(plan_arch("arm64", GiB(8), &facts, false, &err), 0);
	its = memplan_find(&plan, "gic-its");
	ck_assert_ptr_nonnull(its);
	/* The ITS frame sits on the host's window; its doorbell page too. */
	ck_assert_uint_eq(its->start, 0x8000000);
	ck_assert_uint_ge(plan.doorbell.start, 0x8000000);
	ck_assert_uint_le(plan.doorbell.start + plan.doorbell.size, 0x8100000);
	ck_assert_uint_eq(plan.doorbell.start, its->start + 0x10000);
	ck_assert_msg(strstr(plan.doorbell.where, "msi window 0x8000000"), "%s", plan.doorbell.where);
	/* RAM does not start at 0, and skips the hardware doorbell. */
	ck_assert_uint_eq(ram_in(0, GiB(1)), 0);
	ck_assert_uint_eq(ram_in(0xc6010000, 0xc6020000), 0);
	hole = region_at(0xc6010000);
	ck_assert_ptr_nonnull(hole);
	ck_assert_int_eq(hole->kind, PLAN_HOLE);
	ck_assert_uint_eq(memplan_ram_total(&plan), GiB(8));
	/* The other frames moved off the ITS. */
	ck_assert_ptr_nonnull(memplan_find(&plan, "gic-dist"));
	ck_assert_uint_eq(memplan_check(&plan, &facts, NULL), 0);
}
END_TEST

START_TEST(test_arm64_msi_moved)
{
	/* reserved where msi usually is; the msi window sits where the UART likes to be. */
	struct host_region regions[] = {
		{ 0x8000000, 0x80fffff, HOST_RESERVED, 0, "" },
		{ 0x9000000, 0x90fffff, HOST_MSI, 0, "" },
	};
	struct host_facts facts = FACTS(one_host, regions);
	const struct plan_region *its, *uart, *pci;
	struct plan_error err;

	ck_assert_int_eq(plan_arch("arm64", GiB(2), &facts, false, &err), 0);
	its = memplan_find(&plan, "gic-its");
	uart = memplan_find(&plan, "uart");
	pci = memplan_find(&plan, "pci-mmio32");
	ck_assert_ptr_nonnull(its);
	ck_assert_ptr_nonnull(uart);
	ck_assert_ptr_nonnull(pci);
	ck_assert_uint_eq(its->start, 0x9000000);
	ck_assert(uart->start + uart->size <= its->start || uart->start >= its->start + its->size);
	/* BAR windows never on a host reserved region. */
	ck_assert(pci->start + pci->size <= 0x8000000 || pci->start >= 0x8100000);
}
END_TEST

START_TEST(test_arm64_no_msi_window)
{
	struct host_region regions[] = {
		{ 0x8000000, 0x80fffff, HOST_RESERVED, 0, "" },
	};
	struct host_facts facts = FACTS(one_host, regions);
	struct plan_error err;

	ck_assert_int_eq(plan_arch("arm64", GiB(2), &facts, false, &err), 0);
	ck_assert_msg(strstr(plan.doorbell.where, "platform MMIO area"), "%s", plan.doorbell.where);
	ck_assert_uint_ne(plan.doorbell.size, 0);
}
END_TEST

START_TEST(test_iova_aperture_39_bits)
{
	struct host_info hosts[] = { { .name = "intel.txt", .has_iova_ranges = true } };
	struct host_region regions[] = {
		{ 0xfee00000, 0xfeefffff, HOST_MSI, 0, "" },
	};
	struct host_iova_range iova[] = {
		{ 0, 0xfedfffff, 0 }, { 0xfef00000, 0x7fffffffffULL, 0 },
	};
	struct host_facts facts = FACTS(hosts, regions);
	struct plan_error err;

	facts.iova = iova;
	facts.nr_iova = 2;
	ck_assert_int_eq(plan_arch("x86_64", TiB(1), &facts, false, &err), -ENOSPC);
	ck_assert_msg(strstr(err.msg, "1T of RAM does not fit") &&
		      strstr(err.msg, "0x8000000000") &&
		      strstr(err.msg, "intel.txt's IOVA ranges") &&
		      strstr(err.msg, "Ask for at most"), "%s", err.msg);
	/* What fits, fits inside the aperture. */
	ck_assert_int_eq(plan_arch("x86_64", GiB(256), &facts, false, &err), 0);
	ck_assert_uint_eq(ram_in(TiB(1) / 2, UINT64_MAX), 0);
	ck_assert_uint_eq(memplan_check(&plan, &facts, NULL), 0);
}
END_TEST

START_TEST(test_two_hosts)
{
	struct host_info hosts[] = {
		{ .name = "hostA.txt" }, { .name = "hostB.txt", .phys_bits = 44 },
	};
	struct host_region regions[] = {
		{ 0x8000000, 0x80fffff, HOST_MSI, 0, "" },
		{ 0x9000000, 0x90fffff, HOST_MSI, 1, "" },
		{ 0x48000000, 0x48ffffff, HOST_DIRECT, 1, "RMR" },
	};
	struct host_facts facts = FACTS(hosts, regions);
	struct host_facts only_a = facts, only_b = facts;
	struct plan_error err;

	ck_assert_int_eq(plan_arch("arm64", GiB(4), &facts, false, &err), 0);
	/* The lowest window that fits wins, the other is still kept out. */
	ck_assert_uint_eq(memplan_find(&plan, "gic-its")->start, 0x8000000);
	ck_assert_uint_eq(ram_in(0x48000000, 0x49000000), 0);
	/* Valid on each host alone. */
	only_a.nr_hosts = 1;
	only_a.nr_regions = 1;
	ck_assert_int_eq(memplan_check(&plan, &only_a, NULL), 0);
	ck_assert_int_eq(memplan_check(&plan, &only_b, NULL), 0);
	ck_assert_int_eq(memplan_check(&plan, &facts, NULL), 0);
}
END_TEST

START_TEST(test_unsorted_duplicates)
{
	struct host_region sorted[] = {
		{ 0x20000000, 0x200fffff, HOST_DIRECT, 0, "" },
		{ 0x30000000, 0x3000ffff, HOST_RESERVED, 0, "" },
		{ 0xfee00000, 0xfeefffff, HOST_MSI, 0, "" },
	};
	struct host_region messy[] = {
		{ 0xfee00000, 0xfeefffff, HOST_MSI, 0, "" },
		{ 0x30000000, 0x3000ffff, HOST_RESERVED, 0, "" },
		{ 0x20000000, 0x200fffff, HOST_DIRECT, 0, "" },
		{ 0x30000000, 0x3000ffff, HOST_RESERVED, 0, "" },
		{ 0x20000000, 0x200fffff, HOST_DIRECT, 0, "" },
	};
	struct host_facts a = FACTS(one_host, sorted), b = FACTS(one_host, messy);
	struct vm_plan first;
	struct plan_error err;

	ck_assert_int_eq(plan_arch("x86_64", GiB(2), &a, false, &err), 0);
	first = plan;
	memset(&plan, 0, sizeof(plan));
	ck_assert_int_eq(plan_arch("x86_64", GiB(2), &b, false, &err), 0);
	ck_assert_uint_eq(first.nr_regions, plan.nr_regions);
	for (size_t i = 0; i < plan.nr_regions; i++) {
		ck_assert_uint_eq(first.regions[i].start, plan.regions[i].start);
		ck_assert_uint_eq(first.regions[i].size, plan.regions[i].size);
		ck_assert_int_eq(first.regions[i].kind, plan.regions[i].kind);
		ck_assert_str_eq(first.regions[i].name, plan.regions[i].name);
	}
	memplan_free(&first);
}
END_TEST

START_TEST(test_window_cut_by_host_region)
{
	/* A peer BAR in the 32-bit window: window in two pieces, a hole between. */
	struct host_region regions[] = {
		{ 0xd0000000, 0xd00fffff, HOST_PEER_BAR, 0, "0000:03:00.1 BAR 0" },
	};
	struct host_facts facts = FACTS(one_host, regions);
	const struct plan_region *lo, *hi, *hole;
	struct plan_error err;

	ck_assert_int_eq(plan_arch("x86_64", GiB(1), &facts, false, &err), 0);
	lo = memplan_find(&plan, "pci-mmio32");
	hi = memplan_find(&plan, "pci-mmio32.1");
	hole = region_at(0xd0000000);
	ck_assert_ptr_nonnull(lo);
	ck_assert_ptr_nonnull(hi);
	ck_assert_ptr_nonnull(hole);
	ck_assert_uint_eq(lo->start + lo->size, 0xd0000000);
	ck_assert_uint_eq(hi->start, 0xd0100000);
	ck_assert_int_eq(hole->kind, PLAN_HOLE);
	ck_assert_msg(strstr(hole->why, "peer-bar") && strstr(hole->why, "0000:03:00.1"), "%s", hole->why);
}
END_TEST

START_TEST(test_boot_area_conflict)
{
	struct host_region regions[] = {
		{ 0x50000, 0x5ffff, HOST_DIRECT, 0, "RMRR" },
	};
	struct host_facts facts = FACTS(one_host, regions);
	struct plan_error err;

	ck_assert_int_eq(plan_arch("x86_64", GiB(1), &facts, false, &err), -ENOSPC);
	ck_assert_msg(strstr(err.msg, "host direct 0x50000-0x5ffff") &&
		      strstr(err.msg, "x86_64 needs as RAM") &&
		      strstr(err.msg, "assign another device"), "%s", err.msg);
	/* A direct region is no one's to lift: no --allow-relaxable advice. */
	ck_assert_msg(!strstr(err.msg, "--allow-relaxable"), "%s", err.msg);
}
END_TEST

START_TEST(test_boot_area_relaxable)
{
	struct host_region regions[] = {
		{ 0, 0xffffff, HOST_DIRECT_RELAXABLE, 0, "group 3" },
	};
	struct host_facts facts = FACTS(one_host, regions);
	struct plan_error err;
	const char *tail = ", or pass --allow-relaxable";

	ck_assert_int_eq(plan_arch("x86_64", GiB(1), &facts, false, &err), -ENOSPC);
	/* It knows the region is relaxable, so the advice is plain. */
	ck_assert_msg(strlen(err.msg) > strlen(tail) &&
		      !strcmp(err.msg + strlen(err.msg) - strlen(tail), tail), "%s", err.msg);
	ck_assert_int_eq(plan_arch("x86_64", GiB(1), &facts, true, &err), 0);
}
END_TEST

START_TEST(test_pci64_window)
{
	struct plan_request req = { .ram_size = GiB(6), .nr_cpus = 1, .pci64_size = GiB(3) };
	struct host_info hosts[] = { { .name = "h", .phys_bits = 40 } };
	struct host_region regions[] = {
		{ GiB(8), GiB(9) - 1, HOST_RESERVED, 0, "" },
	};
	struct host_facts facts = FACTS(hosts, regions);
	struct plan_constraints cons;
	struct plan_error err;
	const struct plan_region *w;

	ck_assert_int_eq(memplan_arch_constraints("x86_64", &req, 40, &cons, &err), 0);
	memplan_free(&plan);
	ck_assert_int_eq(memplan_build(&req, &cons, &facts, &plan, &err), 0);
	w = memplan_find(&plan, "pci-mmio64");
	ck_assert_ptr_nonnull(w);
	ck_assert_uint_eq(w->size, GiB(3));
	/* Above RAM, naturally aligned, off the host region. */
	ck_assert_uint_ge(w->start, GiB(9));
	ck_assert_uint_eq(w->start % GiB(4), 0);
}
END_TEST

START_TEST(test_print_host_lines)
{
	struct host_info hosts[] = { { .name = "amd.txt", .phys_bits = 48 } };
	struct host_region regions[] = {
		{ 0xfd00000000ULL, 0xffffffffffULL, HOST_RESERVED, 0, "" },
		{ 0xbdf6e000, 0xbdf84fff, HOST_DIRECT, 0, "" },
	};
	struct host_facts facts = FACTS(hosts, regions);
	struct plan_error err;
	char *text;

	ck_assert_int_eq(plan_arch("x86_64", GiB(8), &facts, false, &err), 0);
	text = print_host_text(&facts);
	/* Sorted by address; each says how it was avoided. */
	ck_assert_msg(strstr(text, "0x00000000bdf6e000 0x00000000bdf84fff direct") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "kept out of RAM: hole0") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "above the guest's map") != NULL, "%s", text);
	ck_assert(strstr(text, "bdf6e000") < strstr(text, "fd00000000"));
	free(text);
}
END_TEST

START_TEST(test_check_finds_conflicts)
{
	struct host_region regions[] = {
		{ MiB(64), MiB(65) - 1, HOST_DIRECT, 0, "" },
	};
	struct host_facts facts = FACTS(one_host, regions);
	struct plan_error err;
	char *text = NULL;
	size_t len = 0;
	FILE *out;

	/* Planned without the host: RAM runs through 64M. */
	ck_assert_int_eq(plan_arch("x86_64", GiB(1), NULL, false, &err), 0);
	out = open_memstream(&text, &len);
	ck_assert_int_eq(memplan_check(&plan, &facts, out), 1);
	fclose(out);
	ck_assert_msg(strstr(text, "ram1") && strstr(text, "overlaps hostA.txt's direct region 0x4000000-0x40fffff"),
		      "%s", text);
	free(text);
}
END_TEST

Suite *memplan_rules_suite(void)
{
	Suite *s = suite_create("memplan_rules");
	TCase *tc = tcase_create("rules");

	tcase_add_checked_fixture(tc, NULL, plan_teardown);
	tcase_add_test(tc, test_x86_msi_window);
	tcase_add_test(tc, test_x86_rmrr_in_low_ram);
	tcase_add_test(tc, test_relaxable_overlapping_direct);
	tcase_add_test(tc, test_relaxable_suggested);
	tcase_add_test(tc, test_amd_ht_hole);
	tcase_add_test(tc, test_x86_phys_bits_too_small);
	tcase_add_test(tc, test_arm64_msi_at_128m);
	tcase_add_test(tc, test_arm64_msi_moved);
	tcase_add_test(tc, test_arm64_no_msi_window);
	tcase_add_test(tc, test_iova_aperture_39_bits);
	tcase_add_test(tc, test_two_hosts);
	tcase_add_test(tc, test_unsorted_duplicates);
	tcase_add_test(tc, test_window_cut_by_host_region);
	tcase_add_test(tc, test_boot_area_conflict);
	tcase_add_test(tc, test_boot_area_relaxable);
	tcase_add_test(tc, test_pci64_window);
	tcase_add_test(tc, test_print_host_lines);
	tcase_add_test(tc, test_check_finds_conflicts);
	suite_add_tcase(s, tc);
	return s;
}
