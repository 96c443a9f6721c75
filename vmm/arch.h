/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What each architecture (arch/x86, arch/arm64) implements. Core code calls
 * these and never tests which architecture it was built for.
 */
#ifndef SHAPEVM_ARCH_H
#define SHAPEVM_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/memplan.h"

struct vm;
struct vcpu;

/* Where the console UART sits and which interrupt line it raises. */
struct arch_uart {
	bool port_io;		/* I/O port space (x86) or MMIO */
	uint64_t base;
	unsigned int gsi;
};

/* "x86_64" or "arm64": the architecture this shapevm runs guests of. */
const char *arch_name(void);
/*
 * The guest physical address width KVM allows (x86: CPUID phys-bits; arm64:
 * KVM_CAP_ARM_VM_IPA_SIZE), or 0 when unknown. kvm_fd may be -1.
 */
unsigned int arch_host_addr_bits(int kvm_fd);

/*
 * KVM capabilities the architecture needs, checked before anything is
 * built; also settles what the plan depends on (arm64: vm->irqchip).
 */
int arch_check_host(struct vm *vm);
/* KVM_CREATE_VM's machine type for this plan (arm64: the IPA size). */
unsigned long arch_vm_type(const struct vm *vm);
/* After KVM_CREATE_VM, before memory and vCPUs: irqchip, timers. */
int arch_vm_setup(struct vm *vm);
/* Per vCPU, right after KVM_CREATE_VCPU: CPU model, registers of the boot vCPU. */
int arch_vcpu_setup(struct vcpu *vcpu);
/* Kernel, initrd and command line into guest memory; sets vm->entry_*. */
int arch_kernel_load(struct vm *vm);
/*
 * Tables that describe the machine to the guest (e820/MP/ACPI, or the FDT),
 * once the vCPUs exist (devices come after): arm64 finishes its GIC here
 * and reads the vCPUs' MPIDRs for the device tree.
 */
int arch_machine_describe(struct vm *vm);
/* Platform devices every guest of this arch has (reset, power-off). */
int arch_devices_setup(struct vm *vm);
void arch_console_uart(const struct vm *vm, struct arch_uart *uart);

/* How the guest reaches PCI config space, and the port window for I/O BARs. */
struct arch_pci {
	bool port_io_config;	/* 0xCF8/0xCFC (x86); ECAM always */
	uint64_t io_start;
	uint64_t io_size;	/* 0: no I/O BARs */
	/*
	 * Where INTx pins go: lines intx_first to intx_first + intx_lines - 1
	 * (x86: IOAPIC GSIs; arm64: SPIs), by pci_intx_swizzle, as the
	 * machine description (ACPI _PRT and MP table, or the device tree's
	 * interrupt-map) tells the guest. intx_lines 0: no INTx.
	 */
	unsigned int intx_first;
	unsigned int intx_lines;
};
void arch_pci_info(struct arch_pci *pci);

/* Exits only this architecture knows; returns true if handled. */
bool arch_vcpu_handle_exit(struct vcpu *vcpu);
/* Key registers as text, so a crash report says where the guest was. */
void arch_vcpu_describe(struct vcpu *vcpu, char *buf, size_t len);

#endif
