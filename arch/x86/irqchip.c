// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel PIC, IOAPIC and LAPICs, and the PIT. GSIs 0-15 feed both
 * the PIC and the IOAPIC, 16-23 the IOAPIC (PCI INTx); MSI routes start at 24.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/ioctl.h>

#include "arch/x86/layout.h"
#include "vmm/arch.h"
#include "vmm/irq.h"
#include "vmm/log.h"
#include "vmm/util.h"
#include "vmm/vm.h"

#define X86_MAX_GSI	1023

int arch_check_host(struct vm *vm)
{
	static const struct { long cap; const char *name; } needed[] = {
		{ KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP (in-kernel interrupt controllers)" },
		{ KVM_CAP_PIT2, "KVM_CAP_PIT2 (in-kernel timer)" },
		{ KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY" },
		{ KVM_CAP_SET_TSS_ADDR, "KVM_CAP_SET_TSS_ADDR" },
		{ KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID" },
		{ KVM_CAP_IRQ_ROUTING, "KVM_CAP_IRQ_ROUTING" },
		{ KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(needed); i++)
		if (vm_check_capability(vm, needed[i].cap, needed[i].name))
			return -ENOTSUP;
	return 0;
}

/* The table KVM starts with, kept here so MSI routes can be added to it. */
static int x86_default_routes(struct irq_routing *table)
{
	int ret = 0;

	for (unsigned int gsi = 0; gsi < X86_IOAPIC_PINS && !ret; gsi++) {
		if (gsi < 8)
			ret = irq_routing_add_pin(table, gsi, KVM_IRQCHIP_PIC_MASTER, gsi);
		else if (gsi < X86_NR_LEGACY_IRQS)
			ret = irq_routing_add_pin(table, gsi, KVM_IRQCHIP_PIC_SLAVE, gsi - 8);
		if (!ret)
			ret = irq_routing_add_pin(table, gsi, KVM_IRQCHIP_IOAPIC, gsi);
	}
	return ret;
}

int arch_vm_setup(struct vm *vm)
{
	struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };
	uint64_t identity_map = X86_IDENTITY_MAP_ADDR;
	int ret;

	/* Intel needs these three pages and the identity map page out of RAM. */
	if (ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, X86_TSS_ADDR) < 0) {
		log_error("KVM_SET_TSS_ADDR: %s", strerror(errno));
		return -errno;
	}
	if (ioctl(vm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SET_IDENTITY_MAP_ADDR) > 0 &&
	    ioctl(vm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &identity_map) < 0) {
		log_error("KVM_SET_IDENTITY_MAP_ADDR: %s", strerror(errno));
		return -errno;
	}
	if (ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0) {
		log_error("KVM_CREATE_IRQCHIP: %s", strerror(errno));
		return -errno;
	}
	/*
	 * The machine is hardware-reduced ACPI, where Linux never uses a PIT;
	 * guests booted with acpi=off (or without ACPI) time themselves with
	 * it. Its teardown costs an SRCU grace period at exit, hence the flag.
	 */
	if (!vm->cfg->no_pit && ioctl(vm->vm_fd, KVM_CREATE_PIT2, &pit) < 0) {
		log_error("KVM_CREATE_PIT2: %s", strerror(errno));
		return -errno;
	}
	ret = irq_routing_init(&vm->irq, X86_IOAPIC_PINS, X86_MAX_GSI);
	if (ret)
		return ret;
	vm->irq.line_irqchip = KVM_IRQCHIP_IOAPIC;	/* PCI INTx: pins 16-23 */
	ret = x86_default_routes(&vm->irq);
	return ret;
}

