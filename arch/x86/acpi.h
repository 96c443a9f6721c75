/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hardware-reduced ACPI tables: RSDP, XSDT, FADT, DSDT (with \_S5), MADT.
 * They give Linux a power-off path (the sleep control register) and the
 * CPU list. Pure: built into a buffer that lands at a guest address.
 */
#ifndef SHAPEVM_X86_ACPI_H
#define SHAPEVM_X86_ACPI_H

#include <stddef.h>
#include <stdint.h>

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
};

/* SLP_TYP for S5 in \_S5; the guest writes (SLP_TYP << 2) | SLP_EN. */
#define ACPI_S5_SLP_TYP		5
#define ACPI_SLP_EN		0x20
#define ACPI_SLEEP_TYPE(v)	(((v) >> 2) & 7)

/* Returns the bytes used, or -errno. The RSDP is at gpa. */
int acpi_build(uint8_t *buf, size_t len, uint64_t gpa, const struct acpi_layout *layout);

#endif
