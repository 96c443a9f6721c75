/* SPDX-License-Identifier: GPL-2.0 */
/*
 * spin: print a line, then loop forever in the guest, never exiting to the
 * VMM, so only a signal to the VMM can end it.
 */
#include "guest.h"

	.text
	.globl guest_main
guest_main:
	PUTS	"spin: spinning forever\n"
1:	jmp	1b

	.section .note.GNU-stack, "", @progbits
