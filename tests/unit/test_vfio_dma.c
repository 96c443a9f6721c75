// SPDX-License-Identifier: GPL-2.0
/*
 * vfio/dma: each rule of vfio_dma_check with the message it gives, the
 * RLIMIT_MEMLOCK check, the mappings a plan asks for (its RAM banks and
 * nothing else), and vfio_dma_map_plan refusing before any ioctl.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "tests/unit/suites.h"
#include "vfio/dma.h"
#include "vmm/guest_mem.h"
#include "vmm/hostres.h"
#include "vmm/memplan.h"
#include "vmm/util.h"

/*
 * An AMD-like host as VFIO and sysfs describe it, plus an Intel-like RMRR,
 * a relaxable region with a direct one inside it, and a peer's BAR.
 * Host 1 is another machine: its regions must not count for host 0.
 */
static struct host_facts facts;
static struct vfio_dma_rules rules;
static struct vfio_error err;

static void add_region(unsigned int host, uint64_t start, uint64_t end,
		       enum host_region_type type, const char *what)
{
	ck_assert_int_eq(hostres_add_region(&facts, host, start, end, type, what), 0);
}

static void facts_setup(void)
{
	memset(&facts, 0, sizeof(facts));
	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(hostres_add_host(&facts, "this host"), 0);
	ck_assert_int_eq(hostres_add_host(&facts, "other.txt"), 1);
	facts.hosts[0].pgsize_bitmap = 0x40201000;
	facts.hosts[0].dma_avail = 4;
	facts.hosts[0].has_iova_ranges = true;
	add_region(0, 0xfee00000, 0xfeefffff, HOST_MSI, "group 1");
	add_region(0, 0xfd00000000, 0xffffffffff, HOST_RESERVED, "group 1");
	add_region(0, 0xbdf6e000, 0xbdf84fff, HOST_DIRECT, "");
	add_region(0, 0x48000000, 0x48ffffff, HOST_DIRECT_RELAXABLE, "group 3");
	add_region(0, 0x48800000, 0x488fffff, HOST_DIRECT, "group 3");
	add_region(0, 0xf2000000, 0xf2003fff, HOST_PEER_BAR, "0000:03:00.1 BAR 0");
	add_region(1, 0x08000000, 0x080fffff, HOST_MSI, "other host");
	ck_assert_int_eq(hostres_add_iova_range(&facts, 0, 0, 0xfedfffff), 0);
	ck_assert_int_eq(hostres_add_iova_range(&facts, 0, 0xfef00000, 0xfcffffffff), 0);
	ck_assert_int_eq(hostres_add_iova_range(&facts, 0, 0x10000000000,
						0xffffffffffff), 0);
	ck_assert_int_eq(hostres_add_iova_range(&facts, 1, 0, 0xfff), 0);
	rules = (struct vfio_dma_rules){ .facts = &facts, .host = 0 };
}

static void facts_teardown(void)
{
	hostres_free(&facts);
}

static int check(uint64_t iova, uint64_t size)
{
	return vfio_dma_check(&rules, "ram1", iova, size, 0x7f0000000000, NULL, 0, &err);
}

static void assert_refused(int ret, int want_ret, const char *want)
{
	ck_assert_int_eq(ret, want_ret);
	ck_assert_str_eq(err.msg, want);
}

/* --- vfio_dma_check, one rule at a time --- */

START_TEST(test_check_good)
{
	ck_assert_int_eq(check(0x100000, 0x3ff00000), 0);
	ck_assert_int_eq(check(0, 0x9f000), 0);
	/* Right up to the msi window, and from its end on. */
	ck_assert_int_eq(check(0xf3000000, 0xbe00000), 0);
	ck_assert_int_eq(check(0x10000000000, 0x40000000), 0);
	/* Host 1's msi window at 128 MiB is another machine's. */
	ck_assert_int_eq(check(0x08000000, 0x100000), 0);
}
END_TEST

START_TEST(test_check_empty)
{
	assert_refused(check(0x1000, 0), -EINVAL, "ram1 at 0x1000: an empty mapping");
}
END_TEST

START_TEST(test_check_wraps)
{
	assert_refused(check(0xfffffffffffff000, 0x2000), -EINVAL,
		       "ram1 0xfffffffffffff000+0x2000: wraps past the top of the 64-bit space");
}
END_TEST

