/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The x86_64 guest's fixed physical layout. The planner lays RAM into the
 * gaps; everything else is derived from these.
 *
 *  0x0000_0000 +---------------------------+
 *              | RAM (bank 0)              |  0x500 GDT, 0x7000 zero page,
 *              |                           |  0x9000 page tables, 0x20000 cmdline,
 *              |                           |  0x30000 more e820 (setup_data)
 *  0x0009_f000 +---------------------------+
 *              | EBDA (reserved)           |
 *  0x000a_0000 +---------------------------+
 *              | legacy VGA / option ROMs  |  zeroed memory, not in e820
 *  0x000e_0000 +---------------------------+
 *              | ACPI tables, MP table     |  firmware (memory, reserved)
 *  0x0010_0000 +---------------------------+
 *              | RAM (bank 1): kernel at   |
 *              | 1 MiB, initrd at the top  |
 *  0xc000_0000 +---------------------------+
 *              | PCI ECAM, buses 0-15      |
 *  0xc100_0000 | 32-bit PCI window         |
 *  0xfec0_0000 | IOAPIC                    |
 *  0xfee0_0000 | LAPIC / MSI doorbell      |
 *  0xfef0_0000 | KVM TSS, identity map     |
 *  0x1_0000_0000 +-------------------------+
 *              | RAM (bank 2) up to the    |
 *              | host's physical width     |
 *              +---------------------------+
 */
#ifndef SHAPEVM_X86_LAYOUT_H
#define SHAPEVM_X86_LAYOUT_H

#define X86_GDT_ADDR		0x500ULL
#define X86_ZERO_PAGE_ADDR	0x7000ULL
#define X86_BOOT_STACK_TOP	0x8ff0ULL
#define X86_PML4_ADDR		0x9000ULL	/* then PDPT and four PDs */
#define X86_CMDLINE_ADDR	0x20000ULL
#define X86_CMDLINE_MAX		0x10000ULL
/* e820 entries past the zero page's 128 (SETUP_E820_EXT), up to the EBDA. */
#define X86_SETUP_DATA_ADDR	0x30000ULL

#define X86_EBDA_START		0x9f000ULL
#define X86_LEGACY_START	0xa0000ULL
#define X86_BIOS_START		0xe0000ULL
#define X86_ACPI_ADDR		X86_BIOS_START	/* RSDP first: Linux scans for it */
#define X86_MPTABLE_ADDR	0xf0000ULL
#define X86_BIOS_END		0x100000ULL

#define X86_KERNEL_ADDR		0x100000ULL
#define X86_MMIO_HOLE_START	0xc0000000ULL
#define X86_PCI_ECAM_ADDR	X86_MMIO_HOLE_START
#define X86_PCI_ECAM_SIZE	0x1000000ULL	/* 1 MiB per bus */
#define X86_PCI_MMIO_START	(X86_PCI_ECAM_ADDR + X86_PCI_ECAM_SIZE)
/* PCI configuration mechanism #1: address at 0xcf8, data at 0xcfc. */
#define X86_PCI_CONFIG_PORT	0xcf8
#define X86_PCI_CONFIG_PORTS	8
/* Port window for I/O BARs, above the legacy ISA and PCI config ports. */
#define X86_PCI_IO_START	0xc000ULL
#define X86_PCI_IO_SIZE		0x4000ULL
#define X86_IOAPIC_ADDR		0xfec00000ULL
#define X86_LAPIC_ADDR		0xfee00000ULL
#define X86_MSI_END		0xfef00000ULL
#define X86_TSS_ADDR		0xfffbd000ULL	/* three pages, Intel only */
#define X86_IDENTITY_MAP_ADDR	0xfffbc000ULL

#define X86_COM1_PORT		0x3f8
#define X86_COM1_GSI		4
#define X86_RTC_PORT		0x70
#define X86_I8042_DATA_PORT	0x60
#define X86_I8042_CMD_PORT	0x64
/* ACPI hardware-reduced sleep control/status and reset registers. */
#define X86_PM_PORT		0x600
#define X86_PM_SLEEP_CONTROL	0x600
#define X86_PM_SLEEP_STATUS	0x601
#define X86_PM_RESET		0x602
#define X86_PM_RESET_VALUE	0x01
#define X86_PM_LEN		4

#define X86_IOAPIC_PINS		24
#define X86_NR_LEGACY_IRQS	16
/*
 * PCI INTx: the IOAPIC pins past the ISA IRQs (COM1 4, RTC 8, ...),
 * 16-23, level-triggered and active-low like every PCI line; eight of
 * them, so the first eight devices' INTA share nothing.
 */
#define X86_PCI_INTX_GSI	X86_NR_LEGACY_IRQS
#define X86_PCI_INTX_LINES	(X86_IOAPIC_PINS - X86_NR_LEGACY_IRQS)

#endif
