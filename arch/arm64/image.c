// SPDX-License-Identifier: GPL-2.0
/*
 * arm64 Image header checks and boot placement, kept apart from the loader
 * so every rule of booting.rst is unit tested without a kernel file or KVM.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "arch/arm64/image.h"
#include "vmm/le.h"
#include "vmm/util.h"

#define HDR_TEXT_OFFSET		8
#define HDR_IMAGE_SIZE		16
#define HDR_FLAGS		24
#define HDR_MAGIC		56

#define FLAG_BIG_ENDIAN		0x1ULL
#define FLAG_PAGE_SIZE_SHIFT	1
#define FLAG_PAGE_SIZE_MASK	0x3ULL
#define FLAG_ANY_PLACEMENT	0x8ULL

/* booting.rst, flags bit 3 set: the image must stay below 2^48. */
#define PLACEMENT_LIMIT		(1ULL << 48)
/* booting.rst: the initrd lies in a 1 GiB aligned window of 32 GiB with the kernel. */
#define INITRD_WINDOW		(32 * SZ_1G)

static const unsigned int page_sizes[] = { 0, 4096, 16384, 65536 };

static int not_an_image(const uint8_t *buf, size_t len, char *err, size_t errlen)
{
	if (buf[0] == 0x1f && buf[1] == 0x8b)
		snprintf(err, errlen,
			 "Image: compressed with gzip: gunzip it first (arm64 kernels boot from the uncompressed Image)");
	else if (len >= 8 && buf[0] == 'M' && buf[1] == 'Z' && !memcmp(buf + 4, "zimg", 4))
		snprintf(err, errlen,
			 "Image: an EFI zboot kernel (vmlinuz.efi): boot the uncompressed Image instead");
	else
		snprintf(err, errlen,
			 "Image: not an arm64 Linux Image: magic 0x%08x at offset 56, want 0x%08x (\"ARM\\x64\")",
			 get_le32(buf + HDR_MAGIC), ARM64_IMAGE_MAGIC);
	return -ENOEXEC;
}

int arm64_image_parse(const uint8_t *buf, size_t len, struct arm64_image *img,
		      char *err, size_t errlen)
{
	uint64_t image_size;

	memset(img, 0, sizeof(*img));
	if (len < ARM64_IMAGE_HEADER_SIZE) {
		snprintf(err, errlen, "Image: truncated: %zu bytes, the header needs %d",
			 len, ARM64_IMAGE_HEADER_SIZE);
		return -ENOEXEC;
	}
	if (get_le32(buf + HDR_MAGIC) != ARM64_IMAGE_MAGIC)
		return not_an_image(buf, len, err, errlen);

	img->flags = get_le64(buf + HDR_FLAGS);
	if (img->flags & FLAG_BIG_ENDIAN) {
		snprintf(err, errlen,
			 "Image: a big-endian kernel (flags 0x%llx): shapevm boots little-endian kernels only",
			 (unsigned long long)img->flags);
		return -ENOEXEC;
	}
	img->file_size = len;
	img->page_size = page_sizes[(img->flags >> FLAG_PAGE_SIZE_SHIFT) & FLAG_PAGE_SIZE_MASK];
	img->any_placement = img->flags & FLAG_ANY_PLACEMENT;
	image_size = get_le64(buf + HDR_IMAGE_SIZE);
	if (!image_size) {
		/*
		 * Before v3.17 text_offset had the kernel's endianness and
		 * image_size was 0: booting.rst says assume 0x80000, and
		 * the kernel needs at least the file's bytes.
		 */
		img->legacy = true;
		img->text_offset = ARM64_IMAGE_LEGACY_TEXT_OFFSET;
		img->image_size = len;
	} else {
		img->text_offset = get_le64(buf + HDR_TEXT_OFFSET);
		/* A file longer than image_size still has to be copied. */
		img->image_size = MAX(image_size, (uint64_t)len);
	}
	return 0;
}

