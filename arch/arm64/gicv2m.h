/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A GICv2m MSI frame emulated in userspace: KVM's vGIC has no v2m, and a
 * GICv2 (or a GICv3 without ITS) guest needs one for PCI MSIs. A device's
 * MSI is a 32-bit write of an SPI's INTID to MSI_SETSPI_NS; the frame turns
 * it into that SPI. Pure: raising the SPI is the caller's callback.
 */
#ifndef SHAPEVM_ARM64_GICV2M_H
#define SHAPEVM_ARM64_GICV2M_H

#include <stdbool.h>
#include <stdint.h>

#define GICV2M_FRAME_SIZE	0x1000ULL
#define GICV2M_MSI_TYPER	0x008
#define GICV2M_MSI_SETSPI_NS	0x040
#define GICV2M_MSI_IIDR		0xfcc
/*
 * IIDR: implementer ARM (JEP106 0x43b, as KVM's own vGIC reports), product
 * 0x53 ('S', shapevm), revision and variant 0. Not one of the IIDRs Linux
 * applies an MSI data quirk to (X-Gene 0x06000170, NS2 0x0000013f).
 */
#define GICV2M_IIDR_VALUE	0x0530043bU
#define GICV2M_FIRST_SPI_INTID	32
#define GICV2M_LAST_SPI_INTID	1019

/* intid: the SPI's GIC interrupt ID, 32 + the SPI's index. */
typedef void (*gicv2m_raise_fn)(void *opaque, uint32_t intid);

struct gicv2m {
	uint64_t base;		/* the frame's guest physical address */
	uint32_t spi_base;	/* first SPI, 0-based (the interrupts cell) */
	uint32_t nr_spis;
	gicv2m_raise_fn raise;
	void *opaque;
};

/*
 * SPIs spi_base .. spi_base + nr_spis - 1 (0-based) must be INTIDs 32..1019;
 * 0 or -EINVAL.
 */
int gicv2m_init(struct gicv2m *v2m, uint64_t base, uint32_t spi_base,
		uint32_t nr_spis, gicv2m_raise_fn raise, void *opaque);

/* The frame's first INTID: what MSI_TYPER and arm,msi-base-spi say. */
uint32_t gicv2m_first_intid(const struct gicv2m *v2m);

/*
 * A bus_access_fn (vmm/bus.h) for the 4 KiB frame; opaque is the struct
 * gicv2m. Any access is safe: what the frame does not define reads as 0
 * and is ignored when written.
 */
void gicv2m_access(void *opaque, uint64_t offset, uint8_t *data,
		   unsigned int size, bool is_write);

/*
 * Does the MSI (addr, data) a device writes hit this frame's SETSPI_NS
 * with one of its INTIDs? Then *intid says which (irq routing turns it
 * into SPI *intid - 32).
 */
bool gicv2m_msi_to_intid(const struct gicv2m *v2m, uint64_t addr,
			 uint32_t data, uint32_t *intid);

#endif
