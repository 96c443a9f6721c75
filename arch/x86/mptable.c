// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "arch/x86/layout.h"
#include "arch/x86/mptable.h"
#include "devices/pci.h"
#include "vmm/le.h"

#define MP_FLOATING_SIZE	16
#define MP_HEADER_SIZE		44
#define MP_CPU_SIZE		20
#define MP_ENTRY_SIZE		8
#define MP_SPEC_REV		4

enum { MP_CPU, MP_BUS, MP_IOAPIC, MP_IOINT, MP_LOCALINT };
enum { MP_INT = 0, MP_NMI = 1, MP_EXTINT = 3 };

/* I/O interrupt flags: polarity in bits 0-1, trigger mode in bits 2-3. */
#define MP_IRQ_CONFORMS		0x0
#define MP_IRQ_ACTIVE_LOW	0x3
#define MP_IRQ_LEVEL		(0x3 << 2)

#define MP_CPU_ENABLED		0x1
#define MP_CPU_BSP		0x2
#define LAPIC_VERSION		0x14
#define IOAPIC_VERSION		0x11

static bool has_pci(const struct mptable_pci *pci)
{
	return pci && pci->nr_lines;
}

/* The 8-byte entries after the CPUs. */
static size_t mptable_short_entries(const struct mptable_pci *pci)
{
	/* The ISA bus, the IOAPIC, 16 ISA interrupts, two local lines. */
	size_t n = 1 + 1 + X86_NR_LEGACY_IRQS + 2;

	/* The PCI bus, and each slot's four pins. */
	if (has_pci(pci))
		n += 1 + MPTABLE_PCI_SLOTS * PCI_INTX_PINS;
	return n;
}

size_t mptable_size(unsigned int nr_cpus, const struct mptable_pci *pci)
{
	return MP_FLOATING_SIZE + MP_HEADER_SIZE + nr_cpus * MP_CPU_SIZE +
	       mptable_short_entries(pci) * MP_ENTRY_SIZE;
}

static uint8_t *put_intsrc(uint8_t *p, uint8_t entry_type, uint8_t int_type,
			   uint16_t flags, uint8_t bus, uint8_t bus_irq,
			   uint8_t dest_id, uint8_t dest_pin)
{
	p[0] = entry_type;
	p[1] = int_type;
	put_le16(p + 2, flags);
	p[4] = bus;
	p[5] = bus_irq;
	p[6] = dest_id;
	p[7] = dest_pin;
	return p + MP_ENTRY_SIZE;
}

static uint8_t *put_bus(uint8_t *p, uint8_t id, const char type[6])
{
	p[0] = MP_BUS;
	p[1] = id;
	memcpy(p + 2, type, 6);
	return p + MP_ENTRY_SIZE;
}

/*
 * A PCI interrupt's source IRQ is the device number and the pin (0 =
 * INTA) (MP 1.4, D.3); PCI lines are level-triggered and active-low.
 */
static uint8_t *put_pci_intsrcs(uint8_t *p, const struct mptable_pci *pci,
				uint8_t ioapic_id)
{
	for (unsigned int slot = 0; slot < MPTABLE_PCI_SLOTS; slot++)
		for (unsigned int pin = 1; pin <= PCI_INTX_PINS; pin++)
			p = put_intsrc(p, MP_IOINT, MP_INT, MP_IRQ_ACTIVE_LOW | MP_IRQ_LEVEL,
				       MPTABLE_PCI_BUS, slot << 2 | (pin - 1), ioapic_id,
				       pci->first_gsi +
				       pci_intx_swizzle(slot, pin, pci->nr_lines));
	return p;
}

int mptable_build(uint8_t *buf, size_t len, uint64_t gpa, unsigned int nr_cpus,
		  uint32_t ioapic_addr, uint32_t lapic_addr,
		  const struct mptable_pci *pci)
{
	uint8_t *fp = buf, *hdr = buf + MP_FLOATING_SIZE, *p;
	uint8_t ioapic_id = nr_cpus;

	if (!nr_cpus || nr_cpus > MPTABLE_MAX_CPUS)
		return -EINVAL;
	if (has_pci(pci) && (pci->first_gsi >= X86_IOAPIC_PINS ||
			     pci->nr_lines > X86_IOAPIC_PINS - pci->first_gsi))
		return -EINVAL;
	if (len < mptable_size(nr_cpus, pci))
		return -ENOSPC;
	memset(buf, 0, mptable_size(nr_cpus, pci));

	p = hdr + MP_HEADER_SIZE;
	for (unsigned int cpu = 0; cpu < nr_cpus; cpu++) {
		p[0] = MP_CPU;
		p[1] = cpu;
		p[2] = LAPIC_VERSION;
		p[3] = MP_CPU_ENABLED | (cpu == 0 ? MP_CPU_BSP : 0);
		put_le32(p + 4, 0x600);	/* family 6: a plausible signature */
		put_le32(p + 8, 0x201);	/* FPU, APIC */
		p += MP_CPU_SIZE;
	}
	/* Buses in ID order (MP 1.4, 4.3.2). */
	if (has_pci(pci))
		p = put_bus(p, MPTABLE_PCI_BUS, "PCI   ");
	p = put_bus(p, MPTABLE_ISA_BUS, "ISA   ");
	p[0] = MP_IOAPIC;
	p[1] = ioapic_id;
	p[2] = IOAPIC_VERSION;
	p[3] = 1;
	put_le32(p + 4, ioapic_addr);
	p += MP_ENTRY_SIZE;
	/*
	 * ISA IRQ n is IOAPIC pin n, matching KVM's default GSI routes;
	 * polarity and trigger conform to the ISA bus (edge, active-high).
	 */
	for (unsigned int irq = 0; irq < X86_NR_LEGACY_IRQS; irq++)
		p = put_intsrc(p, MP_IOINT, MP_INT, MP_IRQ_CONFORMS, MPTABLE_ISA_BUS, irq,
			       ioapic_id, irq);
	if (has_pci(pci))
		p = put_pci_intsrcs(p, pci, ioapic_id);
	p = put_intsrc(p, MP_LOCALINT, MP_EXTINT, MP_IRQ_CONFORMS, MPTABLE_ISA_BUS, 0, 0xff, 0);
	p = put_intsrc(p, MP_LOCALINT, MP_NMI, MP_IRQ_CONFORMS, MPTABLE_ISA_BUS, 0, 0xff, 1);

	memcpy(hdr, "PCMP", 4);
	put_le16(hdr + 4, p - hdr);
	hdr[6] = MP_SPEC_REV;
	memcpy(hdr + 8, "SHAPEVM ", 8);
	memcpy(hdr + 16, "SHAPEVM-X86 ", 12);
	put_le16(hdr + 34, nr_cpus + mptable_short_entries(pci));
	put_le32(hdr + 36, lapic_addr);
	hdr[7] = table_checksum(hdr, p - hdr);

	memcpy(fp, "_MP_", 4);
	put_le32(fp + 4, gpa + MP_FLOATING_SIZE);
	fp[8] = 1;		/* length in 16-byte units */
	fp[9] = MP_SPEC_REV;
	fp[10] = table_checksum(fp, MP_FLOATING_SIZE);
	return 0;
}