static void format_bank(uint64_t start, uint64_t size, char *buf, size_t len)
{
	char human[32];

	size_human(size, human, sizeof(human));
	snprintf(buf, len, "RAM bank 0x%llx-0x%llx (%s)", (unsigned long long)start,
		 (unsigned long long)(start + size - 1), human);
}

int arm64_image_place(const struct arm64_image *img, uint64_t bank_start,
		      uint64_t bank_size, uint64_t *load_addr,
		      char *err, size_t errlen)
{
	uint64_t bank_end = bank_start + bank_size, base, load, end;
	char bank[96], need[32];

	if (!bank_size || bank_end < bank_start || bank_start > UINT64_MAX - SZ_2M) {
		snprintf(err, errlen, "Image: RAM bank 0x%llx of 0x%llx bytes is impossible",
			 (unsigned long long)bank_start, (unsigned long long)bank_size);
		return -EINVAL;
	}
	/* booting.rst: text_offset bytes from a 2 MiB aligned base. */
	base = ALIGN_UP(bank_start, SZ_2M);
	load = base + img->text_offset;
	end = load + img->image_size;
	format_bank(bank_start, bank_size, bank, sizeof(bank));
	size_human(img->image_size, need, sizeof(need));
	if (load < base || end < load || end > bank_end) {
		snprintf(err, errlen,
			 "Image: the kernel needs %s at text_offset 0x%llx from a 2 MiB aligned base: it does not fit in %s (ask for more --mem)",
			 need, (unsigned long long)img->text_offset, bank);
		return -ENOSPC;
	}
	if (img->any_placement && end > PLACEMENT_LIMIT) {
		snprintf(err, errlen,
			 "Image: the kernel must lie below 2^48 (flags bit 3), %s ends above",
			 bank);
		return -ENOSPC;
	}
	*load_addr = load;
	return 0;
}

int arm64_fdt_place(uint64_t bank_start, uint64_t bank_size,
		    uint64_t kernel_end, uint64_t *fdt_addr,
		    char *err, size_t errlen)
{
	uint64_t bank_end = bank_start + bank_size, limit, top, block;
	char bank[96];

	if (!bank_size || bank_end < bank_start) {
		snprintf(err, errlen, "device tree: RAM bank 0x%llx of 0x%llx bytes is impossible",
			 (unsigned long long)bank_start, (unsigned long long)bank_size);
		return -EINVAL;
	}
	/*
	 * Low, and in the 32 GiB window the initrd (placed below the tree)
	 * must share with the kernel at the bank's start.
	 */
	limit = bank_start < SZ_4G ? SZ_4G : ALIGN_DOWN(bank_start, SZ_1G) + INITRD_WINDOW;
	top = ALIGN_DOWN(MIN(bank_end, limit), SZ_2M);
	/* A whole 2 MiB block: the tree (at most 2 MiB) crosses no 2 MiB boundary. */
	block = top - ARM64_FDT_MAX_SIZE;
	if (top < ARM64_FDT_MAX_SIZE || block < bank_start || block < kernel_end) {
		format_bank(bank_start, bank_size, bank, sizeof(bank));
		snprintf(err, errlen,
			 "device tree: no free 2 MiB aligned block in %s above the kernel's end 0x%llx (ask for more --mem)",
			 bank, (unsigned long long)kernel_end);
		return -ENOSPC;
	}
	*fdt_addr = block;
	return 0;
}

int arm64_initrd_place(uint64_t kernel_end, uint64_t fdt_addr,
		       uint64_t initrd_size, uint64_t *initrd_addr,
		       char *err, size_t errlen)
{
	uint64_t addr;
	char size[32];

	size_human(initrd_size, size, sizeof(size));
	addr = ALIGN_DOWN(fdt_addr - initrd_size, SZ_4K);
	if (initrd_size > fdt_addr || addr < kernel_end) {
		snprintf(err, errlen,
			 "initrd: %s does not fit between the kernel's end 0x%llx and the device tree at 0x%llx (ask for more --mem)",
			 size, (unsigned long long)kernel_end, (unsigned long long)fdt_addr);
		return -ENOSPC;
	}
	*initrd_addr = addr;
	return 0;
}
