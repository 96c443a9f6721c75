/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pio: port I/O of each width to a port no device claims, a string write to
 * COM1, and MMIO to an unclaimed address in the 32-bit MMIO hole.  The VMM
 * must survive all of it; the host test checks what the reads returned.
 */
#include "guest.h"

#define UNASSIGNED_PORT		0x510
#define UNASSIGNED_MMIO		0xd0000000	/* in the PCI window, no BAR */
#define PATTERN			0x5a5a5a5a

	.text
	.globl guest_main
guest_main:
	push	%rbx
	push	%r12
	PUTS	"pio: start\n"

	mov	$UNASSIGNED_PORT, %dx
	mov	$PATTERN, %eax
	outb	%al, %dx
	outw	%ax, %dx
	outl	%eax, %dx
	PUTS	"pio: out8 out16 out32 done\n"

	/* Reads from nothing see a floating bus: all ones. */
	mov	$UNASSIGNED_PORT, %dx
	xor	%eax, %eax
	inb	%dx, %al
	mov	%rax, %rbx
	PUTS	"pio: in8="
	PUT_HEX	%rbx
	mov	$UNASSIGNED_PORT, %dx
	xor	%eax, %eax
	inw	%dx, %ax
	mov	%rax, %rbx
	PUTS	" in16="
	PUT_HEX	%rbx
	mov	$UNASSIGNED_PORT, %dx
	inl	%dx, %eax
	mov	%rax, %rbx
	PUTS	" in32="
	PUT_HEX	%rbx
	PUTC	'\n'

	/* The CMOS RTC: register A (never "update in progress"), the century. */
	mov	$0x0a, %al
	outb	%al, $0x70
	xor	%eax, %eax
	inb	$0x71, %al
	mov	%rax, %rbx
	PUTS	"rtc: rega="
	PUT_HEX	%rbx
	mov	$0x32, %al
	outb	%al, $0x70
	xor	%eax, %eax
	inb	$0x71, %al
	mov	%rax, %rbx
	PUTS	" century="
	PUT_HEX	%rbx
	PUTC	'\n'

	/*
	 * Port 0x61 is the in-kernel PIT's speaker gate: never 0xff while a
	 * PIT exists (bits 6-7 read 0), all ones when there is none.
	 */
	xor	%eax, %eax
	inb	$0x61, %al
	mov	%rax, %rbx
	PUTS	"pit: port61="
	PUT_HEX	%rbx
	PUTC	'\n'

	/* A string instruction: one exit carries several bytes, or several exits. */
	lea	outs_message(%rip), %rsi
	mov	$outs_message_len, %ecx
	mov	$COM1_THR, %dx
	rep outsb

	mov	$UNASSIGNED_MMIO, %ebx
	movzbl	(%rbx), %r12d
	PUTS	"mmio: read8="
	PUT_HEX	%r12
	movzwl	(%rbx), %r12d
	PUTS	" read16="
	PUT_HEX	%r12
	movl	(%rbx), %r12d
	PUTS	" read32="
	PUT_HEX	%r12
	movq	(%rbx), %r12
	PUTS	" read64="
	PUT_HEX	%r12
	PUTC	'\n'

	/* A write must go nowhere: reading back must not give the pattern. */
	movl	$PATTERN, (%rbx)
	movl	(%rbx), %r12d
	PUTS	"mmio: after-write32="
	PUT_HEX	%r12
	PUTC	'\n'

	PUTS	"pio: done\n"
	pop	%r12
	pop	%rbx
	ret

	.section .rodata
outs_message:
	.ascii	"pio: rep outsb ok\n"
	outs_message_len = . - outs_message

	.section .note.GNU-stack, "", @progbits
