/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bzImage framing shared by every test guest.
 *
 * The file is a setup part (boot sector plus one setup sector holding the
 * real setup header) followed by the protected-mode part, which the loader
 * puts at 0x100000.  As in Linux, the 32-bit entry sits at its start and the
 * 64-bit entry 0x200 bytes in, so a loader that follows the boot protocol
 * enters startup_64 at 0x100200.  The sizes in the header come from the
 * linker script (guest.lds).
 */
#include "guest.h"

/*
 * Fail the build if a setup header field is not where the boot protocol
 * puts it: loaders read these at fixed offsets.
 */
.macro AT offset
	.if . - boot_sector - \offset
	.error "setup header field at the wrong offset"
	.endif
.endm

	.section .setup, "a"
	.code16
boot_sector:
	/*
	 * No loader boots from this sector any more; leave it empty.  A .fill,
	 * not a .org, keeps the offsets below assemble-time constants.
	 */
	.fill 0x1f1, 1, 0

	AT 0x1f1
setup_sects:		.byte __setup_sects
root_flags:		.word 0
syssize:		.long __syssize
ram_size:		.word 0
vid_mode:		.word 0xffff		/* NORMAL_VGA */
root_dev:		.word 0
boot_flag:		.word 0xaa55
	AT 0x200
	/* The real-mode entry: a short jump over the header. */
			.byte 0xeb, start_of_setup - 1f
1:
	AT 0x202
header:			.ascii "HdrS"
version:		.word BOOT_PROTOCOL
realmode_swtch:		.long 0
start_sys_seg:		.word 0x1000		/* obsolete, as Linux */
kernel_version:		.word kernel_version_string - 0x200
	AT 0x210
type_of_loader:		.byte 0
loadflags:		.byte LOADED_HIGH
setup_move_size:	.word 0x8000
code32_start:		.long KERNEL_LOAD_ADDR
ramdisk_image:		.long 0
ramdisk_size:		.long 0
bootsect_kludge:	.long 0
heap_end_ptr:		.word 0
ext_loader_ver:		.byte 0
ext_loader_type:	.byte 0
	AT 0x228
cmd_line_ptr:		.long 0
initrd_addr_max:	.long INITRD_ADDR_MAX
kernel_alignment:	.long KERNEL_ALIGNMENT
relocatable_kernel:	.byte 0
min_alignment:		.byte 21		/* log2 of 2 MiB */
	AT 0x236
xloadflags:		.word XLF_KERNEL_64
cmdline_size:		.long CMDLINE_SIZE
hardware_subarch:	.long 0
hardware_subarch_data:	.quad 0
payload_offset:		.long 0
payload_length:		.long 0
setup_data:		.quad 0
pref_address:		.quad KERNEL_LOAD_ADDR
	AT 0x260
init_size:		.long __init_size
handover_offset:	.long 0
kernel_info_offset:	.long __kernel_info_offset
	AT 0x26c

start_of_setup:
	jmp	setup_main

	/*
	 * The contract is the 64-bit entry; shapevm never runs this code.
	 * Loaders that do (QEMU's firmware enters here in real mode, with
	 * CS = setup segment + 0x20 and DS = ES = SS = setup segment) get a
	 * CPU that stops here, not garbage, unless the guest defines its own
	 * setup_main: 16-bit code in .setup (see hello.S).
	 */
	.weak	setup_main
setup_main:
	cli
2:	hlt
	jmp	2b

kernel_version_string:
	.asciz "shapevm test guest"

	.section .head.text, "ax"
	.code32
	.globl startup_32
startup_32:
	/*
	 * A loader that enters at 0x100000 instead of 0x100200 lands on
	 * ud2s: with no usable IDT that triple-faults at once, which the test
	 * sees as a crash rather than a hang.
	 */
	.fill 0x100, 2, 0x0b0f

	.code64
	.org 0x200
	.globl startup_64
startup_64:
	/*
	 * Nothing here may change the flags before they are saved: bootinfo
	 * reports RFLAGS as the VMM set it.  Linux gives the kernel no stack,
	 * so take our own before the first push.
	 */
	movq	%rsi, boot_rsi(%rip)
	lea	stack_top(%rip), %rsp
	pushfq
	popq	boot_rflags(%rip)
	movw	%cs, boot_cs(%rip)
	movw	%ds, boot_ds(%rip)
	movw	%es, boot_es(%rip)
	movw	%ss, boot_ss(%rip)
	cld
	call	guest_main
	jmp	machine_poweroff

	/*
	 * The entry state, as data rather than bss: the loader copies only
	 * the file, and nothing may rely on the rest of RAM being zero.
	 */
	.data
	.balign 8
	.globl boot_rsi, boot_rflags, boot_cs, boot_ds, boot_es, boot_ss
boot_rsi:	.quad 0
boot_rflags:	.quad 0
boot_cs:	.word 0
boot_ds:	.word 0
boot_es:	.word 0
boot_ss:	.word 0

	/*
	 * Protocol 2.15 points to this from the header.  No setup_data
	 * type is understood, hence setup_type_max 0 (SETUP_NONE).
	 */
	.section .rodata
	.balign 4
	.globl kernel_info
kernel_info:
	.ascii	"LToP"
	.long	kernel_info_end - kernel_info	/* size */
	.long	kernel_info_end - kernel_info	/* size_total */
	.long	0				/* setup_type_max */
kernel_info_end:

	.bss
	.balign 16
stack:
	.skip STACK_SIZE
stack_top:

	.section .note.GNU-stack, "", @progbits
