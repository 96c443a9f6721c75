// SPDX-License-Identifier: GPL-2.0
/*
 * arm64: the platform layout the planner works from. Booting arm64 guests
 * (Image loader, FDT, vGICv3/ITS, PSCI) is not built yet; until it is,
 * "run" says so instead of pretending.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "arch/arm64/layout.h"
#include "vmm/arch.h"
#include "vmm/log.h"
#include "vmm/util.h"

static const struct plan_region arm64_fixed[] = {
	{ 0, ARM64_GIC_DIST_ADDR, PLAN_RESERVED, "low", "kept free (no flash)" },
	{ ARM64_GIC_DIST_ADDR, ARM64_GIC_DIST_SIZE, PLAN_DEVICE, "gic-dist",
	  "GIC distributor" },
	{ ARM64_GIC_ITS_ADDR, ARM64_GIC_ITS_SIZE, PLAN_MSI, "gic-its",
	  "ITS: the MSI doorbell" },
	{ ARM64_GIC_REDIST_ADDR, ARM64_GIC_REDIST_SIZE, PLAN_DEVICE, "gic-redist",
	  "GIC redistributors" },
	{ ARM64_UART_ADDR, 0x1000, PLAN_DEVICE, "uart", "16550 UART" },
	{ ARM64_PCI_MMIO_ADDR, ARM64_PCI_MMIO_SIZE, PLAN_MMIO_WINDOW, "pci-mmio32",
	  "32-bit PCI BAR window" },
	{ ARM64_PCI_ECAM_ADDR, ARM64_PCI_ECAM_SIZE, PLAN_DEVICE, "pci-ecam",
	  "PCI configuration space (ECAM)" },
};

int arch_plan_constraints(int kvm_fd, struct plan_constraints *cons)
{
	(void)kvm_fd;
	memset(cons, 0, sizeof(*cons));
	cons->arch = "arm64";
	cons->ram_base = ARM64_RAM_BASE;
	cons->addr_limit = 1ULL << ARM64_DEFAULT_IPA_BITS;
	cons->fixed = arm64_fixed;
	cons->nr_fixed = ARRAY_SIZE(arm64_fixed);
	return 0;
}

int arch_check_host(struct vm *vm)
{
	(void)vm;
	log_error("arm64 guests cannot boot yet: the Image loader, device tree and GIC setup are not built");
	return -ENOSYS;
}

int arch_vm_setup(struct vm *vm)
{
	(void)vm;
	return -ENOSYS;
}

int arch_vcpu_setup(struct vcpu *vcpu)
{
	(void)vcpu;
	return -ENOSYS;
}

int arch_kernel_load(struct vm *vm)
{
	(void)vm;
	return -ENOSYS;
}

int arch_machine_describe(struct vm *vm)
{
	(void)vm;
	return -ENOSYS;
}

int arch_devices_setup(struct vm *vm)
{
	(void)vm;
	return -ENOSYS;
}

void arch_console_uart(const struct vm *vm, struct arch_uart *uart)
{
	(void)vm;
	uart->port_io = false;
	uart->base = ARM64_UART_ADDR;
	uart->gsi = 33;
}

bool arch_vcpu_handle_exit(struct vcpu *vcpu)
{
	(void)vcpu;
	return false;
}

void arch_vcpu_describe(struct vcpu *vcpu, char *buf, size_t len)
{
	(void)vcpu;
	snprintf(buf, len, "registers unavailable");
}
