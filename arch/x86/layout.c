// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/ioctl.h>

#include "arch/x86/cpu.h"
#include "arch/x86/layout.h"
#include "vmm/arch.h"
#include "vmm/util.h"

static const struct plan_region x86_fixed[] = {
	{ X86_EBDA_START, X86_LEGACY_START - X86_EBDA_START, PLAN_FIRMWARE,
	  "ebda", "extended BIOS data area" },
	{ X86_LEGACY_START, X86_BIOS_START - X86_LEGACY_START, PLAN_LEGACY,
	  "legacy-vga", "VGA and option ROM window" },
	{ X86_BIOS_START, X86_BIOS_END - X86_BIOS_START, PLAN_FIRMWARE,
	  "bios", "ACPI and MP tables" },
	{ X86_MMIO_HOLE_START, X86_IOAPIC_ADDR - X86_MMIO_HOLE_START,
	  PLAN_MMIO_WINDOW, "pci-mmio32", "32-bit PCI BAR window" },
	{ X86_IOAPIC_ADDR, 0x1000, PLAN_DEVICE, "ioapic", "in-kernel IOAPIC" },
	{ X86_IOAPIC_ADDR + 0x1000, X86_LAPIC_ADDR - X86_IOAPIC_ADDR - 0x1000,
	  PLAN_RESERVED, "chipset", "chipset registers (unused)" },
	{ X86_LAPIC_ADDR, X86_MSI_END - X86_LAPIC_ADDR, PLAN_MSI,
	  "lapic-msi", "LAPIC and the architectural MSI doorbell" },
	{ X86_MSI_END, SZ_4G - X86_MSI_END, PLAN_RESERVED,
	  "firmware-top", "KVM TSS and identity map, BIOS flash" },
};

int arch_plan_constraints(int kvm_fd, struct plan_constraints *cons)
{
	unsigned int phys_bits = 36;

	/* KVM's CPUID says how wide guest-physical addresses may be. */
	if (kvm_fd >= 0)
		phys_bits = x86_cpu_phys_bits(kvm_fd);
	memset(cons, 0, sizeof(*cons));
	cons->arch = "x86_64";
	cons->ram_base = 0;
	cons->addr_limit = 1ULL << phys_bits;
	cons->fixed = x86_fixed;
	cons->nr_fixed = ARRAY_SIZE(x86_fixed);
	return 0;
}

void arch_console_uart(const struct vm *vm, struct arch_uart *uart)
{
	(void)vm;
	uart->port_io = true;
	uart->base = X86_COM1_PORT;
	uart->gsi = X86_COM1_GSI;
}