/* VFIO takes it, but cannot unmap it: iova + size is 0. */
START_TEST(test_check_top_of_64bit)
{
	hostres_free(&facts);
	ck_assert_int_eq(hostres_add_host(&facts, "no ranges"), 0);
	assert_refused(check(0xfffffffffffff000, 0x1000), -EINVAL,
		       "ram1 0xfffffffffffff000-0xffffffffffffffff: ends at the top of the 64-bit space, which VFIO maps but cannot unmap");
	/* One page lower is fine for a host that reported no ranges. */
	ck_assert_int_eq(check(0xffffffffffffe000, 0x1000), 0);
}
END_TEST

START_TEST(test_check_alignment)
{
	assert_refused(check(0x100800, 0x1000), -EINVAL,
		       "ram1 0x100800-0x1017ff: its IOVA 0x100800 is not a multiple of the IOMMU's smallest page, 4K (pgsize-bitmap 0x40201000)");
	assert_refused(check(0x100000, 0x1800), -EINVAL,
		       "ram1 0x100000-0x1017ff: its size 0x1800 is not a multiple of the IOMMU's smallest page, 4K (pgsize-bitmap 0x40201000)");
	assert_refused(vfio_dma_check(&rules, "ram1", 0x100000, 0x1000, 0x7f0000000200,
				      NULL, 0, &err), -EINVAL,
		       "ram1 0x100000-0x100fff: its host address 0x7f0000000200 is not a multiple of the IOMMU's smallest page, 4K (pgsize-bitmap 0x40201000)");
	/* An IOMMU whose smallest page is 64 KiB. */
	facts.hosts[0].pgsize_bitmap = 0x20010000;
	assert_refused(check(0x101000, 0x10000), -EINVAL,
		       "ram1 0x101000-0x110fff: its IOVA 0x101000 is not a multiple of the IOMMU's smallest page, 64K (pgsize-bitmap 0x20010000)");
	ck_assert_int_eq(check(0x110000, 0x10000), 0);
	/* No page sizes reported: 4 KiB. */
	facts.hosts[0].pgsize_bitmap = 0;
	ck_assert_int_eq(check(0x101000, 0x1000), 0);
	assert_refused(check(0x100200, 0x1000), -EINVAL,
		       "ram1 0x100200-0x1011ff: its IOVA 0x100200 is not a multiple of the IOMMU's smallest page, 4K (pgsize-bitmap 0x0)");
}
END_TEST

START_TEST(test_check_msi)
{
	assert_refused(check(0xfe000000, 0x1000000), -EINVAL,
		       "ram1 0xfe000000-0xfeffffff: overlaps the host's msi region 0xfee00000-0xfeefffff (group 1): the IOMMU's MSI doorbell window: a DMA write there is an interrupt");
	/* One page on its last byte is as bad. */
	ck_assert_int_eq(check(0xfeeff000, 0x1000), -EINVAL);
}
END_TEST

START_TEST(test_check_reserved)
{
	assert_refused(check(0xfd00000000, 0x200000), -EINVAL,
		       "ram1 0xfd00000000-0xfd001fffff: overlaps the host's reserved region 0xfd00000000-0xffffffffff (group 1): the IOMMU cannot translate it");
}
END_TEST

START_TEST(test_check_direct)
{
	assert_refused(check(0xbdf00000, 0x100000), -EINVAL,
		       "ram1 0xbdf00000-0xbdffffff: overlaps the host's direct region 0xbdf6e000-0xbdf84fff: firmware DMAs there through an identity map");
}
END_TEST

START_TEST(test_check_peer_bar)
{
	assert_refused(check(0xf2002000, 0x1000), -EINVAL,
		       "ram1 0xf2002000-0xf2002fff: overlaps the host's peer-bar region 0xf2000000-0xf2003fff (0000:03:00.1 BAR 0): DMA there goes to that device, not to RAM");
}
END_TEST

