// SPDX-License-Identifier: GPL-2.0
/* arch/x86/mptable: the Intel MP 1.4 floating pointer and configuration table. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/mptable.h"
#include "tests/unit/suites.h"
#include "vmm/le.h"

#define GPA		0xf0000ULL
#define IOAPIC_ADDR	0xfec00000U
#define LAPIC_ADDR	0xfee00000U
#define GUARD		64

static uint8_t sum(const uint8_t *p, size_t len)
{
	uint8_t s = 0;

	while (len--)
		s += *p++;
	return s;
}

static uint16_t get16(const uint8_t *p)
{
	return p[0] | p[1] << 8;
}

static const unsigned int cpu_counts[] = { 1, 2, 254 };
#define NR_CPU_COUNTS	(sizeof(cpu_counts) / sizeof(cpu_counts[0]))
/* shapevm's x86 wiring: GSIs 16-23. */
static const struct mptable_pci pci_wiring = { .first_gsi = 16, .nr_lines = 8 };

/* A PCI I/O interrupt entry: level, active-low, slot and pin, onto an IOAPIC pin. */
static void check_pci_intsrc(const uint8_t *p, unsigned int ioapic_id, unsigned int *seen)
{
	unsigned int slot = p[5] >> 2, pin = (p[5] & 3) + 1;

	ck_assert_uint_eq(p[1], 0);			/* INT */
	ck_assert_uint_eq(get16(p + 2), 0x0f);		/* level, active-low */
	ck_assert_uint_eq(p[6], ioapic_id);
	ck_assert_uint_eq(p[7], 16 + (slot + pin - 1) % 8);
	/* In slot and pin order, each once. */
	ck_assert_uint_eq(p[5], *seen);
	(*seen)++;
}

