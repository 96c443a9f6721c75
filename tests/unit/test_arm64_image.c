// SPDX-License-Identifier: GPL-2.0
/*
 * arch/arm64/image: the Image header rules of booting.rst and where the
 * kernel, the device tree and the initrd go, with exact values.
 */
#include <errno.h>
#include <string.h>

#include "arch/arm64/image.h"
#include "tests/unit/suites.h"
#include "vmm/le.h"

#define MiB(n)	((uint64_t)(n) << 20)
#define GiB(n)	((uint64_t)(n) << 30)

static uint8_t file[8192];
static char err[256];

static void make_image(uint64_t text_offset, uint64_t image_size, uint64_t flags)
{
	memset(file, 0, sizeof(file));
	/* MZ and a branch, as an EFI-stub kernel starts. */
	file[0] = 'M';
	file[1] = 'Z';
	put_le64(file + 8, text_offset);
	put_le64(file + 16, image_size);
	put_le64(file + 24, flags);
	memcpy(file + 56, "ARM\x64", 4);
	memset(err, 0, sizeof(err));
}

START_TEST(test_good_header)
{
	struct arm64_image img;

	/* LE, 4K pages, anywhere: what a v5.8+ defconfig kernel says. */
	make_image(0, MiB(40), 0xa);
	ck_assert_int_eq(arm64_image_parse(file, sizeof(file), &img, err, sizeof(err)), 0);
	ck_assert_uint_eq(img.text_offset, 0);
	ck_assert_uint_eq(img.image_size, MiB(40));
	ck_assert_uint_eq(img.file_size, sizeof(file));
	ck_assert_uint_eq(img.flags, 0xa);
	ck_assert_uint_eq(img.page_size, 4096);
	ck_assert(img.any_placement);
	ck_assert(!img.legacy);
	ck_assert_str_eq(err, "");
}
END_TEST

START_TEST(test_page_sizes_and_placement)
{
	static const struct { uint64_t flags; unsigned int page; bool any; } cases[] = {
		{ 0x0, 0, false }, { 0x2, 4096, false }, { 0x4, 16384, false },
		{ 0x6, 65536, false }, { 0xe, 65536, true },
		/* Reserved bits say nothing we use. */
		{ 0xfffffffffffffff0ULL, 0, false },
	};
	struct arm64_image img;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		make_image(0x80000, MiB(20), cases[i].flags);
		ck_assert_int_eq(arm64_image_parse(file, sizeof(file), &img, err, sizeof(err)), 0);
		ck_assert_uint_eq(img.page_size, cases[i].page);
		ck_assert_int_eq(img.any_placement, cases[i].any);
		ck_assert_uint_eq(img.text_offset, 0x80000);
	}
}
END_TEST

START_TEST(test_truncated)
{
	struct arm64_image img;

	make_image(0, MiB(40), 0xa);
	ck_assert_int_eq(arm64_image_parse(file, 40, &img, err, sizeof(err)), -ENOEXEC);
	ck_assert_str_eq(err, "Image: truncated: 40 bytes, the header needs 64");
	ck_assert_int_eq(arm64_image_parse(file, 63, &img, err, sizeof(err)), -ENOEXEC);
	ck_assert_str_eq(err, "Image: truncated: 63 bytes, the header needs 64");
	ck_assert_int_eq(arm64_image_parse(file, 0, &img, err, sizeof(err)), -ENOEXEC);
	ck_assert_str_eq(err, "Image: truncated: 0 bytes, the header needs 64");
	/* Exactly the header is an Image (of 64 bytes, image_size says more). */
	ck_assert_int_eq(arm64_image_parse(file, 64, &img, err, sizeof(err)), 0);
	ck_assert_uint_eq(img.image_size, MiB(40));
}
END_TEST

