/* SPDX-License-Identifier: GPL-2.0 */
/*
 * echo: copy COM1 input to COM1 output until a 'q' arrives, then power off.
 * The 'q' itself is not echoed.
 *
 * The UART is used as the VMM leaves it: resetting the FIFOs, as a full
 * driver would, could drop input the host queued before the guest started.
 */
#include "guest.h"

	.text
	.globl guest_main
guest_main:
	PUTS	"echo: ready\n"
1:	call	serial_getc
	cmp	$'q', %al
	je	2f
	mov	%eax, %edi
	call	serial_putc
	jmp	1b
2:	PUTS	"\necho: done\n"
	ret

	.section .note.GNU-stack, "", @progbits
