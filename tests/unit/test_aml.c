// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "tests/unit/suites.h"
#include "vmm/aml.h"

START_TEST(test_integers)
{
	static const uint8_t want[] = {
		0x00, 0x01, 0x0a, 0x05, 0x0b, 0x34, 0x12,
		0x0c, 0x78, 0x56, 0x34, 0x12,
		0x0e, 0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,
	};
	uint8_t buf[64];
	struct aml aml;

	aml_init(&aml, buf, sizeof(buf));
	aml_integer(&aml, 0);
	aml_integer(&aml, 1);
	aml_integer(&aml, 5);
	aml_integer(&aml, 0x1234);
	aml_integer(&aml, 0x12345678);
	aml_integer(&aml, 0x0102030405060708ULL);
	ck_assert_int_eq(aml_finish(&aml), sizeof(want));
	ck_assert_int_eq(memcmp(buf, want, sizeof(want)), 0);
}
END_TEST

START_TEST(test_eisaid_and_names)
{
	static const uint8_t want[] = {
		0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x0b, 0x00,
		0x08, 'A', 'B', '_', '_', 0x01,
	};
	uint8_t buf[64];
	struct aml aml;

	aml_init(&aml, buf, sizeof(buf));
	aml_name_eisaid(&aml, "_HID", "PNP0B00");
	aml_name_integer(&aml, "AB", 1);	/* short names pad with '_' */
	ck_assert_int_eq(aml_finish(&aml), sizeof(want));
	ck_assert_int_eq(memcmp(buf, want, sizeof(want)), 0);
}
END_TEST

/* A package longer than 63 bytes needs a two-byte PkgLength. */
START_TEST(test_long_pkglength)
{
	uint8_t buf[256];
	struct aml aml;
	int len, total;

	aml_init(&aml, buf, sizeof(buf));
	aml_package_begin(&aml, 40);
	for (int i = 0; i < 40; i++)
		aml_integer(&aml, 0x10 + i);	/* two bytes each */
	aml_end(&aml);
	len = aml_finish(&aml);
	/* op + 2-byte PkgLength + count + 80 bytes of elements */
	ck_assert_int_eq(len, 1 + 2 + 1 + 80);
	ck_assert_uint_eq(buf[0], 0x12);
	total = (buf[1] & 0x0f) | (buf[2] << 4);
	ck_assert_uint_eq(buf[1] >> 6, 1);
	ck_assert_int_eq(total, len - 1);
	ck_assert_uint_eq(buf[3], 40);
	ck_assert_uint_eq(buf[4], 0x0a);
	ck_assert_uint_eq(buf[5], 0x10);
	ck_assert_uint_eq(buf[len - 1], 0x10 + 39);
}
END_TEST

START_TEST(test_errors)
{
	uint8_t buf[8];
	struct aml aml;

	aml_init(&aml, buf, sizeof(buf));
	aml_device_begin(&aml, "DEVX");
	ck_assert_int_eq(aml_finish(&aml), -EINVAL);	/* block left open */

	aml_init(&aml, buf, sizeof(buf));
	aml_name_integer(&aml, "_UID", 0x1122334455ULL);	/* 14 bytes */
	ck_assert_int_eq(aml_finish(&aml), -ENOSPC);

	aml_init(&aml, buf, sizeof(buf));
	aml_end(&aml);					/* nothing open */
	ck_assert_int_eq(aml_finish(&aml), -ENOSPC);

	aml_init(&aml, buf, sizeof(buf));
	aml_name_eisaid(&aml, "_HID", "PNP05");		/* not 7 chars */
	ck_assert_int_lt(aml_finish(&aml), 0);
}
END_TEST

START_TEST(test_resources)
{
	static const uint8_t want[] = {
		0x47, 0x01, 0x70, 0x00, 0x70, 0x00, 0x01, 0x02,
		0x22, 0x00, 0x01, 0x79, 0x00,
	};
	uint8_t buf[16];
	size_t n = 0;

	n += aml_res_io(buf + n, 0x70, 2);
	n += aml_res_irq(buf + n, 8);
	n += aml_res_end(buf + n);
	ck_assert_uint_eq(n, sizeof(want));
	ck_assert_int_eq(memcmp(buf, want, sizeof(want)), 0);
}
END_TEST

Suite *aml_suite(void)
{
	Suite *s = suite_create("aml");
	TCase *tc = tcase_create("encode");

	tcase_add_test(tc, test_integers);
	tcase_add_test(tc, test_eisaid_and_names);
	tcase_add_test(tc, test_long_pkglength);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_resources);
	suite_add_tcase(s, tc);
	return s;
}
