/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Serial output and ways to end a test guest.
 *
 * Calling convention: SysV x86_64 (arguments in %rdi, %rsi; %rbx, %rbp and
 * %r12-%r15 preserved), so the guests can call these like C functions.
 */
#include "guest.h"

	.text

/* serial_putc(c): wait until the transmitter takes a byte, as 8250 drivers do. */
	.globl serial_putc
serial_putc:
	mov	$COM1_LSR, %dx
1:	inb	%dx, %al
	test	$LSR_THRE, %al
	jz	1b
	mov	%edi, %eax
	mov	$COM1_THR, %dx
	outb	%al, %dx
	ret

/* serial_getc(): wait for a received byte and return it. */
	.globl serial_getc
serial_getc:
	mov	$COM1_LSR, %dx
1:	inb	%dx, %al
	test	$LSR_DR, %al
	jz	1b
	mov	$COM1_RBR, %dx
	xor	%eax, %eax
	inb	%dx, %al
	ret

/* serial_puts(s): print a NUL-terminated string. */
	.globl serial_puts
serial_puts:
	push	%rbx
	mov	%rdi, %rbx
1:	movzbl	(%rbx), %edi
	test	%edi, %edi
	jz	2f
	call	serial_putc
	inc	%rbx
	jmp	1b
2:	pop	%rbx
	ret

/*
 * serial_put_uint(value, base): print an unsigned 64-bit value in base 2..16,
 * digits built backwards in a buffer on the stack.
 */
	.globl serial_put_uint
serial_put_uint:
	sub	$40, %rsp		/* 20 decimal digits fit, with room */
	lea	32(%rsp), %r8
	movb	$0, (%r8)
	mov	%rdi, %rax
	mov	%rsi, %rcx
	lea	digits(%rip), %r9
1:	xor	%edx, %edx
	div	%rcx
	movzbl	(%r9, %rdx), %edx
	dec	%r8
	mov	%dl, (%r8)
	test	%rax, %rax
	jnz	1b
	mov	%r8, %rdi
	call	serial_puts
	add	$40, %rsp
	ret

/* serial_put_hex(value): "0x" and lower-case digits, no leading zeros. */
	.globl serial_put_hex
serial_put_hex:
	push	%rbx
	mov	%rdi, %rbx
	PUTS	"0x"
	mov	%rbx, %rdi
	mov	$16, %esi
	call	serial_put_uint
	pop	%rbx
	ret

/* serial_put_dec(value) */
	.globl serial_put_dec
serial_put_dec:
	mov	$10, %esi
	jmp	serial_put_uint

/*
 * The three ways a guest ends.  Each spins if the VMM lets the vCPU run on,
 * so a VMM that misses the event shows up as a hang, not as another status.
 */
	.globl machine_poweroff
machine_poweroff:
	mov	$ACPI_SLEEP_CONTROL, %dx
	mov	$ACPI_POWEROFF, %al
	outb	%al, %dx
1:	jmp	1b

	.globl machine_reset
machine_reset:
	mov	$I8042_COMMAND, %dx
	mov	$I8042_PULSE_RESET, %al
	outb	%al, %dx
1:	jmp	1b

/*
 * With a zero-limit IDT, the #UD from ud2 cannot be delivered (#GP), nor
 * can that (#DF), nor that: the CPU shuts down.
 */
	.globl machine_triple_fault
machine_triple_fault:
	lidt	null_idt(%rip)
	ud2
1:	jmp	1b

	.section .rodata
digits:
	.ascii	"0123456789abcdef"
	.balign 2
null_idt:
	.word	0
	.quad	0

	.section .note.GNU-stack, "", @progbits
