/* SPDX-License-Identifier: GPL-2.0 */
/* The Intel MultiProcessor table: CPUs and interrupt wiring without ACPI. Pure. */
#ifndef SHAPEVM_X86_MPTABLE_H
#define SHAPEVM_X86_MPTABLE_H

#include <stddef.h>
#include <stdint.h>

#define MPTABLE_MAX_CPUS	254	/* 8-bit APIC IDs, one left for the IOAPIC */
#define MPTABLE_PCI_SLOTS	32	/* bus 0's device numbers */
/* Bus IDs: Linux takes a PCI bus's MP bus ID for its bus number. */
#define MPTABLE_PCI_BUS		0
#define MPTABLE_ISA_BUS		1

/*
 * PCI bus 0's INTx wiring for acpi=off guests: pin p of slot s to IOAPIC
 * pin first_gsi + pci_intx_swizzle(s, p, nr_lines), level-triggered and
 * active-low, one entry per slot and pin. nr_lines 0: no PCI bus at all.
 */
struct mptable_pci {
	unsigned int first_gsi;
	unsigned int nr_lines;
};

/*
 * Writes the floating pointer and the table at buf (guest address gpa).
 * -EINVAL for a bad vCPU count or PCI lines past the IOAPIC's 24 pins,
 * -ENOSPC when len is short of mptable_size.
 */
int mptable_build(uint8_t *buf, size_t len, uint64_t gpa, unsigned int nr_cpus,
		  uint32_t ioapic_addr, uint32_t lapic_addr,
		  const struct mptable_pci *pci);
size_t mptable_size(unsigned int nr_cpus, const struct mptable_pci *pci);

#endif
