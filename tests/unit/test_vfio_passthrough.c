// SPDX-License-Identifier: GPL-2.0
/* vfio/passthrough.c's pure part (which pieces of a BAR become memslots), vfio/intx.c's requests. */
#include <check.h>
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
	struct vfio_pci_bar_range p[3];

	ck_assert_uint_eq(pieces_of(0x100000, NULL, 0, p), 1);
	ck_assert_uint_eq(p[0].offset, 0);
	ck_assert_uint_eq(p[0].size, 0x100000);
	ck_assert_uint_eq(pieces_of(0, NULL, 0, p), 0);
}
END_TEST

START_TEST(test_trap_in_the_middle)
{
	const struct vfio_pci_bar_range traps[] = { { 0x3000, SZ_4K } };
	struct vfio_pci_bar_range p[3];

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
	struct vfio_pci_bar_range p[3];

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
	struct vfio_pci_bar_range p[3];

	ck_assert_uint_eq(pieces_of(0x2000, whole, 1, p), 0);
	ck_assert_uint_eq(pieces_of(0x2000, tail, 1, p), 1);
	ck_assert_uint_eq(p[0].offset, 0);
	ck_assert_uint_eq(p[0].size, SZ_4K);
	/* A trap past the end is clipped: nothing after it. */
	ck_assert_uint_eq(pieces_of(0x4000, past, 1, p), 1);
	ck_assert_uint_eq(p[0].size, SZ_4K);
}
END_TEST

/* The VFIO_DEVICE_SET_IRQS requests INTx takes: trigger, unmask, off. */
START_TEST(test_intx_requests)
{
	union vfio_intx_request req;
	int32_t fd;

	vfio_intx_request(&req, VFIO_IRQ_SET_ACTION_TRIGGER, 7);
	ck_assert_uint_eq(req.set.argsz, sizeof(struct vfio_irq_set) + 4);
	ck_assert_uint_eq(req.set.index, VFIO_PCI_INTX_IRQ_INDEX);
	ck_assert_uint_eq(req.set.flags, VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER);
	ck_assert_uint_eq(req.set.start, 0);
	ck_assert_uint_eq(req.set.count, 1);
	memcpy(&fd, req.set.data, sizeof(fd));
	ck_assert_int_eq(fd, 7);

	vfio_intx_request(&req, VFIO_IRQ_SET_ACTION_UNMASK, 9);
	ck_assert_uint_eq(req.set.flags, VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_UNMASK);
	ck_assert_uint_eq(req.set.count, 1);
	memcpy(&fd, req.set.data, sizeof(fd));
	ck_assert_int_eq(fd, 9);

	vfio_intx_request(&req, VFIO_IRQ_SET_ACTION_UNMASK, -1);
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
	tcase_add_test(tc, test_intx_requests);
	suite_add_tcase(s, tc);
	return s;
}
