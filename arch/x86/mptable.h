/* SPDX-License-Identifier: GPL-2.0 */
/* The Intel MultiProcessor table: CPUs and interrupt wiring without ACPI. Pure. */
#ifndef SHAPEVM_X86_MPTABLE_H
#define SHAPEVM_X86_MPTABLE_H

#include <stddef.h>
#include <stdint.h>

#define MPTABLE_MAX_CPUS	254	/* 8-bit APIC IDs, one left for the IOAPIC */

/* Writes the floating pointer and the table at buf (guest address gpa). */
int mptable_build(uint8_t *buf, size_t len, uint64_t gpa, unsigned int nr_cpus,
		  uint32_t ioapic_addr, uint32_t lapic_addr);
size_t mptable_size(unsigned int nr_cpus);

#endif
