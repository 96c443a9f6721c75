// SPDX-License-Identifier: GPL-2.0
/* arch/x86/acpi: RSDP, XSDT, FADT (hardware reduced), DSDT with \_S5, MADT. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/acpi.h"
#include "tests/unit/suites.h"
#include "vmm/le.h"

#define GPA		0xe0000ULL
#define BUF_LEN		0x10000
#define IOAPIC_ADDR	0xfec00000U
#define LAPIC_ADDR	0xfee00000U

static uint8_t sum(const uint8_t *p, size_t len)
{
	uint8_t s = 0;

	while (len--)
		s += *p++;
	return s;
}

static uint64_t get64(const uint8_t *p)
{
	return get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

static struct acpi_layout layout(unsigned int nr_cpus)
{
	return (struct acpi_layout) {
		.nr_cpus = nr_cpus,
		.ioapic_addr = IOAPIC_ADDR,
		.lapic_addr = LAPIC_ADDR,
		.sleep_control_port = 0x600,
		.sleep_status_port = 0x601,
		.reset_port = 0x602,
		.reset_value = 0x01,
	};
}

struct tables {
	uint8_t *buf;
	int used;
	const uint8_t *rsdp, *xsdt, *fadt, *dsdt, *madt;
};

/* A table at guest address gpa, checked to lie inside the bytes used. */
static const uint8_t *table_at(const struct tables *t, uint64_t gpa,
			       const char *sig)
{
	const uint8_t *p;
	uint32_t len;

	ck_assert_msg(gpa >= GPA && gpa + 36 <= GPA + (uint64_t)t->used,
		      "%s at 0x%llx is outside the tables", sig,
		      (unsigned long long)gpa);
	p = t->buf + (gpa - GPA);
	ck_assert_msg(!memcmp(p, sig, 4), "want %s at 0x%llx, found %.4s", sig,
		      (unsigned long long)gpa, (const char *)p);
	len = get_le32(p + 4);
	ck_assert_uint_ge(len, 36);
	ck_assert_uint_le(gpa - GPA + len, (uint64_t)t->used);
	ck_assert_msg(sum(p, len) == 0, "%s checksum", sig);
	return p;
}

static void build(struct tables *t, const struct acpi_layout *l)
{
	uint32_t entries;

	memset(t, 0, sizeof(*t));
	t->buf = malloc(BUF_LEN);
	ck_assert_ptr_nonnull(t->buf);
	memset(t->buf, 0xcc, BUF_LEN);
	t->used = acpi_build(t->buf, BUF_LEN, GPA, l);
	ck_assert_int_gt(t->used, 0);
	ck_assert_int_le(t->used, BUF_LEN);

	t->rsdp = t->buf;
	t->xsdt = table_at(t, get64(t->rsdp + 24), "XSDT");
	entries = (get_le32(t->xsdt + 4) - 36) / 8;
	ck_assert_uint_eq(get_le32(t->xsdt + 4), 36 + entries * 8);
	for (uint32_t i = 0; i < entries; i++) {
		uint64_t addr = get64(t->xsdt + 36 + i * 8);
		const uint8_t *p = t->buf + (addr - GPA);

		ck_assert_uint_ge(addr, GPA);
		ck_assert_uint_lt(addr - GPA, (uint64_t)t->used);
		if (!memcmp(p, "FACP", 4))
			t->fadt = table_at(t, addr, "FACP");
		else if (!memcmp(p, "APIC", 4))
			t->madt = table_at(t, addr, "APIC");
		else
			ck_abort_msg("unexpected table %.4s in the XSDT", (const char *)p);
	}
	ck_assert_ptr_nonnull(t->fadt);
	ck_assert_ptr_nonnull(t->madt);
	t->dsdt = table_at(t, get64(t->fadt + 140), "DSDT");
}

START_TEST(test_rsdp)
{
	struct acpi_layout l = layout(1);
	struct tables t;

	build(&t, &l);
	ck_assert_int_eq(memcmp(t.rsdp, "RSD PTR ", 8), 0);
	ck_assert_uint_eq(sum(t.rsdp, 20), 0);		/* ACPI 1.0 checksum */
	ck_assert_uint_eq(t.rsdp[15], 2);		/* revision: XSDT */
	ck_assert_uint_eq(get_le32(t.rsdp + 20), 36);
	ck_assert_uint_eq(sum(t.rsdp, 36), 0);		/* extended checksum */
	ck_assert_uint_eq(t.rsdp[32], (uint8_t)-sum(t.rsdp, 32));
	/* Linux finds the RSDP by scanning 16-byte boundaries. */
	ck_assert_uint_eq(GPA % 16, 0);
	free(t.buf);
}
END_TEST

