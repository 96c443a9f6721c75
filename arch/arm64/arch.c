// SPDX-License-Identifier: GPL-2.0
/*
 * arm64: what the host's KVM must offer, which interrupt controller the
 * guest gets (chosen before the plan: the plan places its frames), the
 * VM's IPA size, and where the console UART and PCI config space are.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "arch/arm64/layout.h"
#include "arch/arm64/machine.h"
#include "devices/pci.h"
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

/*
 * --irqchip, or the best the host has: a GICv3 with an ITS; else MSIs
 * through a GICv2m frame, beside a vGICv2 or, where KVM emulates only
 * GICv3, beside that.
 */
static int choose_irqchip(struct vm *vm, const struct arm64_machine *m)
{
	const char *asked = vm->cfg->irqchip;
	enum plan_irqchip kind;

	if (!asked) {
		if (m->have_its)
			vm->irqchip = PLAN_IRQCHIP_GICV3_ITS;
		else if (m->have_v2)
			vm->irqchip = PLAN_IRQCHIP_GICV2M;
		else if (m->have_v3)
			vm->irqchip = PLAN_IRQCHIP_GICV3_V2M;
		else
			goto none;
		log_info("interrupt controller: %s", memplan_irqchip_name(vm->irqchip));
		return 0;
	}
	if (memplan_irqchip_parse(asked, &kind))
		return -EINVAL;
	if (kind == PLAN_IRQCHIP_GICV2M && !m->have_v2 && m->have_v3) {
		log_info("--irqchip gicv2m: KVM emulates no GICv2 here; the v2m frame goes beside a GICv3");
		kind = PLAN_IRQCHIP_GICV3_V2M;
	}
	if (arm64_irqchip_is_v3(kind) ? !m->have_v3 : !m->have_v2) {
		log_error("--irqchip %s: this host's KVM emulates %s", asked,
			  m->have_v3 ? (m->have_v2 ? "GICv3 and GICv2" : "only GICv3 (try gicv3-its or gicv2m)") :
			  m->have_v2 ? "only GICv2 (try gicv2m)" : "no GIC");
		return -ENOTSUP;
	}
	if (kind == PLAN_IRQCHIP_GICV3_ITS && !m->have_its) {
		log_error("--irqchip gicv3-its: this host's KVM has no ITS (try gicv2m)");
		return -ENOTSUP;
	}
	/* No MSI controller: PCI devices interrupt on INTx (SPIs 4-7, interrupt-map). */
	if ((kind == PLAN_IRQCHIP_GICV3 || kind == PLAN_IRQCHIP_GICV2) &&
	    (vm->cfg->nr_disks || vm->cfg->nr_nets || vm->cfg->rng ||
	     vm->cfg->console == CONSOLE_VIRTIO || vm->cfg->nr_vfio))
		log_info("--irqchip %s: no MSIs: PCI devices interrupt on INTx (shared level SPIs)",
			 asked);
	vm->irqchip = kind;
	return 0;
none:
	log_error("this host's KVM emulates no GIC (neither KVM_DEV_TYPE_ARM_VGIC_V3 nor _V2)");
	return -ENOTSUP;
}

int arch_check_host(struct vm *vm)
{
	static const struct { long cap; const char *name; } needed[] = {
		{ KVM_CAP_ARM_PSCI_0_2, "KVM_CAP_ARM_PSCI_0_2 (PSCI for SMP and power-off)" },
		{ KVM_CAP_ONE_REG, "KVM_CAP_ONE_REG" },
		{ KVM_CAP_DEVICE_CTRL, "KVM_CAP_DEVICE_CTRL (in-kernel GIC)" },
		{ KVM_CAP_IRQ_ROUTING, "KVM_CAP_IRQ_ROUTING" },
		{ KVM_CAP_IRQFD, "KVM_CAP_IRQFD" },
		{ KVM_CAP_IOEVENTFD, "KVM_CAP_IOEVENTFD" },
		{ KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT" },
	};
	struct arm64_machine *m;
	int ret;

	for (size_t i = 0; i < ARRAY_SIZE(needed); i++)
		if (vm_check_capability(vm, needed[i].cap, needed[i].name))
			return -ENOTSUP;
	m = vm_alloc(vm, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->gic_fd = m->its_fd = -1;
	m->max_ipa_bits = arch_host_addr_bits(vm->kvm_fd);
	vm->arch = m;
	ret = arm64_gic_probe(vm, m);
	if (!ret)
		ret = choose_irqchip(vm, m);
	return ret;
}

/* The smallest IPA size that holds the plan (at least 32 bits, as KVM wants). */
unsigned long arch_vm_type(const struct vm *vm)
{
	const struct arm64_machine *m = arm64_machine(vm);
	uint64_t top = 0;
	unsigned int bits = 32;

	if (!m || !m->max_ipa_bits)
		return 0;
	for (size_t i = 0; i < vm->plan.nr_regions; i++)
		top = MAX(top, vm->plan.regions[i].start + vm->plan.regions[i].size);
	while (bits < 64 && (1ULL << bits) < top)
		bits++;
	return KVM_VM_TYPE_ARM_IPA_SIZE(MIN(bits, m->max_ipa_bits));
}

/* The 16550 is the only platform device; PSCI does power-off and reset. */
int arch_devices_setup(struct vm *vm)
{
	(void)vm;
	return 0;
}

void arch_console_uart(const struct vm *vm, struct arch_uart *uart)
{
	const struct plan_region *r = memplan_find(&vm->plan, "uart");

	uart->port_io = false;
	uart->base = r ? r->start : ARM64_UART_ADDR;
	uart->gsi = ARM64_UART_SPI;
}

void arch_pci_info(struct arch_pci *pci)
{
	pci->port_io_config = false;
	pci->io_start = 0;
	pci->io_size = 0;
	pci->intx_first = ARM64_PCI_INTX_SPI;
	pci->intx_lines = PCI_INTX_PINS;
}
