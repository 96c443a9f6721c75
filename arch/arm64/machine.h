/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What arch/arm64 keeps about one VM between its steps (vm->arch), and the
 * interrupt numbers it hands out. SPIs are numbered from 0 here, as in the
 * device tree's interrupts cells; the GIC's INTID is 32 more.
 */
#ifndef SHAPEVM_ARM64_MACHINE_H
#define SHAPEVM_ARM64_MACHINE_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/arm64/gicv2m.h"
#include "vmm/vm.h"

struct vcpu;

#define ARM64_NR_IRQS		256	/* INTIDs the distributor has: SGIs, PPIs, SPIs */
#define ARM64_UART_SPI		1
#define ARM64_PCI_INTX_SPI	4	/* INTA..INTD: 4-7 */
#define ARM64_V2M_SPI_BASE	64	/* the GICv2m frame's SPIs: 64-191 */
#define ARM64_V2M_NR_SPIS	128
#define ARM64_MAX_GSI		1023

struct arm64_machine {
	/* What this host's KVM offers (arch_check_host). */
	bool have_v2, have_v3, have_its;
	unsigned int max_ipa_bits;	/* 0: KVM_CAP_ARM_VM_IPA_SIZE absent */

	int gic_fd;
	int its_fd;
	struct gicv2m v2m;
	bool v2m_on;

	/* Where arch_kernel_load put things, for the device tree. */
	uint64_t kernel_addr, kernel_end;
	uint64_t initrd_addr, initrd_size;
	uint64_t fdt_addr;
};

/* gic.c */
int arm64_gic_probe(struct vm *vm, struct arm64_machine *m);
int arm64_gic_finalize(struct vm *vm);
bool arm64_irqchip_is_v3(int irqchip);
/* vcpu.c */
int arm64_vcpu_mpidr(struct vcpu *vcpu, uint64_t *mpidr);

static inline struct arm64_machine *arm64_machine(const struct vm *vm)
{
	return vm->arch;
}

#endif