START_TEST(test_check_relaxable)
{
	assert_refused(check(0x48000000, 0x100000), -EINVAL,
		       "ram1 0x48000000-0x480fffff: overlaps the host's direct-relaxable region 0x48000000-0x48ffffff (group 3): firmware may DMA there; the plan did not allow RAM on it (--allow-relaxable)");
	rules.allow_relaxable = true;
	ck_assert_int_eq(check(0x48000000, 0x800000), 0);
	ck_assert_int_eq(check(0x48900000, 0x700000), 0);
	/* Where a direct region overlaps the relaxable one, direct wins. */
	assert_refused(check(0x48000000, 0x1000000), -EINVAL,
		       "ram1 0x48000000-0x48ffffff: overlaps the host's direct region 0x48800000-0x488fffff (group 3): firmware DMAs there through an identity map");
}
END_TEST

START_TEST(test_check_iova_ranges)
{
	/* Above the last range (and no region there). */
	assert_refused(check(0x1000000000000, 0x1000), -EINVAL,
		       "ram1 0x1000000000000-0x1000000000fff: not inside one of the IOMMU's IOVA ranges (0x0-0xfedfffff, 0xfef00000-0xfcffffffff, 0x10000000000-0xffffffffffff)");
	/* Type1 wants the whole mapping in one range, even across a seam. */
	hostres_free(&facts);
	ck_assert_int_eq(hostres_add_host(&facts, "seam"), 0);
	ck_assert_int_eq(hostres_add_iova_range(&facts, 0, 0, 0x7fffffff), 0);
	ck_assert_int_eq(hostres_add_iova_range(&facts, 0, 0x80000000, 0xffffffff), 0);
	facts.hosts[0].has_iova_ranges = true;
	assert_refused(check(0x7ff00000, 0x200000), -EINVAL,
		       "ram1 0x7ff00000-0x800fffff: not inside one of the IOMMU's IOVA ranges (0x0-0x7fffffff, 0x80000000-0xffffffff)");
	ck_assert_int_eq(check(0x80000000, 0x200000), 0);
	/* A host that reported no ranges takes any IOVA. */
	facts.hosts[0].has_iova_ranges = false;
	ck_assert_int_eq(check(0x7ff00000, 0x200000), 0);
}
END_TEST

/* Only the first four ranges are listed. */
START_TEST(test_check_iova_ranges_many)
{
	hostres_free(&facts);
	ck_assert_int_eq(hostres_add_host(&facts, "many"), 0);
	for (uint64_t i = 0; i < 6; i++)
		ck_assert_int_eq(hostres_add_iova_range(&facts, 0, i << 20,
							(i << 20) + 0xfff), 0);
	facts.hosts[0].has_iova_ranges = true;
	assert_refused(check(0x1000, 0x1000), -EINVAL,
		       "ram1 0x1000-0x1fff: not inside one of the IOMMU's IOVA ranges (0x0-0xfff, 0x100000-0x100fff, 0x200000-0x200fff, 0x300000-0x300fff, ...)");
}
END_TEST

START_TEST(test_check_overlaps_mapped)
{
	struct vfio_dma_mapping mapped[] = {
		{ "ram0", 0, 0x9f000, 0x7f0000000000 },
		{ "ram1", 0x100000, 0xbff00000, 0x7f0000200000 },
	};

	ck_assert_int_eq(vfio_dma_check(&rules, "ram2", 0x9f000, 0x1000, 0x7f0000000000,
					mapped, 2, &err), 0);
	assert_refused(vfio_dma_check(&rules, "ram2", 0xbffff000, 0x2000, 0x7f0000000000,
				      mapped, 2, &err), -EINVAL,
		       "ram2 0xbffff000-0xc0000fff: overlaps ram1 0x100000-0xbfffffff, mapped already");
}
END_TEST

/* dma_avail is how many MAP_DMA calls the container still takes. */
START_TEST(test_check_dma_avail)
{
	struct vfio_dma_mapping mapped[4] = {
		{ "ram0", 0x0, 0x1000, 0 }, { "ram1", 0x10000, 0x1000, 0 },
		{ "ram2", 0x20000, 0x1000, 0 }, { "ram3", 0x30000, 0x1000, 0 },
	};

	ck_assert_int_eq(vfio_dma_check(&rules, "ram4", 0x40000, 0x1000, 0, mapped, 3,
					&err), 0);
	assert_refused(vfio_dma_check(&rules, "ram4", 0x40000, 0x1000, 0, mapped, 4, &err),
		       -ENOSPC,
		       "ram4 0x40000-0x40fff: would be DMA mapping 5, past the 4 VFIO allows (vfio_iommu_type1 dma_entry_limit)");
	/* Unknown (0): no limit is assumed. */
	facts.hosts[0].dma_avail = 0;
	ck_assert_int_eq(vfio_dma_check(&rules, "ram4", 0x40000, 0x1000, 0, mapped, 4,
					&err), 0);
}
END_TEST

