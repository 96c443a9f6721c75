// SPDX-License-Identifier: GPL-2.0
/* vmm/irq: the routing table kept for KVM, without KVM. */
#include <errno.h>
#include <string.h>

#include "tests/unit/suites.h"
#include "vmm/irq.h"

START_TEST(test_init)
{
	struct irq_routing t;

	ck_assert_int_eq(irq_routing_init(&t, 24, 1023), 0);
	ck_assert_uint_eq(t.nr_entries, 0);
	ck_assert_uint_eq(t.next_gsi, 24);
	ck_assert_uint_eq(t.max_gsi, 1023);
	irq_routing_destroy(&t);

	ck_assert_int_eq(irq_routing_init(&t, 5, 5), 0);
	irq_routing_destroy(&t);
	ck_assert_int_eq(irq_routing_init(&t, 10, 5), -EINVAL);
}
END_TEST

START_TEST(test_alloc_gsi)
{
	struct irq_routing t;

	ck_assert_int_eq(irq_routing_init(&t, 30, 32), 0);
	ck_assert_int_eq(irq_routing_alloc_gsi(&t), 30);
	ck_assert_int_eq(irq_routing_alloc_gsi(&t), 31);
	ck_assert_int_eq(irq_routing_alloc_gsi(&t), 32);
	ck_assert_int_eq(irq_routing_alloc_gsi(&t), -ENOSPC);
	ck_assert_int_eq(irq_routing_alloc_gsi(&t), -ENOSPC);
	irq_routing_destroy(&t);
}
END_TEST

START_TEST(test_add_pin)
{
	struct irq_routing t;
	const struct kvm_irq_routing_entry *e;

	ck_assert_int_eq(irq_routing_init(&t, 24, 1023), 0);
	/* x86: one GSI feeds the PIC and the IOAPIC. */
	ck_assert_int_eq(irq_routing_add_pin(&t, 4, KVM_IRQCHIP_PIC_MASTER, 4), 0);
	ck_assert_int_eq(irq_routing_add_pin(&t, 4, KVM_IRQCHIP_IOAPIC, 4), 0);
	ck_assert_uint_eq(t.nr_entries, 2);
	e = &t.entries[0];
	ck_assert_uint_eq(e->gsi, 4);
	ck_assert_uint_eq(e->type, KVM_IRQ_ROUTING_IRQCHIP);
	ck_assert_uint_eq(e->flags, 0);
	ck_assert_uint_eq(e->u.irqchip.irqchip, KVM_IRQCHIP_PIC_MASTER);
	ck_assert_uint_eq(e->u.irqchip.pin, 4);
	e = &t.entries[1];
	ck_assert_uint_eq(e->u.irqchip.irqchip, KVM_IRQCHIP_IOAPIC);
	ck_assert_uint_eq(e->u.irqchip.pin, 4);

	ck_assert_int_eq(irq_routing_add_pin(&t, 1023, KVM_IRQCHIP_IOAPIC, 23), 0);
	ck_assert_int_eq(irq_routing_add_pin(&t, 1024, KVM_IRQCHIP_IOAPIC, 0), -EINVAL);
	ck_assert_uint_eq(t.nr_entries, 3);
	irq_routing_destroy(&t);
}
END_TEST

START_TEST(test_many_entries)
{
	struct irq_routing t;

	ck_assert_int_eq(irq_routing_init(&t, 0, 4095), 0);
	/* Past the first allocation (32) and a few doublings. */
	for (unsigned int i = 0; i < 300; i++)
		if (irq_routing_add_pin(&t, i, KVM_IRQCHIP_IOAPIC, i % 24))
			ck_abort_msg("entry %u refused", i);
	ck_assert_uint_eq(t.nr_entries, 300);
	ck_assert_uint_ge(t.capacity, 300);
	for (unsigned int i = 0; i < 300; i++)
		if (t.entries[i].gsi != i || t.entries[i].u.irqchip.pin != i % 24)
			ck_abort_msg("entry %u changed", i);
	irq_routing_destroy(&t);
	ck_assert_uint_eq(t.nr_entries, 0);
	ck_assert_ptr_null(t.entries);
}
END_TEST

