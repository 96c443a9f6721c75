/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The arm64 Linux Image header (Documentation/arch/arm64/booting.rst) and
 * where the kernel, the initrd and the device tree go in a RAM bank. Pure:
 * the loader reads the file, the plan gives the bank, this decides.
 */
#ifndef SHAPEVM_ARM64_IMAGE_H
#define SHAPEVM_ARM64_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARM64_IMAGE_HEADER_SIZE		64
#define ARM64_IMAGE_MAGIC		0x644d5241U	/* "ARM\x64" */
#define ARM64_IMAGE_LEGACY_TEXT_OFFSET	0x80000ULL	/* image_size 0: before v3.17 */
#define ARM64_FDT_MAX_SIZE		0x200000ULL	/* booting.rst: at most 2 MiB */

struct arm64_image {
	uint64_t text_offset;	/* from the 2 MiB aligned base */
	uint64_t image_size;	/* bytes from the load address the kernel uses */
	uint64_t file_size;
	uint64_t flags;
	unsigned int page_size;	/* 4096, 16384, 65536, or 0: not said */
	bool any_placement;	/* flags bit 3: anywhere in 48-bit space */
	bool legacy;		/* image_size was 0: text_offset assumed */
};

/*
 * Checks the header of the Image in buf (the whole file, len bytes).
 * Returns 0 or -ENOEXEC with err saying why (truncated, not an Image,
 * compressed, big-endian).
 */
int arm64_image_parse(const uint8_t *buf, size_t len, struct arm64_image *img,
		      char *err, size_t errlen);

/*
 * The load address in the RAM bank [bank_start, bank_start + bank_size):
 * the bank's first 2 MiB aligned address plus text_offset, with image_size
 * bytes fitting in the bank. 0 or -ENOSPC.
 */
int arm64_image_place(const struct arm64_image *img, uint64_t bank_start,
		      uint64_t bank_size, uint64_t *load_addr,
		      char *err, size_t errlen);

/*
 * Where the device tree goes: a whole 2 MiB aligned 2 MiB block, the last
 * one of the bank below 4 GiB (below the bank's 32 GiB initrd window when
 * the bank starts above 4 GiB), above kernel_end. A tree of up to
 * ARM64_FDT_MAX_SIZE bytes at *fdt_addr is 8-byte aligned and crosses no
 * 2 MiB boundary. 0 or -ENOSPC.
 */
int arm64_fdt_place(uint64_t bank_start, uint64_t bank_size,
		    uint64_t kernel_end, uint64_t *fdt_addr,
		    char *err, size_t errlen);

/*
 * Where an initrd of initrd_size bytes goes: page aligned, as high as it
 * fits below fdt_addr and not below kernel_end (the load address plus
 * image_size), leaving the room right after the kernel to the kernel.
 * 0 or -ENOSPC.
 */
int arm64_initrd_place(uint64_t kernel_end, uint64_t fdt_addr,
		       uint64_t initrd_size, uint64_t *initrd_addr,
		       char *err, size_t errlen);

#endif