START_TEST(test_build)
{
	unsigned int nr = cpu_counts[_i % NR_CPU_COUNTS];
	const struct mptable_pci *pci = _i >= (int)NR_CPU_COUNTS ? &pci_wiring : NULL;
	unsigned int nr_short = 20 + (pci ? 1 + 32 * 4 : 0);
	size_t size = mptable_size(nr, pci);
	uint8_t *buf = malloc(size + GUARD);
	const uint8_t *fp, *hdr, *p, *end;
	unsigned int cpus = 0, buses = 0, ioapics = 0, ioints = 0, localints = 0;
	unsigned int pci_ints = 0, entries = 0, base_len;

	ck_assert_ptr_nonnull(buf);
	memset(buf, 0xcc, size + GUARD);
	ck_assert_int_eq(mptable_build(buf, size, GPA, nr, IOAPIC_ADDR, LAPIC_ADDR, pci), 0);
	/* Not a byte beyond mptable_size(). */
	for (size_t i = size; i < size + GUARD; i++)
		ck_assert_uint_eq(buf[i], 0xcc);

	/* Floating pointer structure. */
	fp = buf;
	ck_assert_int_eq(memcmp(fp, "_MP_", 4), 0);
	ck_assert_uint_eq(get_le32(fp + 4), GPA + 16);
	ck_assert_uint_eq(fp[8], 1);		/* length, 16-byte units */
	ck_assert_uint_eq(fp[9], 4);		/* spec revision 1.4 */
	ck_assert_uint_eq(sum(fp, 16), 0);
	ck_assert_uint_eq(fp[11], 0);		/* a configuration table is present */

	/* Configuration table header, right after the pointer. */
	hdr = buf + (get_le32(fp + 4) - GPA);
	ck_assert_ptr_eq(hdr, buf + 16);
	ck_assert_int_eq(memcmp(hdr, "PCMP", 4), 0);
	base_len = get16(hdr + 4);
	ck_assert_uint_eq(base_len, 44 + nr * 20 + nr_short * 8);
	ck_assert_uint_eq(16 + base_len, size);
	ck_assert_uint_eq(hdr[6], 4);
	ck_assert_uint_eq(sum(hdr, base_len), 0);
	ck_assert_uint_eq(get16(hdr + 34), nr + nr_short);
	ck_assert_uint_eq(get_le32(hdr + 36), LAPIC_ADDR);
	ck_assert_uint_eq(get16(hdr + 40), 0);	/* no extended table */

	p = hdr + 44;
	end = hdr + base_len;
	while (p < end) {
		entries++;
		switch (p[0]) {
		case 0:		/* processor */
			ck_assert_uint_eq(p[1], cpus);		/* LAPIC ID */
			ck_assert_uint_eq(p[3] & 1, 1);		/* enabled */
			ck_assert_uint_eq(p[3] & 2, cpus == 0 ? 2 : 0);	/* BSP */
			cpus++;
			p += 20;
			break;
		case 1:		/* buses in ID order: PCI 0 (its bus number), ISA 1 */
			if (pci && !buses) {
				ck_assert_uint_eq(p[1], 0);
				ck_assert_int_eq(memcmp(p + 2, "PCI   ", 6), 0);
			} else {
				ck_assert_uint_eq(p[1], 1);
				ck_assert_int_eq(memcmp(p + 2, "ISA   ", 6), 0);
			}
			buses++;
			p += 8;
			break;
		case 2:		/* I/O APIC */
			ck_assert_uint_eq(p[1], nr);
			ck_assert_uint_eq(p[3] & 1, 1);
			ck_assert_uint_eq(get_le32(p + 4), IOAPIC_ADDR);
			ioapics++;
			p += 8;
			break;
		case 3:		/* I/O interrupt: ISA IRQ n on pin n, or PCI */
			if (pci && p[4] == 0) {
				check_pci_intsrc(p, nr, &pci_ints);
				p += 8;
				break;
			}
			ck_assert_uint_eq(p[1], 0);		/* INT */
			ck_assert_uint_eq(get16(p + 2), 0);	/* conforms to ISA */
			ck_assert_uint_eq(p[4], 1);		/* ISA bus */
			ck_assert_uint_eq(p[5], ioints);
			ck_assert_uint_eq(p[6], nr);		/* the IOAPIC */
			ck_assert_uint_eq(p[7], ioints);
			ioints++;
			p += 8;
			break;
		case 4:		/* local interrupt: ExtINT on LINT0, NMI on LINT1 */
			ck_assert_uint_eq(p[1], localints == 0 ? 3 : 1);
			ck_assert_uint_eq(p[6], 0xff);
			ck_assert_uint_eq(p[7], localints);
			localints++;
			p += 8;
			break;
		default:
			ck_abort_msg("unknown entry type %u at offset %td", p[0], p - buf);
		}
	}
	ck_assert_ptr_eq(p, end);
	ck_assert_uint_eq(cpus, nr);
	ck_assert_uint_eq(buses, pci ? 2 : 1);
	ck_assert_uint_eq(ioapics, 1);
	ck_assert_uint_eq(ioints, 16);
	ck_assert_uint_eq(pci_ints, pci ? 128 : 0);
	ck_assert_uint_eq(localints, 2);
	ck_assert_uint_eq(entries, get16(hdr + 34));
	free(buf);
}
END_TEST

START_TEST(test_cpu_count_rejected)
{
	uint8_t buf[8192];

	ck_assert_int_eq(mptable_build(buf, sizeof(buf), GPA, 0, IOAPIC_ADDR,
				       LAPIC_ADDR, NULL), -EINVAL);
	ck_assert_int_eq(mptable_build(buf, sizeof(buf), GPA, 255, IOAPIC_ADDR,
				       LAPIC_ADDR, NULL), -EINVAL);
	ck_assert_int_eq(mptable_build(buf, sizeof(buf), GPA, 4096, IOAPIC_ADDR,
				       LAPIC_ADDR, NULL), -EINVAL);
}
END_TEST