START_TEST(test_xsdt)
{
	struct acpi_layout l = layout(2);
	struct tables t;

	build(&t, &l);
	ck_assert_uint_eq(get_le32(t.xsdt + 4), 36 + 2 * 8);
	ck_assert_uint_eq(t.xsdt[8], 1);
	free(t.buf);
}
END_TEST

START_TEST(test_fadt)
{
	struct acpi_layout l = layout(1);
	const uint8_t *g;
	struct tables t;

	l.sleep_control_port = 0x1234;
	l.sleep_status_port = 0x1235;
	l.reset_port = 0x4321;
	l.reset_value = 0x0e;
	build(&t, &l);
	ck_assert_uint_eq(get_le32(t.fadt + 4), 276);
	ck_assert_uint_eq(t.fadt[8], 6);			/* revision */
	ck_assert_uint_eq(t.fadt[131], 3);			/* minor: 6.3 */
	ck_assert_uint_eq(get_le32(t.fadt + 112) >> 20 & 1, 1);	/* HW_REDUCED */
	ck_assert_uint_eq(get_le32(t.fadt + 112) >> 10 & 1, 1);	/* RESET_REG_SUP */
	/* DSDT and X_DSDT agree. */
	ck_assert_uint_eq(get_le32(t.fadt + 40), get64(t.fadt + 140));

	g = t.fadt + 244;					/* SLEEP_CONTROL_REG */
	ck_assert_uint_eq(g[0], 1);				/* system I/O */
	ck_assert_uint_eq(g[1], 8);
	ck_assert_uint_eq(g[2], 0);
	ck_assert_uint_eq(g[3], 1);				/* byte access */
	ck_assert_uint_eq(get64(g + 4), 0x1234);
	g = t.fadt + 256;					/* SLEEP_STATUS_REG */
	ck_assert_uint_eq(g[0], 1);
	ck_assert_uint_eq(get64(g + 4), 0x1235);
	g = t.fadt + 116;					/* RESET_REG */
	ck_assert_uint_eq(g[0], 1);
	ck_assert_uint_eq(g[1], 8);
	ck_assert_uint_eq(get64(g + 4), 0x4321);
	ck_assert_uint_eq(t.fadt[128], 0x0e);			/* RESET_VALUE */
	free(t.buf);
}
END_TEST

START_TEST(test_dsdt_s5)
{
	/*
	 * Name (_S5_, Package (4) { 5, 0, 0, 0 })
	 * Scope (\_SB) { Device (COM1) { Name (_HID, EisaId ("PNP0501"))
	 *   Name (_UID, One) Name (_CRS, ResourceTemplate () {
	 *     IO (Decode16, 0x3F8, 0x3F8, 1, 8) IRQNoFlags () {4} }) } }
	 * (checked with iasl -d when it was written)
	 */
	static const uint8_t aml[] = {
		0x08, '_', 'S', '5', '_', 0x12, 0x07, 0x04,
		0x0a, 0x05, 0x00, 0x00, 0x00,
		0x10, 0x33, '\\', '_', 'S', 'B', '_',
		0x5b, 0x82, 0x2b, 'C', 'O', 'M', '1',
		0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x05, 0x01,
		0x08, '_', 'U', 'I', 'D', 0x01,
		0x08, '_', 'C', 'R', 'S', 0x11, 0x10, 0x0a, 0x0d,
		0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x01, 0x08,
		0x22, 0x10, 0x00, 0x79, 0x00,
	};
	struct acpi_layout l = layout(1);
	struct tables t;
	uint32_t len;

	l.uart_port = 0x3f8;
	l.uart_irq = 4;
	build(&t, &l);
	len = get_le32(t.dsdt + 4);
	ck_assert_uint_eq(len, 36 + sizeof(aml));
	ck_assert_int_eq(memcmp(t.dsdt + 36, aml, sizeof(aml)), 0);
	ck_assert_uint_eq(t.dsdt[36 + 9], ACPI_S5_SLP_TYP);
	free(t.buf);
}
END_TEST

static const unsigned int cpu_counts[] = { 1, 4, 254 };

