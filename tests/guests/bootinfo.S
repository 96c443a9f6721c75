/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bootinfo: print what the VMM told the guest at entry, one fact a line, so
 * the host test can check it against what it asked for:
 *
 *   entry rsi=0x7000
 *   entry cs=0x10 ds=0x18 es=0x18 ss=0x18 rflags=0x2
 *   bootparams loader=0xff version=0x20f magic=0x53726448 cmdline_ptr=0x20000 rsdp=0xe0000
 *   cmdline=<text>                 (or "cmdline none" if cmd_line_ptr is 0)
 *   e820 ram=<RAM bytes, decimal> entries=<n>
 *   e820 <start> <end, exclusive> <type>     (hex, hex, decimal; n lines)
 *   initrd addr=0x.. size=<decimal> sum=<32-bit byte sum, hex>   (or "initrd none")
 *   bootinfo: done
 */
#include "guest.h"

#define FOUR_GIB	0x100000000

	.text
	.globl guest_main
guest_main:
	push	%rbx
	/* Everything below reads the zero page through %rbx. */
	mov	boot_rsi(%rip), %rbx
	call	print_entry
	/* The identity map covers 4 GiB only: do not fault on a bad pointer. */
	mov	$FOUR_GIB - 0x1000, %rax
	cmp	%rax, %rbx
	jb	1f
	PUTS	"bootparams unreachable\n"
	jmp	2f
1:	call	print_boot_params
	call	print_cmdline
	call	print_e820
	call	print_initrd
2:	PUTS	"bootinfo: done\n"
	pop	%rbx
	ret

print_entry:
	push	%r12
	PUTS	"entry rsi="
	PUT_HEX	boot_rsi(%rip)
	PUTS	"\nentry cs="
	movzwl	boot_cs(%rip), %r12d
	PUT_HEX	%r12
	PUTS	" ds="
	movzwl	boot_ds(%rip), %r12d
	PUT_HEX	%r12
	PUTS	" es="
	movzwl	boot_es(%rip), %r12d
	PUT_HEX	%r12
	PUTS	" ss="
	movzwl	boot_ss(%rip), %r12d
	PUT_HEX	%r12
	PUTS	" rflags="
	PUT_HEX	boot_rflags(%rip)
	PUTC	'\n'
	pop	%r12
	ret

print_boot_params:
	push	%r12
	PUTS	"bootparams loader="
	movzbl	BP_TYPE_OF_LOADER(%rbx), %r12d
	PUT_HEX	%r12
	PUTS	" version="
	movzwl	BP_VERSION(%rbx), %r12d
	PUT_HEX	%r12
	PUTS	" magic="
	movl	BP_HEADER_MAGIC(%rbx), %r12d
	PUT_HEX	%r12
	PUTS	" cmdline_ptr="
	movl	BP_CMD_LINE_PTR(%rbx), %r12d
	PUT_HEX	%r12
	PUTS	" rsdp="
	PUT_HEX	BP_ACPI_RSDP_ADDR(%rbx)
	PUTC	'\n'
	pop	%r12
	ret

/* Read a 64-bit address split over a 32-bit field and its ext_ high half. */
.macro LOAD_SPLIT64 low, high, reg, reg32
	movl	\high(%rbx), %eax
	shl	$32, %rax
	movl	\low(%rbx), \reg32
	or	%rax, \reg
.endm

print_cmdline:
	push	%r12
	push	%r13
	LOAD_SPLIT64 BP_CMD_LINE_PTR, BP_EXT_CMD_LINE_PTR, %r12, %r12d
	test	%r12, %r12
	jnz	1f
	PUTS	"cmdline none\n"
	jmp	3f
1:	PUTS	"cmdline="
	/* Stop at the size the header allows, NUL or not. */
	mov	$CMDLINE_SIZE, %r13d
2:	movzbl	(%r12), %edi
	test	%edi, %edi
	jz	4f
	call	serial_putc
	inc	%r12
	dec	%r13d
	jnz	2b
4:	PUTC	'\n'
3:	pop	%r13
	pop	%r12
	ret

print_e820:
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	movzbl	BP_E820_ENTRIES(%rbx), %r12d
	/* Print the count as given, but never read past the table. */
	mov	%r12d, %r13d
	cmp	$E820_MAX_ENTRIES, %r13d
	jbe	1f
	mov	$E820_MAX_ENTRIES, %r13d
1:	lea	BP_E820_TABLE(%rbx), %r14
	xor	%r15d, %r15d
	mov	%r13d, %ecx
	jecxz	4f
2:	cmpl	$1, 16(%r14)
	jne	3f
	add	8(%r14), %r15
3:	add	$E820_ENTRY_SIZE, %r14
	dec	%ecx
	jnz	2b
4:	PUTS	"e820 ram="
	PUT_DEC	%r15
	PUTS	" entries="
	PUT_DEC	%r12
	PUTC	'\n'

	lea	BP_E820_TABLE(%rbx), %r14
5:	test	%r13d, %r13d
	jz	6f
	PUTS	"e820 "
	PUT_HEX	(%r14)
	PUTC	' '
	mov	(%r14), %r15
	add	8(%r14), %r15
	PUT_HEX	%r15
	PUTC	' '
	movl	16(%r14), %r15d
	PUT_DEC	%r15
	PUTC	'\n'
	add	$E820_ENTRY_SIZE, %r14
	dec	%r13d
	jmp	5b
6:	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	ret

print_initrd:
	push	%r12
	push	%r13
	push	%r14
	LOAD_SPLIT64 BP_RAMDISK_IMAGE, BP_EXT_RAMDISK_IMAGE, %r12, %r12d
	LOAD_SPLIT64 BP_RAMDISK_SIZE, BP_EXT_RAMDISK_SIZE, %r13, %r13d
	mov	%r12, %rax
	or	%r13, %rax
	jnz	1f
	PUTS	"initrd none\n"
	jmp	9f
1:	PUTS	"initrd addr="
	PUT_HEX	%r12
	PUTS	" size="
	PUT_DEC	%r13
	PUTS	" sum="
	/* Only what the identity map covers can be read. */
	mov	%r12, %rax
	add	%r13, %rax
	jc	2f
	mov	$FOUR_GIB, %rcx
	cmp	%rcx, %rax
	jbe	3f
2:	PUTS	"unreachable\n"
	jmp	9f
3:	xor	%r14d, %r14d
	mov	%r12, %rsi
	mov	%r13, %rcx
	test	%rcx, %rcx
	jz	5f
4:	movzbl	(%rsi), %eax
	add	%eax, %r14d
	inc	%rsi
	dec	%rcx
	jnz	4b
5:	PUT_HEX	%r14
	PUTC	'\n'
9:	pop	%r14
	pop	%r13
	pop	%r12
	ret

	.section .note.GNU-stack, "", @progbits
