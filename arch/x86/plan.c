// SPDX-License-Identifier: GPL-2.0
/*
 * The x86_64 planner constraints (see layout.h's map). Built into every
 * shapevm, whatever its arch, so plans for x86 hosts can be made anywhere.
 */
#include <string.h>

#include "arch/x86/layout.h"
#include "vmm/memplan.h"
#include "vmm/util.h"

/* QEMU and most firmware assume 40 bits when nothing better is known. */
#define X86_DEFAULT_PHYS_BITS	40

static const struct plan_region x86_fixed[] = {
	{ X86_EBDA_START, X86_LEGACY_START - X86_EBDA_START, PLAN_FIRMWARE,
	  "ebda", "extended BIOS data area" },
	{ X86_LEGACY_START, X86_BIOS_START - X86_LEGACY_START, PLAN_LEGACY,
	  "legacy-vga", "VGA and option ROM window" },
	{ X86_BIOS_START, X86_BIOS_END - X86_BIOS_START, PLAN_FIRMWARE,
	  "bios", "ACPI and MP tables" },
	{ X86_PCI_ECAM_ADDR, X86_PCI_ECAM_SIZE, PLAN_DEVICE,
	  "pci-ecam", "PCI config space (ECAM, MCFG), buses 0-15" },
	{ X86_PCI_MMIO_START, X86_IOAPIC_ADDR - X86_PCI_MMIO_START,
	  PLAN_MMIO_WINDOW, "pci-mmio32", "32-bit PCI BAR window" },
	{ X86_IOAPIC_ADDR, 0x1000, PLAN_DEVICE, "ioapic", "in-kernel IOAPIC" },
	{ X86_IOAPIC_ADDR + 0x1000, X86_LAPIC_ADDR - X86_IOAPIC_ADDR - 0x1000,
	  PLAN_RESERVED, "chipset", "chipset registers (unused)" },
	{ X86_LAPIC_ADDR, X86_MSI_END - X86_LAPIC_ADDR, PLAN_MSI,
	  "lapic-msi", "LAPIC and the architectural MSI doorbell" },
	{ X86_MSI_END, SZ_4G - X86_MSI_END, PLAN_RESERVED,
	  "firmware-top", "KVM TSS and identity map, BIOS flash" },
};

static uint64_t pow2_at_least(uint64_t v)
{
	uint64_t p = 1;

	while (p < v && p)
		p <<= 1;
	return p ? p : v;
}

int x86_plan_constraints(const struct plan_request *req, unsigned int addr_bits,
			 struct plan_constraints *cons)
{
	memset(cons, 0, sizeof(*cons));
	snprintf(cons->arch, sizeof(cons->arch), "x86_64");
	cons->ram_base = 0;
	if (addr_bits) {
		snprintf(cons->addr_why, sizeof(cons->addr_why),
			 "KVM's guest phys-bits %u", addr_bits);
	} else {
		addr_bits = X86_DEFAULT_PHYS_BITS;
		cons->addr_is_default = true;
		snprintf(cons->addr_why, sizeof(cons->addr_why),
			 "the default x86 phys-bits %u (no KVM or phys-bits line said)",
			 addr_bits);
	}
	cons->addr_limit = 1ULL << addr_bits;
	cons->fixed = x86_fixed;
	cons->nr_fixed = ARRAY_SIZE(x86_fixed);
	cons->doorbell_start = X86_LAPIC_ADDR;
	cons->doorbell_size = X86_MSI_END - X86_LAPIC_ADDR;
	cons->doorbell_where = "x86's architectural MSI window 0xfee00000-0xfeefffff";
	cons->required[cons->nr_required++] = (struct plan_required) {
		0, X86_EBDA_START, "zero page, page tables, command line" };
	cons->required[cons->nr_required++] = (struct plan_required) {
		X86_KERNEL_ADDR, X86_KERNEL_ADDR + SZ_1M, "the kernel's load address" };
	/*
	 * A 64-bit window above RAM, only when devices have 64-bit BARs; its
	 * alignment lets the largest BAR sit naturally aligned at its start.
	 */
	if (req && req->pci64_size) {
		uint64_t size = ALIGN_UP(req->pci64_size, SZ_1G);

		cons->frames[cons->nr_frames++] = (struct plan_frame) {
			.name = "pci-mmio64", .why = "64-bit PCI BAR window",
			.kind = PLAN_MMIO_WINDOW, .area = PLAN_AREA_ABOVE_RAM,
			.size = size, .align = MAX(SZ_1G, MIN(pow2_at_least(size), 1ULL << 40)),
			.dma_target = true,
		};
	}
	return 0;
}
