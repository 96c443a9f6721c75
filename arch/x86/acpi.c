// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "arch/x86/acpi.h"
#include "vmm/aml.h"
#include "vmm/le.h"
#include "vmm/util.h"

#define ACPI_HEADER_SIZE	36
#define RSDP_SIZE		36
#define FADT_SIZE		276
#define FADT_REVISION		6
#define FADT_MINOR		3
#define MADT_LAPIC_SIZE		8
#define MADT_IOAPIC_SIZE	12
#define MADT_LAPIC_NMI_SIZE	6

/* FADT field offsets (ACPI 6.3, table 5-33). */
#define FADT_DSDT		40
#define FADT_IAPC_BOOT_ARCH	109
#define FADT_FLAGS		112
#define FADT_RESET_REG		116
#define FADT_RESET_VALUE	128
#define FADT_MINOR_VERSION	131
#define FADT_X_DSDT		140
#define FADT_SLEEP_CONTROL	244
#define FADT_SLEEP_STATUS	256
#define FADT_HYPERVISOR_ID	268

#define FADT_F_RESET_REG_SUP	(1U << 10)
#define FADT_F_HW_REDUCED	(1U << 20)
#define BOOT_ARCH_NO_VGA	(1U << 2)
#define BOOT_ARCH_NO_CMOS_RTC	(1U << 5)

#define GAS_SYSTEM_IO		1
#define GAS_ACCESS_BYTE		1

static void acpi_header(uint8_t *t, const char *sig, uint32_t len, uint8_t rev)
{
	memcpy(t, sig, 4);
	put_le32(t + 4, len);
	t[8] = rev;
	memcpy(t + 10, "SHAPVM", 6);
	memcpy(t + 16, "SHAPEVM ", 8);
	put_le32(t + 24, 1);
	memcpy(t + 28, "SHVM", 4);
	put_le32(t + 32, 1);
}

static void acpi_finish(uint8_t *t)
{
	t[9] = 0;
	t[9] = table_checksum(t, get_le32(t + 4));
}

static void gas_io_byte(uint8_t *g, uint16_t port)
{
	g[0] = GAS_SYSTEM_IO;
	g[1] = 8;
	g[2] = 0;
	g[3] = GAS_ACCESS_BYTE;
	put_le64(g + 4, port);
}

/*
 * The DSDT: \_S5 (the sleep type that means power-off) and COM1. With
 * hardware-reduced ACPI Linux has no legacy PIC and maps no ISA IRQ on its
 * own, so the UART must be an ACPI device whose _CRS names its IRQ, or its
 * driver gets no interrupt and console output stalls.
 */
static int build_dsdt(uint8_t *t, size_t cap, const struct acpi_layout *l)
{
	struct aml aml;
	int len;

	aml_init(&aml, t + ACPI_HEADER_SIZE, cap - ACPI_HEADER_SIZE);
	aml_name_begin(&aml, "_S5_");
	aml_package_begin(&aml, 4);
	aml_integer(&aml, ACPI_S5_SLP_TYP);
	aml_integer(&aml, 0);
	aml_integer(&aml, 0);
	aml_integer(&aml, 0);
	aml_end(&aml);

	aml_scope_begin(&aml, "\\_SB_");
	aml_device_begin(&aml, "COM1");
	aml_name_eisaid(&aml, "_HID", "PNP0501");
	aml_name_integer(&aml, "_UID", 1);
	aml_name_begin(&aml, "_CRS");
	aml_buffer_begin(&aml);
	aml_res_io(&aml, l->uart_port, 8);
	aml_res_irq(&aml, l->uart_irq);
	aml_res_end(&aml);
	aml_end(&aml);
	aml_end(&aml);
	aml_end(&aml);

	len = aml_finish(&aml);
	if (len < 0)
		return len;
	len += ACPI_HEADER_SIZE;
	acpi_header(t, "DSDT", len, 2);
	acpi_finish(t);
	return len;
}

static size_t build_fadt(uint8_t *t, uint64_t dsdt, const struct acpi_layout *l)
{
	acpi_header(t, "FACP", FADT_SIZE, FADT_REVISION);
	put_le32(t + FADT_DSDT, (uint32_t)dsdt);
	put_le64(t + FADT_X_DSDT, dsdt);
	put_le16(t + FADT_IAPC_BOOT_ARCH, BOOT_ARCH_NO_VGA | BOOT_ARCH_NO_CMOS_RTC);
	put_le32(t + FADT_FLAGS, FADT_F_HW_REDUCED | FADT_F_RESET_REG_SUP);
	gas_io_byte(t + FADT_RESET_REG, l->reset_port);
	t[FADT_RESET_VALUE] = l->reset_value;
	t[FADT_MINOR_VERSION] = FADT_MINOR;
	gas_io_byte(t + FADT_SLEEP_CONTROL, l->sleep_control_port);
	gas_io_byte(t + FADT_SLEEP_STATUS, l->sleep_status_port);
	memcpy(t + FADT_HYPERVISOR_ID, "SHAPEVM ", 8);
	acpi_finish(t);
	return FADT_SIZE;
}

