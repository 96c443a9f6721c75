// SPDX-License-Identifier: GPL-2.0
/* vfio/passthrough.c's pure part (which pieces of a BAR become memslots), vfio/intx.c's requests. */
#include <check.h>
#include <linux/vfio.h>
#include <string.h>

#include "tests/unit/suites.h"
#include "vfio/intx.h"
#include "vfio/passthrough.h"

#define SZ_4K	0x1000ULL

static unsigned int pieces_of(uint64_t size, const struct vfio_pci_bar_range *traps,
			      unsigned int nr, struct vfio_pci_bar_range *out)
{
	return vfio_passthrough_bar_pieces(size, traps, nr, out);
}

START_TEST(test_no_traps)
{
	struct vfio_pci_bar_range p[VFIO_PASSTHROUGH_BAR_PIECES];

	ck_assert_uint_eq(pieces_of(0x100000, NULL, 0, p), 1);
	ck_assert_uint_eq(p[0].offset, 0);
	ck_assert_uint_eq(p[0].size, 0x100000);
	ck_assert_uint_eq(pieces_of(0, NULL, 0, p), 0);
}
END_TEST

START_TEST(test_trap_in_the_middle)
{
	const struct vfio_pci_bar_range traps[] = { { 0x3000, SZ_4K } };
	struct vfio_pci_bar_range p[VFIO_PASSTHROUGH_BAR_PIECES];

	ck_assert_uint_eq(pieces_of(0x10000, traps, 1, p), 2);
	ck_assert_uint_eq(p[0].offset, 0);
	ck_assert_uint_eq(p[0].size, 0x3000);
	ck_assert_uint_eq(p[1].offset, 0x4000);
	ck_assert_uint_eq(p[1].size, 0xc000);
}
END_TEST

START_TEST(test_table_and_pba_apart)
{
	/* e1000e-like: table at 0, PBA at 0x2000 of a 16 KiB BAR. */
	const struct vfio_pci_bar_range traps[] = { { 0, SZ_4K }, { 0x2000, SZ_4K } };
	struct vfio_pci_bar_range p[VFIO_PASSTHROUGH_BAR_PIECES];

	ck_assert_uint_eq(pieces_of(0x4000, traps, 2, p), 2);
	ck_assert_uint_eq(p[0].offset, 0x1000);
	ck_assert_uint_eq(p[0].size, SZ_4K);
	ck_assert_uint_eq(p[1].offset, 0x3000);
	ck_assert_uint_eq(p[1].size, SZ_4K);

	/* Three pieces when both traps sit inside. */
	const struct vfio_pci_bar_range mid[] = { { 0x1000, SZ_4K }, { 0x3000, SZ_4K } };

	ck_assert_uint_eq(pieces_of(0x8000, mid, 2, p), 3);
	ck_assert_uint_eq(p[0].offset, 0);
	ck_assert_uint_eq(p[0].size, SZ_4K);
	ck_assert_uint_eq(p[1].offset, 0x2000);
	ck_assert_uint_eq(p[1].size, SZ_4K);
	ck_assert_uint_eq(p[2].offset, 0x4000);
	ck_assert_uint_eq(p[2].size, 0x4000);
}
END_TEST

START_TEST(test_trap_covers_or_ends_the_bar)
{
	const struct vfio_pci_bar_range whole[] = { { 0, 0x2000 } };
	const struct vfio_pci_bar_range tail[] = { { 0x1000, SZ_4K } };
	const struct vfio_pci_bar_range past[] = { { 0x1000, 0x10000 } };
	struct vfio_pci_bar_range p[VFIO_PASSTHROUGH_BAR_PIECES];

	ck_assert_uint_eq(pieces_of(0x2000, whole, 1, p), 0);
	ck_assert_uint_eq(pieces_of(0x2000, tail, 1, p), 1);
	ck_assert_uint_eq(p[0].offset, 0);
	ck_assert_uint_eq(p[0].size, SZ_4K);
	/* A trap past the end is clipped: nothing after it. */
	ck_assert_uint_eq(pieces_of(0x4000, past, 1, p), 1);
	ck_assert_uint_eq(p[0].size, SZ_4K);
}
END_TEST

/* --- sparse mmap: which parts of a region VFIO lets us map --- */

/* A region info answer with a sparse mmap capability of @nr areas. */
struct sparse_answer {
	struct vfio_region_info info;
	struct vfio_region_info_cap_sparse_mmap cap;
	struct vfio_region_sparse_mmap_area areas[4];
};

static size_t sparse_answer(struct sparse_answer *a, uint64_t size,
			    const struct vfio_region_sparse_mmap_area *areas, uint32_t nr)
{
	memset(a, 0, sizeof(*a));
	a->info.argsz = sizeof(*a);
	a->info.flags = VFIO_REGION_INFO_FLAG_MMAP | VFIO_REGION_INFO_FLAG_CAPS;
	a->info.size = size;
	a->info.cap_offset = offsetof(struct sparse_answer, cap);
	a->cap.header.id = VFIO_REGION_INFO_CAP_SPARSE_MMAP;
	a->cap.header.version = 1;
	a->cap.nr_areas = nr;
	memcpy(a->areas, areas, nr * sizeof(*areas));
	return sizeof(*a);
}

