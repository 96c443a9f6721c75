// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "arch/x86/acpi.h"
#include "arch/x86/layout.h"
#include "devices/pci.h"
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

/* Port space and its bus: what the PCI0 window descriptors span. */
#define X86_PORT_SPACE_END	0xffff
#define PCI_BUS_SIZE		SZ_1M	/* ECAM: 32 devices x 8 functions x 4 KiB */
#define PCI_MAX_BUSES		256
#define MCFG_SIZE		(ACPI_HEADER_SIZE + 8 + 16)

/*
 * The plan's ECAM region, or NULL (a plan saved before PCI had none).
 * MCFG needs whole 1 MiB buses, at most 256; Linux also ignores an MCFG
 * entry above 4 GiB on machines without a DMI BIOS date, like ours.
 */
static int acpi_ecam(const struct vm_plan *plan, const struct plan_region **ecam)
{
	const struct plan_region *r = plan ? memplan_find(plan, "pci-ecam") : NULL;

	*ecam = NULL;
	if (!r)
		return 0;
	if (!r->size || r->size % PCI_BUS_SIZE || r->start % PCI_BUS_SIZE ||
	    r->size > PCI_MAX_BUSES * PCI_BUS_SIZE || r->start + r->size > SZ_4G)
		return -EINVAL;
	*ecam = r;
	return 0;
}

static unsigned int ecam_last_bus(const struct plan_region *ecam)
{
	return ecam->size / PCI_BUS_SIZE - 1;
}

/* "pci-mmio32" and the pieces a host region cut it into, "pci-mmio32.1"... */
static bool is_mmio32_window(const struct plan_region *r)
{
	static const char name[] = "pci-mmio32";

	return r->kind == PLAN_MMIO_WINDOW && !strncmp(r->name, name, sizeof(name) - 1) &&
	       (!r->name[sizeof(name) - 1] || r->name[sizeof(name) - 1] == '.');
}

/*
 * Non-cacheable, not prefetchable: the windows hold register BARs, and
 * Linux puts no non-prefetchable BAR in a window marked prefetchable.
 */
static void crs_memory_window(struct aml *aml, const struct plan_region *r)
{
	uint64_t last = r->start + r->size - 1;
	unsigned int flags = AML_MEM_READ_WRITE | AML_MEM_NON_CACHEABLE;

	if (last < SZ_4G)
		aml_res_dword_memory(aml, r->start, last, flags);
	else
		aml_res_qword_memory(aml, r->start, last, flags);
}

/* Bus 0's device numbers, each with a _PRT entry per pin. */
#define PRT_SLOTS		32
#define PRT_ALL_FUNCTIONS	0xffff

/*
 * _PRT (ACPI 6.3, 6.2.13): Package (4) { 0xSSSSFFFF (device S, any
 * function), pin (0 = INTA), Zero (no link device: a GSI), GSI } for
 * every slot and pin, as pci_host_add wires them. A GSI from _PRT is
 * level-triggered and active-low, which is what PCI lines are; no _PIC
 * is needed, the machine having no 8259 mode to leave.
 */
static void dsdt_pci_routing(struct aml *aml, unsigned int first_gsi,
			     unsigned int nr_lines)
{
	aml_name_begin(aml, "_PRT");
	aml_package_begin(aml, PRT_SLOTS * PCI_INTX_PINS);
	for (unsigned int slot = 0; slot < PRT_SLOTS; slot++) {
		for (unsigned int pin = 1; pin <= PCI_INTX_PINS; pin++) {
			aml_package_begin(aml, 4);
			aml_integer(aml, (uint64_t)slot << 16 | PRT_ALL_FUNCTIONS);
			aml_integer(aml, pin - 1);
			aml_integer(aml, 0);
			aml_integer(aml, first_gsi + pci_intx_swizzle(slot, pin, nr_lines));
			aml_end(aml);
		}
	}
	aml_end(aml);
}

/*
 * \_SB.PCI0, the host bridge (PCI Firmware 3.3, 4.1): its buses, the config
 * ports it consumes, and the windows it passes on. The port windows are
 * everything but 0xcf8-0xcff, as on PCs: Linux puts a window around the
 * legacy devices' ports (COM1, i8042, RTC, the PM block at 0x600), which
 * still claim them inside it, and allocates I/O BARs from 0x1000 up.
 */
static void dsdt_pci_root(struct aml *aml, const struct acpi_layout *l,
			  const struct plan_region *ecam)
{
	const struct vm_plan *plan = l->plan;
	const struct plan_region *mmio64 = memplan_find(plan, "pci-mmio64");

	aml_device_begin(aml, "PCI0");
	aml_name_eisaid(aml, "_HID", "PNP0A08");	/* PCI Express root bridge */
	aml_name_eisaid(aml, "_CID", "PNP0A03");	/* PCI root bridge */
	aml_name_integer(aml, "_SEG", 0);
	aml_name_integer(aml, "_BBN", 0);
	aml_name_integer(aml, "_UID", 0);

	aml_name_begin(aml, "_CRS");
	aml_buffer_begin(aml);
	aml_res_word_bus(aml, 0, ecam_last_bus(ecam));
	aml_res_io(aml, X86_PCI_CONFIG_PORT, X86_PCI_CONFIG_PORTS);
	aml_res_word_io(aml, 0, X86_PCI_CONFIG_PORT - 1);
	/* The next 256-port boundary after the config ports (0xd00). */
	aml_res_word_io(aml, ALIGN_UP(X86_PCI_CONFIG_PORT + X86_PCI_CONFIG_PORTS, 0x100),
			X86_PORT_SPACE_END);
	for (size_t i = 0; i < plan->nr_regions; i++)
		if (is_mmio32_window(&plan->regions[i]))
			crs_memory_window(aml, &plan->regions[i]);
	if (mmio64)
		aml_res_qword_memory(aml, mmio64->start, mmio64->start + mmio64->size - 1,
				     AML_MEM_READ_WRITE | AML_MEM_NON_CACHEABLE);
	aml_res_end(aml);
	aml_end(aml);
	if (l->pci_intx_lines)
		dsdt_pci_routing(aml, l->pci_intx_gsi, l->pci_intx_lines);
	aml_end(aml);
}

