/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hardware-reduced ACPI tables: RSDP, XSDT, FADT, DSDT (\_S5, COM1 and the
 * PCI host bridge \_SB.PCI0 with its INTx routing, _PRT), MADT and MCFG. They give Linux a power-off
 * path (the sleep control register), the CPU list and the PCI bus with its
 * ECAM and windows. Pure: built into a buffer that lands at a guest address.
 */
#ifndef SHAPEVM_X86_ACPI_H
#define SHAPEVM_X86_ACPI_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/memplan.h"

struct acpi_layout {
	unsigned int nr_cpus;
	uint32_t ioapic_addr;
	uint32_t lapic_addr;
	uint16_t sleep_control_port;
	uint16_t sleep_status_port;
	uint16_t reset_port;
	uint8_t reset_value;
	uint16_t uart_port;	/* COM1, described in the DSDT */
	uint8_t uart_irq;
	/*
	 * PCI from the plan: "pci-ecam" (MCFG, bus range), "pci-mmio32*" and
	 * "pci-mmio64" (the host bridge's windows). NULL, or a plan without
	 * "pci-ecam": no PCI0 and no MCFG.
	 */
	const struct vm_plan *plan;
	/*
	 * PCI0's _PRT: pin p of slot s to GSI pci_intx_gsi +
	 * pci_intx_swizzle(s, p, pci_intx_lines); 0 lines: no _PRT.
	 */
	unsigned int pci_intx_gsi;
	unsigned int pci_intx_lines;
};

/* SLP_TYP for S5 in \_S5; the guest writes (SLP_TYP << 2) | SLP_EN. */
#define ACPI_S5_SLP_TYP		5
#define ACPI_SLP_EN		0x20
#define ACPI_SLEEP_TYPE(v)	(((v) >> 2) & 7)

/*
 * Returns the bytes used, or -errno: -EINVAL for a bad vCPU count or a
 * pci-ecam MCFG cannot describe, -ENOSPC when len is too small. The RSDP
 * is at gpa.
 */
int acpi_build(uint8_t *buf, size_t len, uint64_t gpa, const struct acpi_layout *layout);

#endif