START_TEST(test_areas_whole_region)
{
	struct vfio_region_info info = {
		.argsz = sizeof(info), .flags = VFIO_REGION_INFO_FLAG_MMAP, .size = 0x20000,
	};
	struct vfio_region_area areas[VFIO_REGION_MAX_AREAS];

	ck_assert_uint_eq(vfio_region_areas(&info, sizeof(info), SZ_4K, areas, 8), 1);
	ck_assert_uint_eq(areas[0].offset, 0);
	ck_assert_uint_eq(areas[0].size, 0x20000);
}
END_TEST

START_TEST(test_areas_sparse_sorted_and_checked)
{
	const struct vfio_region_sparse_mmap_area in[] = {
		{ 0x8000, 0x8000 },	/* second half */
		{ 0, 0x2000 },		/* first two pages */
		{ 0x3000, 0x800 },	/* not whole pages: dropped */
		{ 0xf000, 0x4000 },	/* past the end: dropped */
	};
	struct vfio_region_area areas[VFIO_REGION_MAX_AREAS];
	struct sparse_answer a;
	size_t len = sparse_answer(&a, 0x10000, in, 4);

	ck_assert_uint_eq(vfio_region_areas(&a.info, len, SZ_4K, areas, 8), 2);
	ck_assert_uint_eq(areas[0].offset, 0);
	ck_assert_uint_eq(areas[0].size, 0x2000);
	ck_assert_uint_eq(areas[1].offset, 0x8000);
	ck_assert_uint_eq(areas[1].size, 0x8000);
	/* No more than asked for. */
	ck_assert_uint_eq(vfio_region_areas(&a.info, len, SZ_4K, areas, 1), 1);
	/* A sparse capability with no areas: nothing may be mapped. */
	len = sparse_answer(&a, 0x10000, in, 0);
	ck_assert_uint_eq(vfio_region_areas(&a.info, len, SZ_4K, areas, 8), 0);
}
END_TEST

START_TEST(test_areas_hostile_answers)
{
	const struct vfio_region_sparse_mmap_area in[] = { { 0, 0x1000 } };
	struct vfio_region_area areas[VFIO_REGION_MAX_AREAS];
	struct sparse_answer a;
	size_t len = sparse_answer(&a, 0x10000, in, 1);

	/* More areas claimed than the answer holds: only what is there counts. */
	a.cap.nr_areas = 1000;
	ck_assert_uint_le(vfio_region_areas(&a.info, len, SZ_4K, areas, 8), 4);
	/* A chain that points at itself ends, and a foreign capability is skipped. */
	sparse_answer(&a, 0x10000, in, 1);
	a.cap.header.id = 0x7777;
	a.cap.header.next = a.info.cap_offset;
	ck_assert_uint_eq(vfio_region_areas(&a.info, len, SZ_4K, areas, 8), 1);
	ck_assert_uint_eq(areas[0].size, 0x10000);
	/* A capability offset past the answer. */
	sparse_answer(&a, 0x10000, in, 1);
	a.info.cap_offset = 0x10000;
	ck_assert_uint_eq(vfio_region_areas(&a.info, len, SZ_4K, areas, 8), 1);
	/* Overlapping areas: the later one is dropped. */
	const struct vfio_region_sparse_mmap_area overlap[] = { { 0, 0x4000 }, { 0x2000, 0x4000 } };

	len = sparse_answer(&a, 0x10000, overlap, 2);
	ck_assert_uint_eq(vfio_region_areas(&a.info, len, SZ_4K, areas, 8), 1);
	ck_assert_uint_eq(areas[0].size, 0x4000);
}
END_TEST

START_TEST(test_region_mapped)
{
	static char backing[1];
	struct vfio_region r = {
		.size = 0x10000, .map = backing, .nr_areas = 2,
		.areas = { { 0, 0x2000 }, { 0x8000, 0x8000 } },
	};

	ck_assert(vfio_region_mapped(&r, 0x1ffc, 4));
	ck_assert(!vfio_region_mapped(&r, 0x1ffe, 4));	/* runs into the gap */
	ck_assert(!vfio_region_mapped(&r, 0x4000, 4));
	ck_assert(vfio_region_mapped(&r, 0xfff8, 8));
	ck_assert(!vfio_region_mapped(&r, 0xfffc, 8));
	r.map = NULL;
	ck_assert(!vfio_region_mapped(&r, 0, 4));
}
END_TEST

