// SPDX-License-Identifier: GPL-2.0
/*
 * The GICv2m MSI frame: three registers, but guest-controlled data on an
 * MMIO path and an SPI number handed to KVM, so every write is range
 * checked here and the callback only ever sees the frame's own INTIDs.
 */
#include <errno.h>
#include <string.h>

#include "arch/arm64/gicv2m.h"
#include "vmm/le.h"

#define TYPER_BASE_SHIFT	16
#define TYPER_FIELD_MASK	0x3ffU

int gicv2m_init(struct gicv2m *v2m, uint64_t base, uint32_t spi_base,
		uint32_t nr_spis, gicv2m_raise_fn raise, void *opaque)
{
	uint64_t last = (uint64_t)GICV2M_FIRST_SPI_INTID + spi_base + nr_spis - 1;

	if (!nr_spis || !raise || last > GICV2M_LAST_SPI_INTID ||
	    base & (GICV2M_FRAME_SIZE - 1))
		return -EINVAL;
	memset(v2m, 0, sizeof(*v2m));
	v2m->base = base;
	v2m->spi_base = spi_base;
	v2m->nr_spis = nr_spis;
	v2m->raise = raise;
	v2m->opaque = opaque;
	return 0;
}

uint32_t gicv2m_first_intid(const struct gicv2m *v2m)
{
	return GICV2M_FIRST_SPI_INTID + v2m->spi_base;
}

static bool intid_in_frame(const struct gicv2m *v2m, uint32_t intid)
{
	uint32_t first = gicv2m_first_intid(v2m);

	return intid >= first && intid - first < v2m->nr_spis;
}

/* The 32-bit register at a 4-byte aligned offset; SETSPI_NS reads as 0. */
static uint32_t register_value(const struct gicv2m *v2m, uint64_t offset)
{
	switch (offset) {
	case GICV2M_MSI_TYPER:
		/* Linux reads the base as an INTID and checks it is >= 32. */
		return (gicv2m_first_intid(v2m) & TYPER_FIELD_MASK) << TYPER_BASE_SHIFT |
		       (v2m->nr_spis & TYPER_FIELD_MASK);
	case GICV2M_MSI_IIDR:
		return GICV2M_IIDR_VALUE;
	default:
		return 0;
	}
}

void gicv2m_access(void *opaque, uint64_t offset, uint8_t *data,
		   unsigned int size, bool is_write)
{
	struct gicv2m *v2m = opaque;
	uint32_t intid;
	unsigned int i;

	if (is_write) {
		/* Only a whole 32-bit SETSPI_NS write of our INTID means anything. */
		if (offset != GICV2M_MSI_SETSPI_NS || size != 4)
			return;
		intid = get_le32(data);
		if (intid_in_frame(v2m, intid))
			v2m->raise(v2m->opaque, intid);
		return;
	}
	/* Byte by byte, so odd sizes and offsets read consistently, never past the frame. */
	for (i = 0; i < size; i++) {
		uint64_t byte = offset + i;

		if (byte < offset || byte >= GICV2M_FRAME_SIZE)
			data[i] = 0;
		else
			data[i] = register_value(v2m, byte & ~3ULL) >> (8 * (byte & 3));
	}
}

bool gicv2m_msi_to_intid(const struct gicv2m *v2m, uint64_t addr,
			 uint32_t data, uint32_t *intid)
{
	if (addr != v2m->base + GICV2M_MSI_SETSPI_NS || !intid_in_frame(v2m, data))
		return false;
	*intid = data;
	return true;
}