START_TEST(test_check_no_facts)
{
	rules.host = 2;
	assert_refused(check(0, 0x1000), -EINVAL, "ram1: no host facts to check it against");
}
END_TEST

/* --- RLIMIT_MEMLOCK --- */

START_TEST(test_memlock)
{
	ck_assert_int_eq(vfio_dma_check_memlock(256 << 20, 256 << 20, false, &err), 0);
	ck_assert_int_eq(vfio_dma_check_memlock(256 << 20, RLIM_INFINITY, false, &err), 0);
	ck_assert_int_eq(vfio_dma_check_memlock(256 << 20, 64 << 10, true, &err), 0);
	assert_refused(vfio_dma_check_memlock(256 << 20, 64 << 10, false, &err), -ENOMEM,
		       "DMA for an assigned device pins all 256M of guest RAM, but RLIMIT_MEMLOCK is 64K (raise it: ulimit -l, prlimit --memlock, or LimitMEMLOCK=; or give shapevm CAP_IPC_LOCK)");
}
END_TEST

/* --- the mappings of a plan --- */

static struct vm_plan plan;
static struct guest_slot slot;
static struct guest_mem mem;

static void add_plan_region(enum plan_kind kind, const char *name, uint64_t start,
			    uint64_t size)
{
	struct plan_region r = { .start = start, .size = size, .kind = kind };

	snprintf(r.name, sizeof(r.name), "%s", name);
	ck_assert_int_eq(memplan_add_region(&plan, &r), 0);
}

/*
 * A small x86-like map: RAM, the legacy hole, RAM, firmware tables, a BAR
 * window and the MSI frame. One slot backs the first 2 MiB (the guest's
 * memory for RAM, legacy and firmware alike).
 */
static void plan_setup(void)
{
	facts_setup();
	memplan_init(&plan);
	add_plan_region(PLAN_RAM, "ram0", 0, 0x9f000);
	add_plan_region(PLAN_LEGACY, "legacy", 0xa0000, 0x60000);
	add_plan_region(PLAN_FIRMWARE, "acpi", 0x9f000, 0x1000);
	add_plan_region(PLAN_RAM, "ram1", 0x100000, 0xf0000);
	add_plan_region(PLAN_MMIO_WINDOW, "pci-mmio32", 0xc0000000, 0x10000000);
	add_plan_region(PLAN_MSI, "lapic-msi", 0xfee00000, 0x100000);
	memplan_sort(&plan);
	slot.gpa = 0;
	slot.size = 0x200000;
	slot.host = aligned_alloc(SZ_4K, slot.size);
	ck_assert_ptr_nonnull(slot.host);
	mem = (struct guest_mem){ &slot, 1 };
}

static void plan_teardown(void)
{
	free(slot.host);
	memplan_free(&plan);
	facts_teardown();
}

START_TEST(test_plan_mappings_ram_only)
{
	struct vfio_dma_mapping *maps;
	struct vfio_dma dma;
	size_t nr;

	vfio_dma_init(&dma, NULL, &facts, 0);
	ck_assert_int_eq(dma.container_fd, -1);
	ck_assert_int_eq(vfio_dma_plan_mappings(&dma, &plan, &mem, &maps, &nr, &err), 0);
	ck_assert_uint_eq(nr, 2);
	ck_assert_str_eq(maps[0].name, "ram0");
	ck_assert_uint_eq(maps[0].iova, 0);
	ck_assert_uint_eq(maps[0].size, 0x9f000);
	ck_assert_uint_eq(maps[0].vaddr, (uintptr_t)slot.host);
	ck_assert_str_eq(maps[1].name, "ram1");
	ck_assert_uint_eq(maps[1].iova, 0x100000);
	ck_assert_uint_eq(maps[1].size, 0xf0000);
	ck_assert_uint_eq(maps[1].vaddr, (uintptr_t)slot.host + 0x100000);
	free(maps);
}
END_TEST

