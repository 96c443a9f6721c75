/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hello: the boot benchmark's guest.  Print one line and power off, with as
 * few exits as possible: no LSR polling, since the contract makes COM1
 * output synchronous (THRE is always set), so each byte is one exit.
 */
#include "guest.h"

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
	.ascii	"hello from shapevm\n"
	message_len = . - message

	.section .note.GNU-stack, "", @progbits
