/* SPDX-License-Identifier: GPL-2.0 */
/* crash: print a line, then triple-fault. */
#include "guest.h"

	.text
	.globl guest_main
guest_main:
	PUTS	"crash: triple faulting\n"
	jmp	machine_triple_fault

	.section .note.GNU-stack, "", @progbits