START_TEST(test_plan_mappings_unbacked)
{
	struct vfio_dma_mapping *maps = NULL;
	struct vfio_dma dma;
	size_t nr = 0;

	add_plan_region(PLAN_RAM, "ram2", 0x100000000, 0x100000);
	memplan_sort(&plan);
	vfio_dma_init(&dma, NULL, &facts, 0);
	assert_refused(vfio_dma_plan_mappings(&dma, &plan, &mem, &maps, &nr, &err), -EINVAL,
		       "ram2 0x100000000-0x1000fffff: no guest memory backs this RAM bank");
	ck_assert_ptr_null(maps);
}
END_TEST

/* The plan's allow_relaxable is what the check goes by. */
START_TEST(test_plan_mappings_relaxable)
{
	struct vfio_dma_mapping *maps = NULL;
	struct vfio_dma dma;
	size_t nr = 0;

	add_region(0, 0, 0xffffff, HOST_DIRECT_RELAXABLE, "group 0");
	vfio_dma_init(&dma, NULL, &facts, 0);
	assert_refused(vfio_dma_plan_mappings(&dma, &plan, &mem, &maps, &nr, &err), -EINVAL,
		       "ram0 0x0-0x9efff: overlaps the host's direct-relaxable region 0x0-0xffffff (group 0): firmware may DMA there; the plan did not allow RAM on it (--allow-relaxable)");
	plan.allow_relaxable = true;
	ck_assert_int_eq(vfio_dma_plan_mappings(&dma, &plan, &mem, &maps, &nr, &err), 0);
	ck_assert_uint_eq(nr, 2);
	free(maps);
}
END_TEST

/*
 * A plan with RAM on the msi window is refused by the check: the error is
 * shapevm's, not the -EBADF an ioctl on fd -1 would give, and nothing is
 * recorded as mapped.
 */
START_TEST(test_map_plan_refused_before_ioctl)
{
	struct vfio_dma dma;

	memplan_free(&plan);
	memplan_init(&plan);
	add_plan_region(PLAN_RAM, "ram-msi", 0xfee00000, 0x1000);
	slot.gpa = 0xfee00000;
	vfio_dma_init(&dma, NULL, &facts, 0);
	assert_refused(vfio_dma_map_plan(&dma, &plan, &mem, &err), -EINVAL,
		       "ram-msi 0xfee00000-0xfee00fff: overlaps the host's msi region 0xfee00000-0xfeefffff (group 1): the IOMMU's MSI doorbell window: a DMA write there is an interrupt");
	ck_assert_uint_eq(dma.nr_maps, 0);
	ck_assert_ptr_null(dma.maps);
}
END_TEST

/*
 * A good plan reaches the ioctl; on fd -1 it fails, the message names the
 * bank, and nothing stays recorded as mapped. One page, so any
 * RLIMIT_MEMLOCK lets it through to the ioctl.
 */
START_TEST(test_map_plan_ioctl_error)
{
	struct vfio_dma dma;

	memplan_free(&plan);
	memplan_init(&plan);
	add_plan_region(PLAN_RAM, "ram0", 0, 0x1000);
	vfio_dma_init(&dma, NULL, &facts, 0);
	ck_assert_int_eq(vfio_dma_map_plan(&dma, &plan, &mem, &err), -EBADF);
	ck_assert_str_eq(err.msg, "ram0 0x0-0xfff: VFIO_IOMMU_MAP_DMA: Bad file descriptor");
	ck_assert_uint_eq(dma.nr_maps, 0);
	ck_assert_int_eq(vfio_dma_unmap_all(&dma, &err), 0);
}
END_TEST

/* --- peer-to-peer BAR mappings: best effort, checked like RAM --- */

START_TEST(test_peer_refused_before_ioctl)
{
	struct vfio_dma dma;

	vfio_dma_init(&dma, NULL, &facts, 0);
	/* Half a page of BAR: the IOMMU cannot map it, and shapevm says why. */
	ck_assert_int_eq(vfio_dma_map_peer(&dma, "BAR0 of 0000:00:01.0", 0x10000800, 0x800,
					   0x7f0000000800, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "smallest page"));
	ck_assert_ptr_nonnull(strstr(err.msg, "BAR0 of 0000:00:01.0"));
	ck_assert_int_eq(vfio_dma_map_peer(&dma, "BAR2", 0xfee00000, 0x1000, 0x7f0000000000,
					   &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "msi"));
	ck_assert_uint_eq(dma.nr_maps, 0);
}
END_TEST

