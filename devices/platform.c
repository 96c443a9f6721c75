// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "devices/platform.h"
#include "vmm/bus.h"
#include "vmm/exitcode.h"
#include "vmm/log.h"
#include "vmm/vm.h"

#define I8042_CMD_PULSE_RESET	0xfe
#define ACPI_SLEEP_EN		0x20
#define ACPI_SLEEP_TYPE_S5	5

enum { PM_SLEEP_CONTROL = 0, PM_SLEEP_STATUS = 1, PM_RESET = 2, PM_LEN = 4 };

bool i8042_is_reset(uint8_t command)
{
	return command == I8042_CMD_PULSE_RESET;
}

/* No keyboard behind the controller: data reads 0, writes go nowhere. */
#define I8042_STATUS_OBF	0x01
static void i8042_data_access(void *opaque, uint64_t offset, uint8_t *data,
			      unsigned int size, bool is_write)
{
	(void)opaque;
	(void)offset;
	if (!is_write)
		memset(data, 0, size);
}

/*
 * The status says: input buffer empty, so a guest waiting to send the
 * reset command goes ahead at once; output buffer full, so a driver
 * flushing the controller gives up after a few reads ("no controller")
 * instead of waiting out its timeouts on every command.
 */
static void i8042_command_access(void *opaque, uint64_t offset, uint8_t *data,
				 unsigned int size, bool is_write)
{
	struct vm *vm = opaque;

	(void)offset;
	if (!is_write) {
		memset(data, I8042_STATUS_OBF, size);
		return;
	}
	if (i8042_is_reset(data[0]))
		vm_request_stop(vm, EXIT_GUEST_RESET, "guest reset (i8042)");
}

int i8042_setup(struct vm *vm, uint64_t data_port, uint64_t command_port)
{
	int ret;

	ret = bus_register(&vm->pio_bus, data_port, 1, i8042_data_access, vm,
			   "i8042-data");
	if (!ret)
		ret = bus_register(&vm->pio_bus, command_port, 1, i8042_command_access,
				   vm, "i8042-command");
	return ret;
}

/* Returns the exit status a write asks for, or -1 for none. */
int acpi_pm_decode(const struct acpi_pm_ports *ports, uint64_t offset, uint8_t value)
{
	if (offset == PM_SLEEP_CONTROL && (value & ACPI_SLEEP_EN) &&
	    ((value >> 2) & 7) == ACPI_SLEEP_TYPE_S5)
		return EXIT_GUEST_POWEROFF;
	if (offset == PM_RESET && value == ports->reset_value)
		return EXIT_GUEST_RESET;
	return -1;
}

struct acpi_pm {
	struct vm *vm;
	struct acpi_pm_ports ports;
};

static void acpi_pm_access(void *opaque, uint64_t offset, uint8_t *data,
			   unsigned int size, bool is_write)
{
	struct acpi_pm *pm = opaque;
	int status;

	if (!is_write) {
		/* Sleep status: WAK_STS never set, the guest is going down. */
		memset(data, 0, size);
		return;
	}
	status = acpi_pm_decode(&pm->ports, offset, data[0]);
	if (status == EXIT_GUEST_POWEROFF)
		vm_request_stop(pm->vm, status, "guest powered off (ACPI S5)");
	else if (status == EXIT_GUEST_RESET)
		vm_request_stop(pm->vm, status, "guest reset (ACPI reset register)");
}

int acpi_pm_setup(struct vm *vm, const struct acpi_pm_ports *ports)
{
	struct acpi_pm *pm = vm_alloc(vm, sizeof(*pm));

	if (!pm)
		return -ENOMEM;
	pm->vm = vm;
	pm->ports = *ports;
	return bus_register(&vm->pio_bus, ports->base, PM_LEN, acpi_pm_access, pm,
			    "acpi-pm");
}
