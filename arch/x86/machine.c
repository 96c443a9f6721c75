// SPDX-License-Identifier: GPL-2.0
/* Describes the machine to the guest: MP table and ACPI, from the plan. */
#include <errno.h>
#include <string.h>

#include "arch/x86/acpi.h"
#include "arch/x86/cpu.h"
#include "arch/x86/layout.h"
#include "arch/x86/mptable.h"
#include "devices/platform.h"
#include "devices/rtc_cmos.h"
#include "vmm/arch.h"
#include "vmm/log.h"
#include "vmm/vm.h"

int arch_machine_describe(struct vm *vm)
{
	const struct plan_region *ioapic = memplan_find(&vm->plan, "ioapic");
	const struct plan_region *lapic = memplan_find(&vm->plan, "lapic-msi");
	const struct plan_region *ecam = memplan_find(&vm->plan, "pci-ecam");
	unsigned int nr_cpus = vm->cfg->nr_cpus;
	struct acpi_layout acpi = {
		.nr_cpus = nr_cpus,
		.sleep_control_port = X86_PM_SLEEP_CONTROL,
		.sleep_status_port = X86_PM_SLEEP_STATUS,
		.reset_port = X86_PM_RESET,
		.reset_value = X86_PM_RESET_VALUE,
		.uart_port = X86_COM1_PORT,
		.uart_irq = X86_COM1_GSI,
		.plan = &vm->plan,
		.pci_intx_gsi = X86_PCI_INTX_GSI,
		.pci_intx_lines = X86_PCI_INTX_LINES,
	};
	struct mptable_pci mp_pci = {
		.first_gsi = X86_PCI_INTX_GSI,
		.nr_lines = X86_PCI_INTX_LINES,
	};
	uint64_t mp_len = X86_BIOS_END - X86_MPTABLE_ADDR;
	uint64_t acpi_len = X86_MPTABLE_ADDR - X86_ACPI_ADDR;
	uint8_t *mp = vm_guest_ptr(vm, X86_MPTABLE_ADDR, mp_len);
	uint8_t *tables = vm_guest_ptr(vm, X86_ACPI_ADDR, acpi_len);
	int ret;

	if (nr_cpus > MPTABLE_MAX_CPUS) {
		log_error("--cpus %u: x86 guests take at most %d vCPUs (8-bit APIC IDs)",
			  nr_cpus, MPTABLE_MAX_CPUS);
		return -EINVAL;
	}
	if (!ioapic || !lapic || !mp || !tables) {
		log_error("the memory plan has no room for the firmware tables");
		return -EFAULT;
	}
	acpi.ioapic_addr = ioapic->start;
	acpi.lapic_addr = lapic->start;
	ret = mptable_build(mp, mp_len, X86_MPTABLE_ADDR, nr_cpus,
			    ioapic->start, lapic->start, ecam ? &mp_pci : NULL);
	if (ret < 0) {
		log_error("cannot build the MP table for %u vCPUs", nr_cpus);
		return ret;
	}
	ret = acpi_build(tables, acpi_len, X86_ACPI_ADDR, &acpi);
	if (ret == -EINVAL && ecam) {
		log_error("the plan's pci-ecam 0x%llx-0x%llx cannot go in MCFG: it needs whole 1 MiB buses, at most 256, below 4 GiB",
			  (unsigned long long)ecam->start,
			  (unsigned long long)(ecam->start + ecam->size - 1));
		return ret;
	}
	if (ret < 0) {
		log_error("cannot build the ACPI tables for %u vCPUs: %s", nr_cpus,
			  strerror(-ret));
		return ret;
	}
	return 0;
}

int arch_devices_setup(struct vm *vm)
{
	struct acpi_pm_ports pm = {
		.base = X86_PM_PORT,
		.reset_value = X86_PM_RESET_VALUE,
	};
	int ret;

	ret = i8042_setup(vm, X86_I8042_DATA_PORT, X86_I8042_CMD_PORT);
	if (!ret)
		ret = acpi_pm_setup(vm, &pm);
	if (!ret)
		ret = rtc_cmos_setup(vm, X86_RTC_PORT);
	if (ret)
		log_error("cannot place the platform devices: %s", strerror(-ret));
	return ret;
}

const char *arch_name(void)
{
	return "x86_64";
}

unsigned long arch_vm_type(const struct vm *vm)
{
	(void)vm;
	return 0;
}

unsigned int arch_host_addr_bits(int kvm_fd)
{
	return kvm_fd >= 0 ? x86_cpu_phys_bits(kvm_fd) : 0;
}

void arch_console_uart(const struct vm *vm, struct arch_uart *uart)
{
	(void)vm;
	uart->port_io = true;
	uart->base = X86_COM1_PORT;
	uart->gsi = X86_COM1_GSI;
}

void arch_pci_info(struct arch_pci *pci)
{
	pci->port_io_config = true;
	pci->io_start = X86_PCI_IO_START;
	pci->io_size = X86_PCI_IO_SIZE;
	pci->intx_first = X86_PCI_INTX_GSI;
	pci->intx_lines = X86_PCI_INTX_LINES;
}
