// SPDX-License-Identifier: GPL-2.0
/*
 * arm64: what the host allows. Booting arm64 guests
 * (Image loader, FDT, vGICv3/ITS, PSCI) is not built yet; until it is,
 * "run" says so instead of pretending.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <stdio.h>
#include <string.h>

#include "arch/arm64/layout.h"
#include "vmm/arch.h"
#include "vmm/log.h"
#include "vmm/util.h"

const char *arch_name(void)
{
	return "arm64";
}

/* KVM_CAP_ARM_VM_IPA_SIZE: the widest IPA a VM may ask for; 40 without it. */
unsigned int arch_host_addr_bits(int kvm_fd)
{
	int bits = kvm_fd >= 0 ? ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_ARM_VM_IPA_SIZE) : 0;

	return bits > 0 ? (unsigned int)bits : 0;
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

void arch_pci_info(struct arch_pci *pci)
{
	pci->port_io_config = false;
	pci->io_start = 0;
	pci->io_size = 0;
}
