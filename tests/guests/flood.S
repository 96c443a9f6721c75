/* SPDX-License-Identifier: GPL-2.0 */
/*
 * flood: print without end. With nobody reading the VMM's stdout its
 * vCPU blocks in write(); a signal must still stop the VMM.
 */
#include "guest.h"

	.text
	.globl guest_main
guest_main:
	mov	$COM1_THR, %dx
	mov	$'y', %al
1:	outb	%al, %dx
	jmp	1b

	.section .note.GNU-stack, "", @progbits
