/* SPDX-License-Identifier: GPL-2.0 */
/* Linux/x86 bzImage header checks (Documentation/arch/x86/boot.rst). Pure. */
#ifndef SHAPEVM_X86_BZIMAGE_H
#define SHAPEVM_X86_BZIMAGE_H

#include <stddef.h>
#include <stdint.h>

#define BZIMAGE_MIN_VERSION	0x020c	/* 2.12: XLF_KERNEL_64 */

struct bzimage_info {
	uint16_t version;
	uint32_t header_end;	/* setup header spans [0x1f1, header_end) */
	uint32_t kernel_offset;	/* protected-mode part in the file */
	uint32_t kernel_size;
	uint32_t init_size;	/* memory the kernel needs from its load address */
	uint32_t initrd_addr_max;
	uint32_t cmdline_size;	/* without the NUL */
};

int bzimage_parse(const uint8_t *buf, size_t len, struct bzimage_info *info,
		  char *err, size_t errlen);

#endif