START_TEST(test_set_msi)
{
	struct irq_routing t;
	const struct kvm_irq_routing_entry *e;

	ck_assert_int_eq(irq_routing_init(&t, 24, 1023), 0);
	ck_assert_int_eq(irq_routing_add_pin(&t, 5, KVM_IRQCHIP_IOAPIC, 5), 0);
	ck_assert_int_eq(irq_routing_set_msi(&t, 24, 0x12fee01000ULL, 0x4041,
					     0xabcd, KVM_MSI_VALID_DEVID), 0);
	ck_assert_uint_eq(t.nr_entries, 2);
	e = &t.entries[1];
	ck_assert_uint_eq(e->gsi, 24);
	ck_assert_uint_eq(e->type, KVM_IRQ_ROUTING_MSI);
	ck_assert_uint_eq(e->flags, KVM_MSI_VALID_DEVID);
	ck_assert_uint_eq(e->u.msi.address_lo, 0xfee01000);
	ck_assert_uint_eq(e->u.msi.address_hi, 0x12);
	ck_assert_uint_eq(e->u.msi.data, 0x4041);
	ck_assert_uint_eq(e->u.msi.devid, 0xabcd);

	/* The same GSI again is updated in place. */
	ck_assert_int_eq(irq_routing_set_msi(&t, 24, 0xfee00000, 0x30, 0, 0), 0);
	ck_assert_uint_eq(t.nr_entries, 2);
	e = &t.entries[1];
	ck_assert_uint_eq(e->flags, 0);
	ck_assert_uint_eq(e->u.msi.address_lo, 0xfee00000);
	ck_assert_uint_eq(e->u.msi.address_hi, 0);
	ck_assert_uint_eq(e->u.msi.data, 0x30);
	ck_assert_uint_eq(e->u.msi.devid, 0);

	/* An irqchip route on the GSI is not an MSI route to update. */
	ck_assert_int_eq(irq_routing_set_msi(&t, 5, 0xfee00000, 0x31, 0, 0), 0);
	ck_assert_uint_eq(t.nr_entries, 3);
	ck_assert_uint_eq(t.entries[0].type, KVM_IRQ_ROUTING_IRQCHIP);
	ck_assert_uint_eq(t.entries[2].type, KVM_IRQ_ROUTING_MSI);
	ck_assert_uint_eq(t.entries[2].gsi, 5);

	ck_assert_int_eq(irq_routing_set_msi(&t, 1024, 0xfee00000, 0, 0, 0), -EINVAL);
	ck_assert_uint_eq(t.nr_entries, 3);
	irq_routing_destroy(&t);
}
END_TEST

START_TEST(test_remove)
{
	struct irq_routing t;

	ck_assert_int_eq(irq_routing_init(&t, 24, 1023), 0);
	ck_assert_int_eq(irq_routing_add_pin(&t, 3, KVM_IRQCHIP_PIC_MASTER, 3), 0);
	ck_assert_int_eq(irq_routing_add_pin(&t, 4, KVM_IRQCHIP_PIC_MASTER, 4), 0);
	ck_assert_int_eq(irq_routing_add_pin(&t, 3, KVM_IRQCHIP_IOAPIC, 3), 0);
	ck_assert_int_eq(irq_routing_set_msi(&t, 25, 0xfee00000, 0x41, 0, 0), 0);
	ck_assert_int_eq(irq_routing_add_pin(&t, 4, KVM_IRQCHIP_IOAPIC, 4), 0);

	/* Every route of the GSI goes; the others keep their order. */
	ck_assert_int_eq(irq_routing_remove(&t, 3), 0);
	ck_assert_uint_eq(t.nr_entries, 3);
	ck_assert_uint_eq(t.entries[0].gsi, 4);
	ck_assert_uint_eq(t.entries[0].u.irqchip.irqchip, KVM_IRQCHIP_PIC_MASTER);
	ck_assert_uint_eq(t.entries[1].gsi, 25);
	ck_assert_uint_eq(t.entries[1].u.msi.data, 0x41);
	ck_assert_uint_eq(t.entries[2].gsi, 4);
	ck_assert_uint_eq(t.entries[2].u.irqchip.irqchip, KVM_IRQCHIP_IOAPIC);

	ck_assert_int_eq(irq_routing_remove(&t, 3), -ENOENT);
	ck_assert_int_eq(irq_routing_remove(&t, 999), -ENOENT);
	ck_assert_int_eq(irq_routing_remove(&t, 25), 0);
	ck_assert_int_eq(irq_routing_remove(&t, 4), 0);
	ck_assert_uint_eq(t.nr_entries, 0);
	ck_assert_int_eq(irq_routing_remove(&t, 4), -ENOENT);

	/* The table is usable after emptying. */
	ck_assert_int_eq(irq_routing_set_msi(&t, 26, 0xfee00000, 0x42, 0, 0), 0);
	ck_assert_uint_eq(t.nr_entries, 1);
	irq_routing_destroy(&t);
}
END_TEST