START_TEST(test_wrong_magic)
{
	struct arm64_image img;

	make_image(0, MiB(40), 0xa);
	put_le32(file + 56, 0x12345678);
	ck_assert_int_eq(arm64_image_parse(file, sizeof(file), &img, err, sizeof(err)), -ENOEXEC);
	ck_assert_str_eq(err, "Image: not an arm64 Linux Image: magic 0x12345678 at offset 56, want 0x644d5241 (\"ARM\\x64\")");
	/* The magic one byte off is still wrong. */
	make_image(0, MiB(40), 0xa);
	memcpy(file + 57, "ARM\x64", 4);
	file[56] = 0;
	ck_assert_int_eq(arm64_image_parse(file, sizeof(file), &img, err, sizeof(err)), -ENOEXEC);
	ck_assert_ptr_nonnull(strstr(err, "not an arm64 Linux Image"));
}
END_TEST

START_TEST(test_gzip)
{
	struct arm64_image img;

	memset(file, 0x5a, sizeof(file));
	file[0] = 0x1f;
	file[1] = 0x8b;
	file[2] = 0x08;
	ck_assert_int_eq(arm64_image_parse(file, sizeof(file), &img, err, sizeof(err)), -ENOEXEC);
	ck_assert_str_eq(err, "Image: compressed with gzip: gunzip it first (arm64 kernels boot from the uncompressed Image)");
	/* EFI zboot (vmlinuz.efi) says what it is too. */
	memset(file, 0, sizeof(file));
	memcpy(file, "MZ\0\0zimg", 8);
	ck_assert_int_eq(arm64_image_parse(file, sizeof(file), &img, err, sizeof(err)), -ENOEXEC);
	ck_assert_ptr_nonnull(strstr(err, "EFI zboot"));
}
END_TEST

START_TEST(test_big_endian)
{
	struct arm64_image img;

	make_image(0, MiB(40), 0xb);
	ck_assert_int_eq(arm64_image_parse(file, sizeof(file), &img, err, sizeof(err)), -ENOEXEC);
	ck_assert_str_eq(err, "Image: a big-endian kernel (flags 0xb): shapevm boots little-endian kernels only");
}
END_TEST

START_TEST(test_old_kernel)
{
	struct arm64_image img;

	/* Before v3.17: text_offset of unknown endianness, image_size 0. */
	make_image(0x0800000000000000ULL, 0, 0);
	ck_assert_int_eq(arm64_image_parse(file, 5000, &img, err, sizeof(err)), 0);
	ck_assert(img.legacy);
	ck_assert_uint_eq(img.text_offset, 0x80000);
	ck_assert_uint_eq(img.image_size, 5000);
	ck_assert_uint_eq(img.file_size, 5000);
}
END_TEST

START_TEST(test_file_longer_than_image_size)
{
	struct arm64_image img;

	make_image(0, 4096, 0x2);
	ck_assert_int_eq(arm64_image_parse(file, sizeof(file), &img, err, sizeof(err)), 0);
	ck_assert_uint_eq(img.image_size, sizeof(file));
}
END_TEST

START_TEST(test_place_kernel)
{
	struct arm64_image img = { .text_offset = 0, .image_size = MiB(40) };
	uint64_t load = 0;

	ck_assert_int_eq(arm64_image_place(&img, GiB(1), GiB(1), &load, err, sizeof(err)), 0);
	ck_assert_uint_eq(load, GiB(1));
	/* An unaligned bank start: the next 2 MiB boundary, plus text_offset. */
	img.text_offset = 0x80000;
	ck_assert_int_eq(arm64_image_place(&img, GiB(1) + MiB(1), GiB(1), &load, err, sizeof(err)), 0);
	ck_assert_uint_eq(load, GiB(1) + MiB(2) + 0x80000);
	/* Exactly fits, one byte short does not. */
	ck_assert_int_eq(arm64_image_place(&img, GiB(1), 0x80000 + MiB(40), &load, err, sizeof(err)), 0);
	ck_assert_uint_eq(load, GiB(1) + 0x80000);
	load = 0;
	ck_assert_int_eq(arm64_image_place(&img, GiB(1), 0x80000 + MiB(40) - 1, &load, err, sizeof(err)), -ENOSPC);
	ck_assert_uint_eq(load, 0);
	ck_assert_str_eq(err, "Image: the kernel needs 40M at text_offset 0x80000 from a 2 MiB aligned base: it does not fit in RAM bank 0x40000000-0x4287fffe (40.4M) (ask for more --mem)");
	/* The 2 MiB alignment eats into a small unaligned bank. */
	ck_assert_int_eq(arm64_image_place(&img, GiB(1) + 4096, 0x80000 + MiB(40), &load, err, sizeof(err)), -ENOSPC);
}
END_TEST

