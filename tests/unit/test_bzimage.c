// SPDX-License-Identifier: GPL-2.0
/* arch/x86/bzimage: setup header checks on images built in a buffer. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/bzimage.h"
#include "tests/unit/suites.h"
#include "vmm/le.h"

/* Documentation/arch/x86/boot.rst offsets. */
#define SETUP_SECTS	0x1f1
#define SYSSIZE		0x1f4
#define BOOT_FLAG	0x1fe
#define JUMP		0x200
#define HEADER		0x202
#define VERSION		0x206
#define LOADFLAGS	0x211
#define INITRD_ADDR_MAX	0x22c
#define XLOADFLAGS	0x236
#define CMDLINE_SIZE	0x238
#define INIT_SIZE	0x260

#define GOOD_SETUP_SECTS	3
#define GOOD_KERNEL_OFFSET	((GOOD_SETUP_SECTS + 1) * 512)
#define GOOD_KERNEL_SIZE	0x3000
#define GOOD_LEN		(GOOD_KERNEL_OFFSET + GOOD_KERNEL_SIZE)

static uint8_t image[GOOD_LEN + 4096];

/* A plausible modern bzImage: protocol 2.15, 64-bit entry, loaded high. */
static void make_good(uint8_t *buf, unsigned int setup_sects, uint32_t kernel_size)
{
	memset(buf, 0, sizeof(image));
	buf[SETUP_SECTS] = setup_sects;
	put_le32(buf + SYSSIZE, kernel_size / 16);
	put_le16(buf + BOOT_FLAG, 0xaa55);
	buf[JUMP] = 0xeb;
	buf[JUMP + 1] = 0x6a;		/* header ends at 0x26c */
	memcpy(buf + HEADER, "HdrS", 4);
	put_le16(buf + VERSION, 0x020f);
	buf[LOADFLAGS] = 0x01 | 0x80;	/* LOADED_HIGH | CAN_USE_HEAP */
	put_le32(buf + INITRD_ADDR_MAX, 0x7fffffff);
	put_le16(buf + XLOADFLAGS, 0x0001 | 0x0002);
	put_le32(buf + CMDLINE_SIZE, 2047);
	put_le32(buf + INIT_SIZE, 0x01000000);
}

static int parse(size_t len, struct bzimage_info *info, char *err)
{
	memset(err, 0, 256);
	return bzimage_parse(image, len, info, err, 256);
}

START_TEST(test_good)
{
	struct bzimage_info info;
	char err[256];

	make_good(image, GOOD_SETUP_SECTS, GOOD_KERNEL_SIZE);
	ck_assert_int_eq(parse(GOOD_LEN, &info, err), 0);
	ck_assert_uint_eq(info.version, 0x020f);
	ck_assert_uint_eq(info.header_end, 0x26c);
	ck_assert_uint_eq(info.kernel_offset, GOOD_KERNEL_OFFSET);
	ck_assert_uint_eq(info.kernel_size, GOOD_KERNEL_SIZE);
	ck_assert_uint_eq(info.init_size, 0x01000000);
	ck_assert_uint_eq(info.initrd_addr_max, 0x7fffffff);
	ck_assert_uint_eq(info.cmdline_size, 2047);
}
END_TEST

START_TEST(test_trailing_bytes_are_kernel)
{
	struct bzimage_info info;
	char err[256];

	/* syssize is a lower bound: padding after it is part of the file. */
	make_good(image, GOOD_SETUP_SECTS, GOOD_KERNEL_SIZE);
	ck_assert_int_eq(parse(GOOD_LEN + 100, &info, err), 0);
	ck_assert_uint_eq(info.kernel_size, GOOD_KERNEL_SIZE + 100);
}
END_TEST

START_TEST(test_oldest_accepted_version)
{
	struct bzimage_info info;
	char err[256];

	make_good(image, GOOD_SETUP_SECTS, GOOD_KERNEL_SIZE);
	put_le16(image + VERSION, BZIMAGE_MIN_VERSION);
	ck_assert_int_eq(parse(GOOD_LEN, &info, err), 0);
	ck_assert_uint_eq(info.version, 0x020c);
}
END_TEST

