/* SPDX-License-Identifier: GPL-2.0 */
/* reset: print a line, then pulse the reset line through the i8042. */
#include "guest.h"

	.text
	.globl guest_main
guest_main:
	PUTS	"reset: resetting through port 0x64\n"
	jmp	machine_reset

	.section .note.GNU-stack, "", @progbits