/* x86's pins are found where the IOAPIC routes sit; MSIs never match. */
START_TEST(test_find_pin)
{
	struct irq_routing t;

	ck_assert_int_eq(irq_routing_init(&t, 24, 1023), 0);
	ck_assert_int_eq(irq_routing_add_pin(&t, 3, KVM_IRQCHIP_PIC_MASTER, 3), 0);
	ck_assert_int_eq(irq_routing_add_pin(&t, 3, KVM_IRQCHIP_IOAPIC, 3), 0);
	ck_assert_int_eq(irq_routing_add_pin(&t, 17, KVM_IRQCHIP_IOAPIC, 17), 0);
	ck_assert_int_eq(irq_routing_set_msi(&t, 25, 0xfee00000, 17, 0, 0), 0);
	ck_assert_int_eq(irq_routing_find_pin(&t, KVM_IRQCHIP_IOAPIC, 17), 17);
	ck_assert_int_eq(irq_routing_find_pin(&t, KVM_IRQCHIP_IOAPIC, 3), 3);
	ck_assert_int_eq(irq_routing_find_pin(&t, KVM_IRQCHIP_PIC_SLAVE, 3), -ENOENT);
	ck_assert_int_eq(irq_routing_find_pin(&t, KVM_IRQCHIP_IOAPIC, 18), -ENOENT);
	/* arm64: a pin route at an allocated GSI. */
	ck_assert_int_eq(irq_routing_add_pin(&t, 30, 0, 5), 0);
	ck_assert_int_eq(irq_routing_find_pin(&t, 0, 5), 30);
	irq_routing_destroy(&t);
}
END_TEST

/* A shared level line is up while any source holds it. */
START_TEST(test_share_line)
{
	struct irq_routing t;

	ck_assert_int_eq(irq_routing_init(&t, 24, 1023), 0);
	ck_assert_int_eq(irq_routing_share_line(&t, 17, true), 1);	/* up */
	ck_assert_int_eq(irq_routing_share_line(&t, 17, true), -1);	/* a second holder */
	ck_assert_int_eq(irq_routing_share_line(&t, 18, true), 1);	/* lines apart */
	ck_assert_int_eq(irq_routing_share_line(&t, 17, false), -1);	/* one still holds */
	ck_assert_int_eq(irq_routing_share_line(&t, 17, false), 0);	/* down */
	/* A release nobody held leaves the line alone and the count at 0. */
	ck_assert_int_eq(irq_routing_share_line(&t, 17, false), -1);
	ck_assert_int_eq(irq_routing_share_line(&t, 17, true), 1);
	ck_assert_int_eq(irq_routing_share_line(&t, 18, false), 0);
	ck_assert_int_eq(irq_routing_share_line(&t, IRQ_SHARED_LINES, true), -EINVAL);
	for (unsigned int i = 1; i < 255; i++)
		ck_assert_int_eq(irq_routing_share_line(&t, 20, true), i == 1 ? 1 : -1);
	ck_assert_int_eq(irq_routing_share_line(&t, 20, true), -1);
	ck_assert_int_eq(irq_routing_share_line(&t, 20, true), -EOVERFLOW);
	irq_routing_destroy(&t);
}
END_TEST

Suite *irq_suite(void)
{
	Suite *s = suite_create("irq");
	TCase *tc = tcase_create("routing");

	tcase_add_test(tc, test_init);
	tcase_add_test(tc, test_alloc_gsi);
	tcase_add_test(tc, test_add_pin);
	tcase_add_test(tc, test_many_entries);
	tcase_add_test(tc, test_set_msi);
	tcase_add_test(tc, test_remove);
	tcase_add_test(tc, test_find_pin);
	tcase_add_test(tc, test_share_line);
	suite_add_tcase(s, tc);
	return s;
}