START_TEST(test_too_short)
{
	struct bzimage_info info;
	char err[256];

	make_good(image, GOOD_SETUP_SECTS, GOOD_KERNEL_SIZE);
	ck_assert_int_eq(parse(0x263, &info, err), -ENOEXEC);
	ck_assert_str_eq(err, "too short for a bzImage (611 bytes)");
	ck_assert_int_eq(parse(0, &info, err), -ENOEXEC);
	ck_assert_str_eq(err, "too short for a bzImage (0 bytes)");
}
END_TEST

START_TEST(test_bad_boot_flag)
{
	struct bzimage_info info;
	char err[256];

	make_good(image, GOOD_SETUP_SECTS, GOOD_KERNEL_SIZE);
	put_le16(image + BOOT_FLAG, 0x55aa);
	ck_assert_int_eq(parse(GOOD_LEN, &info, err), -ENOEXEC);
	ck_assert_str_eq(err, "not a bzImage (no Linux boot header)");
}
END_TEST

START_TEST(test_no_magic)
{
	struct bzimage_info info;
	char err[256];

	make_good(image, GOOD_SETUP_SECTS, GOOD_KERNEL_SIZE);
	memcpy(image + HEADER, "HdrT", 4);
	ck_assert_int_eq(parse(GOOD_LEN, &info, err), -ENOEXEC);
	ck_assert_str_eq(err, "not a bzImage (no Linux boot header)");
	memcpy(image + HEADER, "hdrs", 4);
	ck_assert_int_eq(parse(GOOD_LEN, &info, err), -ENOEXEC);
}
END_TEST

START_TEST(test_version_too_old)
{
	struct bzimage_info info;
	char err[256];

	make_good(image, GOOD_SETUP_SECTS, GOOD_KERNEL_SIZE);
	put_le16(image + VERSION, 0x020b);
	ck_assert_int_eq(parse(GOOD_LEN, &info, err), -ENOEXEC);
	ck_assert_str_eq(err,
			 "boot protocol 2.11 is too old (shapevm needs 2.12, Linux 3.8 or later)");
	put_le16(image + VERSION, 0x0105);
	ck_assert_int_eq(parse(GOOD_LEN, &info, err), -ENOEXEC);
	ck_assert_ptr_nonnull(strstr(err, "boot protocol 1.05 is too old"));
}
END_TEST

START_TEST(test_not_loaded_high)
{
	struct bzimage_info info;
	char err[256];

	make_good(image, GOOD_SETUP_SECTS, GOOD_KERNEL_SIZE);
	image[LOADFLAGS] = 0x80;
	ck_assert_int_eq(parse(GOOD_LEN, &info, err), -ENOEXEC);
	ck_assert_str_eq(err, "not a bzImage (a zImage, loaded low)");
}
END_TEST

START_TEST(test_no_kernel_64)
{
	struct bzimage_info info;
	char err[256];

	make_good(image, GOOD_SETUP_SECTS, GOOD_KERNEL_SIZE);
	put_le16(image + XLOADFLAGS, 0x0002 | 0x0100);
	ck_assert_int_eq(parse(GOOD_LEN, &info, err), -ENOEXEC);
	ck_assert_str_eq(err,
			 "the kernel has no 64-bit entry point (not an x86_64 kernel?)");
}
END_TEST

START_TEST(test_header_length)
{
	struct bzimage_info info;
	char err[256];

	make_good(image, GOOD_SETUP_SECTS, GOOD_KERNEL_SIZE);
	image[JUMP + 1] = 0x61;		/* ends at 0x263, before init_size */
	ck_assert_int_eq(parse(GOOD_LEN, &info, err), -ENOEXEC);
	ck_assert_str_eq(err, "setup header length 0x263 is impossible");
	image[JUMP + 1] = 0x62;		/* 0x264: just enough */
	ck_assert_int_eq(parse(GOOD_LEN, &info, err), 0);
	ck_assert_uint_eq(info.header_end, 0x264);
}
END_TEST