START_TEST(test_peer_ioctl_error_keeps_nothing)
{
	struct vfio_dma dma;

	vfio_dma_init(&dma, NULL, &facts, 0);	/* no container: the ioctl fails */
	ck_assert_int_eq(vfio_dma_map_peer(&dma, "BAR0", 0x10000000, 0x4000, 0x7f0000000000,
					   &err), -EBADF);
	ck_assert_ptr_nonnull(strstr(err.msg, "VFIO_IOMMU_MAP_DMA"));
	ck_assert_uint_eq(dma.nr_maps, 0);
	free(dma.maps);
}
END_TEST

START_TEST(test_peer_unmap_forgets)
{
	struct vfio_dma dma;

	vfio_dma_init(&dma, NULL, &facts, 0);
	dma.maps = calloc(3, sizeof(*dma.maps));
	ck_assert_ptr_nonnull(dma.maps);
	dma.maps[0] = (struct vfio_dma_mapping) { "ram0", 0, 0x10000000, 0x7f0000000000 };
	dma.maps[1] = (struct vfio_dma_mapping) { "BAR0", 0x20000000, 0x4000, 0x7f1000000000 };
	dma.maps[2] = (struct vfio_dma_mapping) { "BAR3", 0x20008000, 0x1000, 0x7f2000000000 };
	dma.nr_maps = 3;
	ck_assert_int_eq(vfio_dma_unmap_peer(&dma, 0x30000000, &err), -ENOENT);
	ck_assert_uint_eq(dma.nr_maps, 3);
	/* The unmap fails (no container), but the mapping is gone from the list. */
	ck_assert_int_eq(vfio_dma_unmap_peer(&dma, 0x20000000, &err), -EBADF);
	ck_assert_uint_eq(dma.nr_maps, 2);
	ck_assert_str_eq(dma.maps[0].name, "ram0");
	ck_assert_str_eq(dma.maps[1].name, "BAR3");
	free(dma.maps);
}
END_TEST

Suite *vfio_dma_suite(void)
{
	Suite *s = suite_create("vfio_dma");
	TCase *tc = tcase_create("check");

	tcase_add_checked_fixture(tc, facts_setup, facts_teardown);
	tcase_add_test(tc, test_check_good);
	tcase_add_test(tc, test_check_empty);
	tcase_add_test(tc, test_check_wraps);
	tcase_add_test(tc, test_check_top_of_64bit);
	tcase_add_test(tc, test_check_alignment);
	tcase_add_test(tc, test_check_msi);
	tcase_add_test(tc, test_check_reserved);
	tcase_add_test(tc, test_check_direct);
	tcase_add_test(tc, test_check_peer_bar);
	tcase_add_test(tc, test_check_relaxable);
	tcase_add_test(tc, test_check_iova_ranges);
	tcase_add_test(tc, test_check_iova_ranges_many);
	tcase_add_test(tc, test_check_overlaps_mapped);
	tcase_add_test(tc, test_check_dma_avail);
	tcase_add_test(tc, test_check_no_facts);
	tcase_add_test(tc, test_memlock);
	tcase_add_test(tc, test_peer_refused_before_ioctl);
	tcase_add_test(tc, test_peer_ioctl_error_keeps_nothing);
	tcase_add_test(tc, test_peer_unmap_forgets);
	suite_add_tcase(s, tc);

	tc = tcase_create("plan");
	tcase_add_checked_fixture(tc, plan_setup, plan_teardown);
	tcase_add_test(tc, test_plan_mappings_ram_only);
	tcase_add_test(tc, test_plan_mappings_unbacked);
	tcase_add_test(tc, test_plan_mappings_relaxable);
	tcase_add_test(tc, test_map_plan_refused_before_ioctl);
	tcase_add_test(tc, test_map_plan_ioctl_error);
	suite_add_tcase(s, tc);
	return s;
}