static size_t build_madt(uint8_t *t, const struct acpi_layout *l)
{
	uint8_t *p = t + ACPI_HEADER_SIZE + 8;
	size_t len;

	for (unsigned int cpu = 0; cpu < l->nr_cpus; cpu++) {
		p[0] = 0;			/* processor local APIC */
		p[1] = MADT_LAPIC_SIZE;
		p[2] = cpu;			/* ACPI processor UID */
		p[3] = cpu;			/* APIC ID */
		put_le32(p + 4, 1);		/* enabled */
		p += MADT_LAPIC_SIZE;
	}
	p[0] = 1;				/* I/O APIC */
	p[1] = MADT_IOAPIC_SIZE;
	p[2] = l->nr_cpus;			/* its ID follows the CPUs' */
	p[3] = 0;
	put_le32(p + 4, l->ioapic_addr);
	put_le32(p + 8, 0);			/* GSI base */
	p += MADT_IOAPIC_SIZE;
	p[0] = 4;				/* local APIC NMI on LINT1, all CPUs */
	p[1] = MADT_LAPIC_NMI_SIZE;
	p[2] = 0xff;
	put_le16(p + 3, 0);
	p[5] = 1;
	p += MADT_LAPIC_NMI_SIZE;

	len = p - t;
	acpi_header(t, "APIC", len, 5);
	put_le32(t + ACPI_HEADER_SIZE, l->lapic_addr);
	put_le32(t + ACPI_HEADER_SIZE + 4, 0);	/* no 8259s to disable */
	acpi_finish(t);
	return len;
}

#define DSDT_MAX	1024

static size_t acpi_size(unsigned int nr_cpus)
{
	return RSDP_SIZE + 4 + (ACPI_HEADER_SIZE + 2 * 8) + FADT_SIZE +
	       DSDT_MAX + ACPI_HEADER_SIZE + 8 +
	       nr_cpus * MADT_LAPIC_SIZE + MADT_IOAPIC_SIZE +
	       MADT_LAPIC_NMI_SIZE + 5 * 8;
}

int acpi_build(uint8_t *buf, size_t len, uint64_t gpa, const struct acpi_layout *l)
{
	size_t off, xsdt, fadt, dsdt, madt;
	uint8_t *rsdp = buf;
	int dsdt_len;

	if (!l->nr_cpus || l->nr_cpus > 254)
		return -EINVAL;
	if (len < acpi_size(l->nr_cpus))
		return -ENOSPC;
	memset(buf, 0, acpi_size(l->nr_cpus));

	/* Tables 8-byte aligned after the RSDP. */
	xsdt = ALIGN_UP(RSDP_SIZE, 8);
	fadt = ALIGN_UP(xsdt + ACPI_HEADER_SIZE + 2 * 8, 8);
	dsdt = ALIGN_UP(fadt + FADT_SIZE, 8);
	dsdt_len = build_dsdt(buf + dsdt, DSDT_MAX, l);
	if (dsdt_len < 0)
		return dsdt_len;
	madt = ALIGN_UP(dsdt + dsdt_len, 8);
	off = madt + build_madt(buf + madt, l);
	build_fadt(buf + fadt, gpa + dsdt, l);

	acpi_header(buf + xsdt, "XSDT", ACPI_HEADER_SIZE + 2 * 8, 1);
	put_le64(buf + xsdt + ACPI_HEADER_SIZE, gpa + fadt);
	put_le64(buf + xsdt + ACPI_HEADER_SIZE + 8, gpa + madt);
	acpi_finish(buf + xsdt);

	memcpy(rsdp, "RSD PTR ", 8);
	memcpy(rsdp + 9, "SHAPVM", 6);
	rsdp[15] = 2;				/* ACPI 2.0+: use the XSDT */
	put_le32(rsdp + 20, RSDP_SIZE);
	put_le64(rsdp + 24, gpa + xsdt);
	rsdp[8] = table_checksum(rsdp, 20);
	rsdp[32] = table_checksum(rsdp, RSDP_SIZE);
	return off;
}