START_TEST(test_traps_from_areas_and_msix)
{
	/* Areas [0,0x2000) and [0x8000,0x10000): the gap [0x2000,0x8000) is trapped. */
	const struct vfio_region_area areas[] = { { 0, 0x2000 }, { 0x8000, 0x8000 } };
	const struct vfio_pci_bar_range msix[] = { { 0x9000, SZ_4K }, { 0xc000, SZ_4K } };
	struct vfio_pci_bar_range traps[VFIO_PASSTHROUGH_BAR_TRAPS], p[VFIO_PASSTHROUGH_BAR_PIECES];
	unsigned int n;

	n = vfio_passthrough_bar_traps(0x10000, areas, 2, msix, 2, traps);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(traps[0].offset, 0x2000);
	ck_assert_uint_eq(traps[0].size, 0x6000);
	ck_assert_uint_eq(traps[1].offset, 0x9000);
	ck_assert_uint_eq(traps[2].offset, 0xc000);
	n = vfio_passthrough_bar_pieces(0x10000, traps, 3, p);
	ck_assert_uint_eq(n, 4);
	ck_assert_uint_eq(p[0].offset, 0);
	ck_assert_uint_eq(p[0].size, 0x2000);
	ck_assert_uint_eq(p[1].offset, 0x8000);
	ck_assert_uint_eq(p[1].size, SZ_4K);
	ck_assert_uint_eq(p[2].offset, 0xa000);
	ck_assert_uint_eq(p[2].size, 0x2000);
	ck_assert_uint_eq(p[3].offset, 0xd000);
	ck_assert_uint_eq(p[3].size, 0x3000);

	/* The whole BAR one area: only the MSI-X pages, which may overlap. */
	const struct vfio_region_area all[] = { { 0, 0x4000 } };
	const struct vfio_pci_bar_range both[] = { { 0x1000, 0x2000 }, { 0x2000, SZ_4K } };

	n = vfio_passthrough_bar_traps(0x4000, all, 1, both, 2, traps);
	ck_assert_uint_eq(n, 2);
	n = vfio_passthrough_bar_pieces(0x4000, traps, n, p);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(p[0].size, SZ_4K);
	ck_assert_uint_eq(p[1].offset, 0x3000);

	/* No area at all: the whole BAR is one trap, so no piece. */
	n = vfio_passthrough_bar_traps(0x4000, NULL, 0, NULL, 0, traps);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(vfio_passthrough_bar_pieces(0x4000, traps, n, p), 0);
}
END_TEST

/* The VFIO_DEVICE_SET_IRQS requests INTx takes: trigger, unmask, off. */
START_TEST(test_intx_requests)
{
	/* A request with room for one eventfd. */
	union {
		struct vfio_irq_set set;
		unsigned char bytes[sizeof(struct vfio_irq_set) + sizeof(int32_t)];
	} req;
	int32_t fd;

	fd = 7;
	ck_assert_uint_eq(vfio_irq_set_fill(&req.set, VFIO_PCI_INTX_IRQ_INDEX,
					   VFIO_IRQ_SET_ACTION_TRIGGER, &fd, 1), sizeof(req));
	ck_assert_uint_eq(req.set.argsz, sizeof(struct vfio_irq_set) + 4);
	ck_assert_uint_eq(req.set.index, VFIO_PCI_INTX_IRQ_INDEX);
	ck_assert_uint_eq(req.set.flags, VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER);
	ck_assert_uint_eq(req.set.start, 0);
	ck_assert_uint_eq(req.set.count, 1);
	memcpy(&fd, req.set.data, sizeof(fd));
	ck_assert_int_eq(fd, 7);

	fd = 9;
	vfio_irq_set_fill(&req.set, VFIO_PCI_INTX_IRQ_INDEX, VFIO_IRQ_SET_ACTION_UNMASK, &fd, 1);
	ck_assert_uint_eq(req.set.flags, VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_UNMASK);
	ck_assert_uint_eq(req.set.count, 1);
	memcpy(&fd, req.set.data, sizeof(fd));
	ck_assert_int_eq(fd, 9);

	vfio_irq_set_fill(&req.set, VFIO_PCI_INTX_IRQ_INDEX, VFIO_IRQ_SET_ACTION_UNMASK, NULL, 0);
	ck_assert_uint_eq(req.set.argsz, sizeof(struct vfio_irq_set));
	ck_assert_uint_eq(req.set.index, VFIO_PCI_INTX_IRQ_INDEX);
	ck_assert_uint_eq(req.set.flags, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER);
	ck_assert_uint_eq(req.set.count, 0);
}
END_TEST

Suite *vfio_passthrough_suite(void)
{
	Suite *s = suite_create("vfio_passthrough");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_no_traps);
	tcase_add_test(tc, test_trap_in_the_middle);
	tcase_add_test(tc, test_table_and_pba_apart);
	tcase_add_test(tc, test_trap_covers_or_ends_the_bar);
	tcase_add_test(tc, test_areas_whole_region);
	tcase_add_test(tc, test_areas_sparse_sorted_and_checked);
	tcase_add_test(tc, test_areas_hostile_answers);
	tcase_add_test(tc, test_region_mapped);
	tcase_add_test(tc, test_traps_from_areas_and_msix);
	tcase_add_test(tc, test_intx_requests);
	suite_add_tcase(s, tc);
	return s;
}
