/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Constants and assembler helpers shared by the shapevm test guests.
 *
 * The guests are tiny x86_64 programs packaged as bzImages. They talk to the
 * host only through the devices docs/contracts.md promises: COM1, the ACPI
 * sleep control register and the i8042 reset line.
 */
#ifndef GUEST_H
#define GUEST_H

/* COM1, a 16550A. */
#define COM1_BASE		0x3f8
#define COM1_THR		(COM1_BASE + 0)	/* write: transmit holding */
#define COM1_RBR		(COM1_BASE + 0)	/* read: receive buffer */
#define COM1_LSR		(COM1_BASE + 5)	/* line status */
#define LSR_DR			0x01	/* data ready in RBR */
#define LSR_THRE		0x20	/* THR empty: may write */

/* ACPI hardware-reduced sleep control register: S5 powers the guest off. */
#define ACPI_SLEEP_CONTROL	0x600
#define ACPI_SLP_TYP_S5		5
#define ACPI_SLP_EN		0x20
#define ACPI_POWEROFF		((ACPI_SLP_TYP_S5 << 2) | ACPI_SLP_EN)

/* i8042 command port: 0xfe pulses the CPU reset line. */
#define I8042_COMMAND		0x64
#define I8042_PULSE_RESET	0xfe

/* Setup header (Documentation/arch/x86/boot.rst). */
#define BOOT_PROTOCOL		0x020f
#define LOADED_HIGH		0x01
#define XLF_KERNEL_64		0x01
#define KERNEL_LOAD_ADDR	0x100000
#define KERNEL_ALIGNMENT	0x200000
#define INITRD_ADDR_MAX		0x7fffffff
#define CMDLINE_SIZE		2047

/* struct boot_params (Documentation/arch/x86/zero-page.rst). */
#define BP_ACPI_RSDP_ADDR	0x070
#define BP_EXT_RAMDISK_IMAGE	0x0c0
#define BP_EXT_RAMDISK_SIZE	0x0c4
#define BP_EXT_CMD_LINE_PTR	0x0c8
#define BP_E820_ENTRIES		0x1e8
#define BP_HEADER_MAGIC		0x202
#define BP_VERSION		0x206
#define BP_TYPE_OF_LOADER	0x210
#define BP_RAMDISK_IMAGE	0x218
#define BP_RAMDISK_SIZE		0x21c
#define BP_CMD_LINE_PTR		0x228
#define BP_E820_TABLE		0x2d0
#define E820_ENTRY_SIZE		20	/* u64 addr, u64 size, u32 type */
#define E820_MAX_ENTRIES	128	/* room in the zero page */

#define STACK_SIZE		4096

#ifdef __ASSEMBLER__

/*
 * Print a string literal: the string goes to .rodata, so code stays short.
 * Clobbers what a SysV call may clobber.
 */
.macro PUTS s
	.pushsection .rodata.str, "aMS", @progbits, 1
.Lputs_str\@:
	.asciz "\s"
	.popsection
	lea	.Lputs_str\@(%rip), %rdi
	call	serial_puts
.endm

/* Print one character. */
.macro PUTC c
	mov	$\c, %edi
	call	serial_putc
.endm

/* Print a value (any operand movq accepts) in hex with 0x, or in decimal. */
.macro PUT_HEX v
	movq	\v, %rdi
	call	serial_put_hex
.endm

.macro PUT_DEC v
	movq	\v, %rdi
	call	serial_put_dec
.endm

#endif /* __ASSEMBLER__ */
#endif /* GUEST_H */