START_TEST(test_place_kernel_hostile)
{
	struct arm64_image img = { .text_offset = UINT64_MAX - 4095, .image_size = MiB(40) };
	uint64_t load = 0;

	ck_assert_int_eq(arm64_image_place(&img, GiB(1), GiB(1), &load, err, sizeof(err)), -ENOSPC);
	img.text_offset = 0;
	img.image_size = UINT64_MAX;
	ck_assert_int_eq(arm64_image_place(&img, GiB(1), GiB(1), &load, err, sizeof(err)), -ENOSPC);
	img.image_size = MiB(1);
	ck_assert_int_eq(arm64_image_place(&img, UINT64_MAX - 4095, 4096, &load, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(arm64_image_place(&img, GiB(1), 0, &load, err, sizeof(err)), -EINVAL);
	/* Flags bit 3: the whole image below 2^48. */
	img.any_placement = true;
	ck_assert_int_eq(arm64_image_place(&img, (1ULL << 48) - MiB(2), MiB(4), &load, err, sizeof(err)), 0);
	ck_assert_uint_eq(load, (1ULL << 48) - MiB(2));
	img.image_size = MiB(3);
	ck_assert_int_eq(arm64_image_place(&img, (1ULL << 48) - MiB(2), MiB(4), &load, err, sizeof(err)), -ENOSPC);
	ck_assert_ptr_nonnull(strstr(err, "2^48"));
	ck_assert_uint_eq(load, (1ULL << 48) - MiB(2));
}
END_TEST

START_TEST(test_place_fdt)
{
	uint64_t fdt = 0;

	/* The last 2 MiB of a 1 GiB bank. */
	ck_assert_int_eq(arm64_fdt_place(GiB(1), GiB(1), GiB(1) + MiB(40), &fdt, err, sizeof(err)), 0);
	ck_assert_uint_eq(fdt, GiB(2) - MiB(2));
	/* A bank through 4 GiB: below 4 GiB. */
	ck_assert_int_eq(arm64_fdt_place(GiB(1), GiB(8), GiB(1) + MiB(40), &fdt, err, sizeof(err)), 0);
	ck_assert_uint_eq(fdt, GiB(4) - MiB(2));
	/* An unaligned bank end: the last whole 2 MiB block. */
	ck_assert_int_eq(arm64_fdt_place(GiB(1), GiB(1) - 0x12345, GiB(1) + MiB(40), &fdt, err, sizeof(err)), 0);
	ck_assert_uint_eq(fdt, GiB(2) - MiB(4));
	ck_assert_uint_eq(fdt % MiB(2), 0);
	/* A bank above 4 GiB: inside the 32 GiB window from its 1 GiB boundary. */
	ck_assert_int_eq(arm64_fdt_place(GiB(5) + MiB(2), GiB(100), GiB(5) + MiB(60), &fdt, err, sizeof(err)), 0);
	ck_assert_uint_eq(fdt, GiB(37) - MiB(2));
	/* Exactly room for the block above the kernel. */
	ck_assert_int_eq(arm64_fdt_place(GiB(1), MiB(42), GiB(1) + MiB(40), &fdt, err, sizeof(err)), 0);
	ck_assert_uint_eq(fdt, GiB(1) + MiB(40));
	fdt = 0;
	ck_assert_int_eq(arm64_fdt_place(GiB(1), MiB(42), GiB(1) + MiB(40) + 8, &fdt, err, sizeof(err)), -ENOSPC);
	ck_assert_uint_eq(fdt, 0);
	ck_assert_str_eq(err, "device tree: no free 2 MiB aligned block in RAM bank 0x40000000-0x429fffff (42M) above the kernel's end 0x42800008 (ask for more --mem)");
	/* A bank smaller than a block. */
	ck_assert_int_eq(arm64_fdt_place(GiB(1), MiB(1), 0, &fdt, err, sizeof(err)), -ENOSPC);
	ck_assert_int_eq(arm64_fdt_place(0, MiB(1), 0, &fdt, err, sizeof(err)), -ENOSPC);
	ck_assert_int_eq(arm64_fdt_place(GiB(1), 0, 0, &fdt, err, sizeof(err)), -EINVAL);
}
END_TEST

START_TEST(test_place_initrd)
{
	uint64_t initrd = 0;

	ck_assert_int_eq(arm64_initrd_place(GiB(1) + MiB(40), GiB(2) - MiB(2), 0x1234567,
					    &initrd, err, sizeof(err)), 0);
	/* 0x7fe00000 - 0x1234567 = 0x7ebcba99, page aligned down. */
	ck_assert_uint_eq(initrd, 0x7ebcb000);
	/* Exactly between the kernel and the tree. */
	ck_assert_int_eq(arm64_initrd_place(GiB(1) + MiB(40), GiB(1) + MiB(50), MiB(10),
					    &initrd, err, sizeof(err)), 0);
	ck_assert_uint_eq(initrd, GiB(1) + MiB(40));
	initrd = 0;
	ck_assert_int_eq(arm64_initrd_place(GiB(1) + MiB(40) + 1, GiB(1) + MiB(50), MiB(10),
					    &initrd, err, sizeof(err)), -ENOSPC);
	ck_assert_uint_eq(initrd, 0);
	ck_assert_str_eq(err, "initrd: 10M does not fit between the kernel's end 0x42800001 and the device tree at 0x43200000 (ask for more --mem)");
	/* Larger than the address of the tree: no wrap-around. */
	ck_assert_int_eq(arm64_initrd_place(0, MiB(2), MiB(3), &initrd, err, sizeof(err)), -ENOSPC);
}
END_TEST

START_TEST(test_boot_chain)
{
	struct arm64_image img;
	uint64_t bank = GiB(1), size = MiB(256), load, fdt, initrd, kernel_end;

	make_image(0, MiB(30), 0xa);
	ck_assert_int_eq(arm64_image_parse(file, sizeof(file), &img, err, sizeof(err)), 0);
	ck_assert_int_eq(arm64_image_place(&img, bank, size, &load, err, sizeof(err)), 0);
	kernel_end = load + img.image_size;
	ck_assert_int_eq(arm64_fdt_place(bank, size, kernel_end, &fdt, err, sizeof(err)), 0);
	ck_assert_int_eq(arm64_initrd_place(kernel_end, fdt, MiB(100), &initrd, err, sizeof(err)), 0);
	ck_assert_uint_eq(load, GiB(1));
	ck_assert_uint_eq(fdt, GiB(1) + MiB(254));
	ck_assert_uint_eq(initrd, GiB(1) + MiB(154));
	/* Disjoint, in the bank, in this order. */
	ck_assert_uint_le(kernel_end, initrd);
	ck_assert_uint_le(initrd + MiB(100), fdt);
	ck_assert_uint_le(fdt + ARM64_FDT_MAX_SIZE, bank + size);
	/* No room for a 300M initrd in 256M. */
	ck_assert_int_eq(arm64_initrd_place(kernel_end, fdt, MiB(300), &initrd, err, sizeof(err)), -ENOSPC);
}
END_TEST

Suite *arm64_image_suite(void)
{
	Suite *s = suite_create("arm64_image");
	TCase *tc = tcase_create("image");

	tcase_add_test(tc, test_good_header);
	tcase_add_test(tc, test_page_sizes_and_placement);
	tcase_add_test(tc, test_truncated);
	tcase_add_test(tc, test_wrong_magic);
	tcase_add_test(tc, test_gzip);
	tcase_add_test(tc, test_big_endian);
	tcase_add_test(tc, test_old_kernel);
	tcase_add_test(tc, test_file_longer_than_image_size);
	tcase_add_test(tc, test_place_kernel);
	tcase_add_test(tc, test_place_kernel_hostile);
	tcase_add_test(tc, test_place_fdt);
	tcase_add_test(tc, test_place_initrd);
	tcase_add_test(tc, test_boot_chain);
	suite_add_tcase(s, tc);
	return s;
}