/*
 * A motherboard resource (PNP0C02) reserving the ECAM, as PCI Firmware 3.3
 * 4.1.2 asks. Linux accepts MCFG early from the e820 reservation, but when
 * it checks later (pci=noearly, or ECAM added by a host bridge) only a
 * PNP0C01/PNP0C02 _CRS covering the whole range counts.
 */
static void dsdt_ecam_reservation(struct aml *aml, const struct plan_region *ecam)
{
	aml_device_begin(aml, "MRES");
	aml_name_eisaid(aml, "_HID", "PNP0C02");
	aml_name_begin(aml, "_CRS");
	aml_buffer_begin(aml);
	aml_res_memory32_fixed(aml, ecam->start, ecam->size, true);
	aml_res_end(aml);
	aml_end(aml);
	aml_end(aml);
}

/*
 * The DSDT: \_S5 (the sleep type that means power-off), COM1 and, when the
 * plan has PCI, the host bridge and its ECAM reservation. With
 * hardware-reduced ACPI Linux has no legacy PIC and maps no ISA IRQ on its
 * own, so the UART must be an ACPI device whose _CRS names its IRQ, or its
 * driver gets no interrupt and console output stalls.
 */
static int build_dsdt(uint8_t *t, size_t cap, const struct acpi_layout *l,
		      const struct plan_region *ecam)
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
	if (ecam) {
		dsdt_pci_root(&aml, l, ecam);
		dsdt_ecam_reservation(&aml, ecam);
	}
	aml_end(&aml);

	len = aml_finish(&aml);
	if (len < 0)
		return len;
	len += ACPI_HEADER_SIZE;
	acpi_header(t, "DSDT", len, 2);
	acpi_finish(t);
	return len;
}

/* MCFG (PCI Firmware 3.3, 4.1.2): one allocation, segment 0, from bus 0. */
static size_t build_mcfg(uint8_t *t, const struct plan_region *ecam)
{
	uint8_t *a = t + ACPI_HEADER_SIZE + 8;	/* after 8 reserved bytes */

	acpi_header(t, "MCFG", MCFG_SIZE, 1);
	put_le64(a, ecam->start);
	put_le16(a + 8, 0);			/* PCI segment group */
	a[10] = 0;				/* start bus */
	a[11] = ecam_last_bus(ecam);		/* end bus */
	acpi_finish(t);
	return MCFG_SIZE;
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

/* Room for a few hundred window pieces when host regions cut pci-mmio32. */
#define DSDT_MAX	8192
#define XSDT_MAX_ENTRIES	3

static size_t acpi_size(unsigned int nr_cpus)
{
	return RSDP_SIZE + 4 + (ACPI_HEADER_SIZE + XSDT_MAX_ENTRIES * 8) + FADT_SIZE +
	       DSDT_MAX + ACPI_HEADER_SIZE + 8 +
	       nr_cpus * MADT_LAPIC_SIZE + MADT_IOAPIC_SIZE +
	       MADT_LAPIC_NMI_SIZE + MCFG_SIZE + 6 * 8;
}

int acpi_build(uint8_t *buf, size_t len, uint64_t gpa, const struct acpi_layout *l)
{
	size_t off, xsdt, fadt, dsdt, madt, mcfg = 0;
	const struct plan_region *ecam;
	unsigned int nr_entries;
	uint8_t *rsdp = buf;
	int dsdt_len, ret;

	if (!l->nr_cpus || l->nr_cpus > 254)
		return -EINVAL;
	ret = acpi_ecam(l->plan, &ecam);
	if (ret)
		return ret;
	if (len < acpi_size(l->nr_cpus))
		return -ENOSPC;
	memset(buf, 0, acpi_size(l->nr_cpus));

	/* Tables 8-byte aligned after the RSDP. */
	nr_entries = ecam ? 3 : 2;
	xsdt = ALIGN_UP(RSDP_SIZE, 8);
	fadt = ALIGN_UP(xsdt + ACPI_HEADER_SIZE + nr_entries * 8, 8);
	dsdt = ALIGN_UP(fadt + FADT_SIZE, 8);
	dsdt_len = build_dsdt(buf + dsdt, DSDT_MAX, l, ecam);
	if (dsdt_len < 0)
		return dsdt_len;
	madt = ALIGN_UP(dsdt + dsdt_len, 8);
	off = madt + build_madt(buf + madt, l);
	if (ecam) {
		mcfg = ALIGN_UP(off, 8);
		off = mcfg + build_mcfg(buf + mcfg, ecam);
	}
	build_fadt(buf + fadt, gpa + dsdt, l);

	acpi_header(buf + xsdt, "XSDT", ACPI_HEADER_SIZE + nr_entries * 8, 1);
	put_le64(buf + xsdt + ACPI_HEADER_SIZE, gpa + fadt);
	put_le64(buf + xsdt + ACPI_HEADER_SIZE + 8, gpa + madt);
	if (ecam)
		put_le64(buf + xsdt + ACPI_HEADER_SIZE + 16, gpa + mcfg);
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
