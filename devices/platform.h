/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The small platform devices that end a guest: an i8042 whose only job is
 * the CPU reset line, and the ACPI hardware-reduced sleep control and reset
 * registers (power-off and reset for guests that use ACPI).
 */
#ifndef SHAPEVM_PLATFORM_H
#define SHAPEVM_PLATFORM_H

#include <stdbool.h>
#include <stdint.h>

struct vm;

struct acpi_pm_ports {
	uint64_t base;		/* sleep control at +0, status at +1, reset at +2 */
	uint8_t reset_value;
};

int i8042_setup(struct vm *vm, uint64_t data_port, uint64_t command_port);
int acpi_pm_setup(struct vm *vm, const struct acpi_pm_ports *ports);

/* Pure decoders, for the unit tests. */
bool i8042_is_reset(uint8_t command);
int acpi_pm_decode(const struct acpi_pm_ports *ports, uint64_t offset, uint8_t value);

#endif
