/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The arm64 guest's device tree, built from the plan: the guest learns its
 * RAM banks, GIC, MSI frame, UART and PCI windows from here alone, so every
 * address comes from the plan and none is a constant. Pure: builds into a
 * caller's buffer.
 */
#ifndef SHAPEVM_ARM64_FDT_H
#define SHAPEVM_ARM64_FDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/memplan.h"

/* Fixed phandles, so other nodes can refer to them before they exist. */
#define ARM64_FDT_PHANDLE_GIC	1
#define ARM64_FDT_PHANDLE_MSI	2

/*
 * From the plan, by name: RAM banks (PLAN_RAM), "gic-dist", "gic-redist"
 * (v3) or "gic-cpu" (v2), "gic-its" or "gicv2m" (PLAN_MSI), "uart",
 * "pci-ecam", and every "pci-mmio32*" and "pci-mmio64*" window
 * (PLAN_MMIO_WINDOW). SPI numbers are 0-based, as in an interrupts cell.
 */
struct arm64_fdt_desc {
	const struct vm_plan *plan;
	unsigned int nr_cpus;
	const uint64_t *mpidrs;		/* nr_cpus MPIDR_EL1 values (KVM's) */
	bool gic_v3;			/* else GICv2: at most 8 vCPUs */
	bool its;			/* GICv3 ITS; msi-map with RID = device ID */
	bool v2m;			/* GICv2m frame, under a v2 or v3 GIC */
	uint32_t v2m_spi_base;		/* first SPI of the v2m frame, 0-based */
	uint32_t v2m_nr_spis;
	uint32_t uart_spi;
	uint32_t pci_intx_spi;		/* INTA..INTD: this SPI and the 3 next */
	const char *bootargs;		/* NULL: none */
	uint64_t initrd_start, initrd_size;	/* size 0: no initrd */
};

/*
 * Writes the tree into buf (size bytes; the blob's fdt_totalsize() is what
 * to copy into the guest, at most 2 MiB). Returns 0, -EINVAL when the
 * description or the plan lacks something (err names it), -ENOSPC when
 * buf is too small.
 */
int arm64_fdt_build(const struct arm64_fdt_desc *desc, void *buf, size_t size,
		    char *err, size_t errlen);

#endif
