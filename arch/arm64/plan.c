// SPDX-License-Identifier: GPL-2.0
/*
 * The arm64 planner constraints. Nothing is architectural here: the
 * platform frames have preferred addresses (layout.h) and the planner moves
 * them when the host says otherwise, the MSI frame first, onto the host's
 * msi window. Built into every shapevm, whatever its arch.
 */
#include <string.h>

#include "arch/arm64/layout.h"
#include "vmm/memplan.h"
#include "vmm/util.h"

#define ARM64_GIC_REDIST_PER_CPU	0x20000ULL	/* RD_base + SGI_base */
#define ARM64_GICV2_CPU_SIZE		0x2000ULL
#define ARM64_GICV2M_SIZE		0x1000ULL
#define ARM64_UART_SIZE			0x1000ULL
#define ARM64_PCI_MMIO_DEFAULT		0x10000000ULL	/* 256 MiB */

static void add_frame(struct plan_constraints *cons, const struct plan_frame *f)
{
	if (cons->nr_frames < PLAN_MAX_FRAMES)
		cons->frames[cons->nr_frames++] = *f;
}

int arm64_plan_constraints(const struct plan_request *req, unsigned int addr_bits,
			   struct plan_constraints *cons)
{
	enum plan_irqchip irqchip = req ? req->irqchip : PLAN_IRQCHIP_GICV3_ITS;
	unsigned int cpus = req && req->nr_cpus ? req->nr_cpus : 1;
	bool v3 = irqchip == PLAN_IRQCHIP_GICV3 || irqchip == PLAN_IRQCHIP_GICV3_ITS ||
		  irqchip == PLAN_IRQCHIP_GICV3_V2M;
	uint64_t pci32 = ARM64_PCI_MMIO_DEFAULT;

	memset(cons, 0, sizeof(*cons));
	snprintf(cons->arch, sizeof(cons->arch), "arm64");
	/* RAM starts at 1 GiB, never at 0: host msi windows and RMRs sit low. */
	cons->ram_base = ARM64_RAM_BASE;
	if (addr_bits) {
		snprintf(cons->addr_why, sizeof(cons->addr_why),
			 "KVM's IPA size %u bits", addr_bits);
	} else {
		addr_bits = ARM64_DEFAULT_IPA_BITS;
		cons->addr_is_default = true;
		snprintf(cons->addr_why, sizeof(cons->addr_why),
			 "the default arm64 IPA size %u bits (no KVM or phys-bits line said)",
			 addr_bits);
	}
	cons->addr_limit = 1ULL << addr_bits;
	cons->platform_start = ARM64_GIC_DIST_ADDR;
	cons->platform_end = ARM64_RAM_BASE;

	/* The MSI frame first: it is the one the host's msi window pulls. */
	if (irqchip == PLAN_IRQCHIP_GICV3_ITS)
		add_frame(cons, &(struct plan_frame) {
			.name = "gic-its", .why = "GICv3 ITS; its translater page is the MSI doorbell",
			.kind = PLAN_MSI, .size = ARM64_GIC_ITS_SIZE, .align = 0x10000,
			.preferred = ARM64_GIC_ITS_ADDR, .doorbell = true,
			.doorbell_offset = 0x10000, .doorbell_size = 0x10000 });
	else if (irqchip == PLAN_IRQCHIP_GICV2M || irqchip == PLAN_IRQCHIP_GICV3_V2M)
		add_frame(cons, &(struct plan_frame) {
			.name = "gicv2m", .why = "GICv2m MSI frame: the MSI doorbell",
			.kind = PLAN_MSI, .size = ARM64_GICV2M_SIZE, .align = 0x1000,
			.preferred = ARM64_GIC_ITS_ADDR, .doorbell = true,
			.doorbell_offset = 0, .doorbell_size = ARM64_GICV2M_SIZE });
	add_frame(cons, &(struct plan_frame) {
		.name = "gic-dist", .why = v3 ? "GICv3 distributor" : "GICv2 distributor",
		.kind = PLAN_DEVICE, .size = v3 ? ARM64_GIC_DIST_SIZE : 0x1000,
		.align = v3 ? 0x10000 : 0x1000, .preferred = ARM64_GIC_DIST_ADDR });
	if (v3)
		add_frame(cons, &(struct plan_frame) {
			.name = "gic-redist", .why = "GICv3 redistributors, 128K per vCPU",
			.kind = PLAN_DEVICE, .size = cpus * ARM64_GIC_REDIST_PER_CPU,
			.align = 0x10000, .preferred = ARM64_GIC_REDIST_ADDR });
	else
		add_frame(cons, &(struct plan_frame) {
			.name = "gic-cpu", .why = "GICv2 CPU interface",
			.kind = PLAN_DEVICE, .size = ARM64_GICV2_CPU_SIZE, .align = 0x1000,
			.preferred = ARM64_GIC_DIST_ADDR + 0x10000 });
	add_frame(cons, &(struct plan_frame) {
		.name = "uart", .why = "16550 console UART", .kind = PLAN_DEVICE,
		.size = ARM64_UART_SIZE, .align = 0x1000, .preferred = ARM64_UART_ADDR });
	add_frame(cons, &(struct plan_frame) {
		.name = "pci-ecam", .why = "PCI config space (ECAM), buses 0-15",
		.kind = PLAN_DEVICE, .size = ARM64_PCI_ECAM_SIZE,
		.align = ARM64_PCI_ECAM_SIZE, .preferred = ARM64_PCI_ECAM_ADDR });
	if (req && req->pci32_size > pci32)
		pci32 = ALIGN_UP(req->pci32_size, SZ_1M);
	add_frame(cons, &(struct plan_frame) {
		.name = "pci-mmio32", .why = "32-bit PCI BAR window",
		.kind = PLAN_MMIO_WINDOW, .size = pci32, .align = SZ_1M,
		.preferred = ARM64_PCI_MMIO_ADDR, .dma_target = true });
	if (req && req->pci64_size)
		add_frame(cons, &(struct plan_frame) {
			.name = "pci-mmio64", .why = "64-bit PCI BAR window",
			.kind = PLAN_MMIO_WINDOW, .area = PLAN_AREA_ABOVE_RAM,
			.size = ALIGN_UP(req->pci64_size, SZ_1G), .align = SZ_1G,
			.dma_target = true });
	return 0;
}