START_TEST(test_madt)
{
	unsigned int nr = cpu_counts[_i];
	struct acpi_layout l = layout(nr);
	unsigned int lapics = 0, ioapics = 0;
	const uint8_t *p, *end;
	struct tables t;

	l.ioapic_addr = 0xfec01000;
	l.lapic_addr = 0xfee01000;
	build(&t, &l);
	ck_assert_uint_eq(get_le32(t.madt + 36), 0xfee01000);
	ck_assert_uint_eq(get_le32(t.madt + 40), 0);		/* no PC-AT 8259s */
	p = t.madt + 44;
	end = t.madt + get_le32(t.madt + 4);
	while (p < end) {
		ck_assert_uint_ge(p[1], 2);
		ck_assert(p + p[1] <= end);
		switch (p[0]) {
		case 0:
			ck_assert_uint_eq(p[1], 8);
			ck_assert_uint_eq(p[2], lapics);	/* processor UID */
			ck_assert_uint_eq(p[3], lapics);	/* APIC ID */
			ck_assert_uint_eq(get_le32(p + 4), 1);	/* enabled */
			lapics++;
			break;
		case 1:
			ck_assert_uint_eq(p[1], 12);
			ck_assert_uint_eq(p[2], nr);		/* after the CPUs */
			ck_assert_uint_eq(get_le32(p + 4), 0xfec01000);
			ck_assert_uint_eq(get_le32(p + 8), 0);	/* GSI base */
			ioapics++;
			break;
		case 4:
			ck_assert_uint_eq(p[1], 6);
			ck_assert_uint_eq(p[2], 0xff);
			ck_assert_uint_eq(p[5], 1);		/* LINT1 */
			break;
		default:
			ck_abort_msg("unexpected MADT entry type %u", p[0]);
		}
		p += p[1];
	}
	ck_assert_ptr_eq(p, end);
	ck_assert_uint_eq(lapics, nr);
	ck_assert_uint_eq(ioapics, 1);
	free(t.buf);
}
END_TEST

START_TEST(test_rejects)
{
	struct acpi_layout l = layout(0);
	uint8_t *buf = malloc(BUF_LEN);
	int used;

	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(acpi_build(buf, BUF_LEN, GPA, &l), -EINVAL);
	l.nr_cpus = 255;
	ck_assert_int_eq(acpi_build(buf, BUF_LEN, GPA, &l), -EINVAL);

	l.nr_cpus = 8;
	used = acpi_build(buf, BUF_LEN, GPA, &l);
	ck_assert_int_gt(used, 0);
	ck_assert_int_eq(acpi_build(buf, 100, GPA, &l), -ENOSPC);
	ck_assert_int_eq(acpi_build(buf, 0, GPA, &l), -ENOSPC);
	/* Fewer bytes than it uses are refused. */
	ck_assert_int_eq(acpi_build(buf, used - 1, GPA, &l), -ENOSPC);
	free(buf);
}
END_TEST

START_TEST(test_writes_only_what_it_uses)
{
	struct acpi_layout l = layout(3);
	uint8_t *buf = malloc(BUF_LEN);
	size_t need;
	int used;

	ck_assert_ptr_nonnull(buf);
	used = acpi_build(buf, BUF_LEN, GPA, &l);
	ck_assert_int_gt(used, 0);
	/* Find the smallest buffer it accepts, then check the bytes after it. */
	for (need = used; acpi_build(buf, need, GPA, &l) == -ENOSPC; need++)
		ck_assert_uint_lt(need, BUF_LEN);
	memset(buf, 0xcc, BUF_LEN);
	ck_assert_int_eq(acpi_build(buf, need, GPA, &l), used);
	for (size_t i = need; i < need + 64; i++)
		ck_assert_uint_eq(buf[i], 0xcc);
	free(buf);
}
END_TEST

START_TEST(test_other_gpa)
{
	struct acpi_layout l = layout(2);
	uint8_t *buf = malloc(BUF_LEN);
	int used;

	ck_assert_ptr_nonnull(buf);
	used = acpi_build(buf, BUF_LEN, 0x123450000ULL, &l);
	ck_assert_int_gt(used, 0);
	/* Pointers are guest addresses, not buffer offsets. */
	ck_assert_uint_eq(get64(buf + 24) >> 16, 0x12345);
	free(buf);
}
END_TEST

Suite *acpi_suite(void)
{
	Suite *s = suite_create("acpi");
	TCase *tc = tcase_create("build");

	tcase_add_test(tc, test_rsdp);
	tcase_add_test(tc, test_xsdt);
	tcase_add_test(tc, test_fadt);
	tcase_add_test(tc, test_dsdt_s5);
	tcase_add_loop_test(tc, test_madt, 0,
			    sizeof(cpu_counts) / sizeof(cpu_counts[0]));
	tcase_add_test(tc, test_rejects);
	tcase_add_test(tc, test_writes_only_what_it_uses);
	tcase_add_test(tc, test_other_gpa);
	suite_add_tcase(s, tc);
	return s;
}