START_TEST(test_setup_sects_zero_means_four)
{
	struct bzimage_info info;
	char err[256];

	make_good(image, 0, GOOD_KERNEL_SIZE);
	ck_assert_int_eq(parse(5 * 512 + GOOD_KERNEL_SIZE, &info, err), 0);
	ck_assert_uint_eq(info.kernel_offset, 5 * 512);
	ck_assert_uint_eq(info.kernel_size, GOOD_KERNEL_SIZE);
	make_good(image, 4, GOOD_KERNEL_SIZE);
	ck_assert_int_eq(parse(5 * 512 + GOOD_KERNEL_SIZE, &info, err), 0);
	ck_assert_uint_eq(info.kernel_offset, 5 * 512);
}
END_TEST

START_TEST(test_truncated)
{
	struct bzimage_info info;
	char err[256];

	make_good(image, GOOD_SETUP_SECTS, GOOD_KERNEL_SIZE);
	ck_assert_int_eq(parse(GOOD_LEN - 16, &info, err), -ENOEXEC);
	ck_assert_str_eq(err, "truncated: the header says 14336 bytes, the file has 14320");
	/* syssize far beyond the file. */
	put_le32(image + SYSSIZE, 0xffffffff);
	ck_assert_int_eq(parse(GOOD_LEN, &info, err), -ENOEXEC);
	ck_assert_ptr_nonnull(strstr(err, "truncated"));
	/* Setup sectors alone longer than the file, syssize 0. */
	make_good(image, 200, 0);
	ck_assert_int_eq(parse(GOOD_LEN, &info, err), -ENOEXEC);
	ck_assert_ptr_nonnull(strstr(err, "truncated"));
	/* The file ends right where the kernel would start. */
	make_good(image, GOOD_SETUP_SECTS, 0);
	ck_assert_int_eq(parse(GOOD_KERNEL_OFFSET, &info, err), -ENOEXEC);
}
END_TEST

START_TEST(test_init_size_below_kernel)
{
	struct bzimage_info info;
	char err[256];

	/* An init_size smaller than the kernel cannot be: the kernel's size wins. */
	make_good(image, GOOD_SETUP_SECTS, GOOD_KERNEL_SIZE);
	put_le32(image + INIT_SIZE, 0x1000);
	ck_assert_int_eq(parse(GOOD_LEN, &info, err), 0);
	ck_assert_uint_eq(info.init_size, GOOD_KERNEL_SIZE);
	put_le32(image + INIT_SIZE, 0);
	ck_assert_int_eq(parse(GOOD_LEN, &info, err), 0);
	ck_assert_uint_eq(info.init_size, GOOD_KERNEL_SIZE);
}
END_TEST

START_TEST(test_every_short_length)
{
	struct bzimage_info info;
	char err[64];

	/* No length reads past the buffer (ASan catches it on the heap). */
	for (size_t len = 0; len < GOOD_LEN; len += (len < 0x300 ? 1 : 512)) {
		uint8_t *copy = malloc(len ? len : 1);

		make_good(image, GOOD_SETUP_SECTS, GOOD_KERNEL_SIZE);
		memcpy(copy, image, len);
		ck_assert_int_eq(bzimage_parse(copy, len, &info, err, sizeof(err)),
				 -ENOEXEC);
		free(copy);
	}
}
END_TEST

Suite *bzimage_suite(void)
{
	Suite *s = suite_create("bzimage");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_good);
	tcase_add_test(tc, test_trailing_bytes_are_kernel);
	tcase_add_test(tc, test_oldest_accepted_version);
	tcase_add_test(tc, test_too_short);
	tcase_add_test(tc, test_bad_boot_flag);
	tcase_add_test(tc, test_no_magic);
	tcase_add_test(tc, test_version_too_old);
	tcase_add_test(tc, test_not_loaded_high);
	tcase_add_test(tc, test_no_kernel_64);
	tcase_add_test(tc, test_header_length);
	tcase_add_test(tc, test_setup_sects_zero_means_four);
	tcase_add_test(tc, test_truncated);
	tcase_add_test(tc, test_init_size_below_kernel);
	tcase_add_test(tc, test_every_short_length);
	suite_add_tcase(s, tc);
	return s;
}
