/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hello: the boot benchmark's guest.  Print one line and power off, with as
 * few exits as possible: no LSR polling, since the contract makes COM1
 * output synchronous (THRE is always set), so each byte is one exit.
 *
 * bench/boot-micro also boots it under QEMU microvm, whose firmware enters
 * the real-mode setup code instead of the 64-bit entry: setup_main prints
 * the same line from there and powers off through the same port (which
 * QEMU's isa-debug-exit device at 0x600 turns into an exit).
 */
#include "guest.h"

#define HELLO_LINE	"hello from shapevm\n"

	.text
	.globl guest_main
guest_main:
	lea	message(%rip), %rsi
	mov	$message_len, %ecx
	mov	$COM1_THR, %dx
1:	lodsb
	outb	%al, %dx
	loop	1b
	jmp	machine_poweroff

	.section .rodata
message:
	.ascii	HELLO_LINE
	message_len = . - message

	/*
	 * The real-mode path.  The protected-mode part sits at 1 MiB, out of
	 * reach here, so the line has its own copy in the setup part.  As in
	 * Linux, DS is the setup segment at entry, and .setup is linked at 0,
	 * so a symbol's value is its offset from DS.  Other than Linux, which
	 * assumes nothing of the UART, poll THRE before each byte: QEMU's
	 * 16550 is not promised to be synchronous.
	 */
	.section .setup, "a"
	.code16
	.globl	setup_main
setup_main:
	cli
	cld
	mov	$setup_message, %si
	mov	$setup_message_len, %cx
1:	mov	$COM1_LSR, %dx
2:	inb	%dx, %al
	test	$LSR_THRE, %al
	jz	2b
	lodsb
	mov	$COM1_THR, %dx
	outb	%al, %dx
	loop	1b
	mov	$ACPI_SLEEP_CONTROL, %dx
	mov	$ACPI_POWEROFF, %al
	outb	%al, %dx
3:	hlt
	jmp	3b

setup_message:
	.ascii	HELLO_LINE
	setup_message_len = . - setup_message
	.code64

	.section .note.GNU-stack, "", @progbits