/* Hand-checked: the usual swizzle over GSIs 16-23. */
START_TEST(test_pci_routing_table)
{
	static const struct { unsigned int slot, pin, gsi; } want[] = {
		{ 0, 1, 16 }, { 1, 1, 17 }, { 1, 2, 18 }, { 3, 4, 22 },
		{ 4, 1, 20 }, { 7, 2, 16 }, { 8, 1, 16 }, { 31, 4, 18 },
	};
	size_t size = mptable_size(1, &pci_wiring);
	uint8_t *buf = malloc(size);
	const uint8_t *p;
	unsigned int found = 0;

	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(mptable_build(buf, size, GPA, 1, IOAPIC_ADDR, LAPIC_ADDR,
				       &pci_wiring), 0);
	for (p = buf + 16 + 44 + 20; p < buf + size; p += 8) {
		if (p[0] != 3 || p[4] != 0)
			continue;
		for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
			if (p[5] != (want[i].slot << 2 | (want[i].pin - 1)))
				continue;
			ck_assert_uint_eq(p[7], want[i].gsi);
			found++;
		}
	}
	ck_assert_uint_eq(found, sizeof(want) / sizeof(want[0]));
	free(buf);
}
END_TEST

/* Lines past the IOAPIC's 24 pins cannot be described. */
START_TEST(test_pci_lines_rejected)
{
	struct mptable_pci past = { .first_gsi = 20, .nr_lines = 8 };
	uint8_t buf[8192];

	ck_assert_int_eq(mptable_build(buf, sizeof(buf), GPA, 1, IOAPIC_ADDR,
				       LAPIC_ADDR, &past), -EINVAL);
	past = (struct mptable_pci) { .first_gsi = 24, .nr_lines = 1 };
	ck_assert_int_eq(mptable_build(buf, sizeof(buf), GPA, 1, IOAPIC_ADDR,
				       LAPIC_ADDR, &past), -EINVAL);
}
END_TEST

START_TEST(test_buffer_too_small)
{
	size_t size = mptable_size(4, &pci_wiring);
	uint8_t *buf = malloc(size);

	ck_assert_ptr_nonnull(buf);
	memset(buf, 0xcc, size);
	ck_assert_int_eq(mptable_build(buf, size - 1, GPA, 4, IOAPIC_ADDR,
				       LAPIC_ADDR, &pci_wiring), -ENOSPC);
	/* Nothing written. */
	for (size_t i = 0; i < size; i++)
		ck_assert_uint_eq(buf[i], 0xcc);
	ck_assert_int_eq(mptable_build(buf, 0, GPA, 1, IOAPIC_ADDR, LAPIC_ADDR, NULL),
			 -ENOSPC);
	ck_assert_int_eq(mptable_build(buf, size, GPA, 4, IOAPIC_ADDR, LAPIC_ADDR,
				       &pci_wiring), 0);
	free(buf);
}
END_TEST

START_TEST(test_size_grows_per_cpu)
{
	ck_assert_uint_eq(mptable_size(1, NULL), 16 + 44 + 20 + 20 * 8);
	ck_assert_uint_eq(mptable_size(2, NULL) - mptable_size(1, NULL), 20);
	/* PCI: its bus and 32 slots x 4 pins. */
	ck_assert_uint_eq(mptable_size(1, &pci_wiring) - mptable_size(1, NULL), 129 * 8);
	/* The largest table fits the 64K of the BIOS area it goes to. */
	ck_assert_uint_le(mptable_size(MPTABLE_MAX_CPUS, &pci_wiring), 0x10000);
}
END_TEST

Suite *mptable_suite(void)
{
	Suite *s = suite_create("mptable");
	TCase *tc = tcase_create("build");

	tcase_add_loop_test(tc, test_build, 0, 2 * NR_CPU_COUNTS);
	tcase_add_test(tc, test_cpu_count_rejected);
	tcase_add_test(tc, test_pci_routing_table);
	tcase_add_test(tc, test_pci_lines_rejected);
	tcase_add_test(tc, test_buffer_too_small);
	tcase_add_test(tc, test_size_grows_per_cpu);
	suite_add_tcase(s, tc);
	return s;
}
