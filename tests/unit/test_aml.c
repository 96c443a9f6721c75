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
	struct aml aml;

	aml_init(&aml, buf, sizeof(buf));
	aml_res_io(&aml, 0x70, 2);
	aml_res_irq(&aml, 8);
	aml_res_end(&aml);
	ck_assert_int_eq(aml_finish(&aml), sizeof(want));
	ck_assert_int_eq(memcmp(buf, want, sizeof(want)), 0);
}
END_TEST

/*
 * Expected bytes below follow the descriptor tables of ACPI 6.3, 6.4.3.5
 * (tag, 16-bit length of the rest, resource type, general flags, type
 * flags, then _GRA _MIN _MAX _TRA _LEN in the descriptor's width), and
 * match what iasl 20200925 compiles from the ASL in each comment.
 */
static void check_encoding(void (*emit)(struct aml *), const uint8_t *want,
			   size_t len)
{
	uint8_t buf[256];
	struct aml aml;

	memset(buf, 0xcc, sizeof(buf));
	aml_init(&aml, buf, sizeof(buf));
	emit(&aml);
	ck_assert_int_eq(aml_finish(&aml), len);
	for (size_t i = 0; i < len; i++)
		ck_assert_msg(buf[i] == want[i], "byte %zu: 0x%02x, want 0x%02x",
			      i, buf[i], want[i]);
}

/* WordBusNumber (ResourceProducer, MinFixed, MaxFixed, PosDecode, 0, 0, 0x0F, 0, 0x10) */
static void emit_word_bus(struct aml *aml)
{
	aml_res_word_bus(aml, 0, 15);
}

START_TEST(test_word_bus)
{
	static const uint8_t want[] = {
		0x88, 0x0d, 0x00,	/* Word Address Space, 13 bytes follow */
		0x02,			/* bus number range */
		0x0c,			/* producer, PosDecode, MinFixed, MaxFixed */
		0x00,
		0x00, 0x00,		/* _GRA */
		0x00, 0x00,		/* _MIN */
		0x0f, 0x00,		/* _MAX */
		0x00, 0x00,		/* _TRA */
		0x10, 0x00,		/* _LEN */
	};

	check_encoding(emit_word_bus, want, sizeof(want));
}
END_TEST

/*
 * WordIO (ResourceProducer, MinFixed, MaxFixed, PosDecode, EntireRange,
 *	   0, 0, 0x0CF7, 0, 0x0CF8)
 * WordIO (..., 0, 0x0D00, 0xFFFF, 0, 0xF300)
 */
static void emit_word_io(struct aml *aml)
{
	aml_res_word_io(aml, 0, 0xcf7);
	aml_res_word_io(aml, 0xd00, 0xffff);
}

START_TEST(test_word_io)
{
	static const uint8_t want[] = {
		0x88, 0x0d, 0x00, 0x01, 0x0c,
		0x03,			/* _RNG: entire range */
		0x00, 0x00, 0x00, 0x00, 0xf7, 0x0c, 0x00, 0x00, 0xf8, 0x0c,
		0x88, 0x0d, 0x00, 0x01, 0x0c, 0x03,
		0x00, 0x00, 0x00, 0x0d, 0xff, 0xff, 0x00, 0x00, 0x00, 0xf3,
	};

	check_encoding(emit_word_io, want, sizeof(want));
}
END_TEST

/*
 * DWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed, NonCacheable,
 *		ReadWrite, 0, 0xC1000000, 0xFEBFFFFF, 0, 0x3DC00000)
 * DWordMemory (..., Prefetchable, ReadOnly, 0, 0x1000, 0x1FFF, 0, 0x1000)
 */
static void emit_dword_memory(struct aml *aml)
{
	aml_res_dword_memory(aml, 0xc1000000, 0xfebfffff,
			     AML_MEM_READ_WRITE | AML_MEM_NON_CACHEABLE);
	aml_res_dword_memory(aml, 0x1000, 0x1fff, AML_MEM_PREFETCHABLE);
}

START_TEST(test_dword_memory)
{
	static const uint8_t want[] = {
		0x87, 0x17, 0x00,	/* DWord Address Space, 23 bytes follow */
		0x00,			/* memory range */
		0x0c,
		0x01,			/* _RW read-write, _MEM non-cacheable */
		0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0xc1,
		0xff, 0xff, 0xbf, 0xfe,
		0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0xc0, 0x3d,
		0x87, 0x17, 0x00, 0x00, 0x0c,
		0x06,			/* read-only, prefetchable */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00,
		0xff, 0x1f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x10, 0x00, 0x00,
	};

	check_encoding(emit_dword_memory, want, sizeof(want));
}
END_TEST

/*
 * QWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed, Cacheable,
 *		ReadWrite, 0, 0x8000000000, 0x8FFFFFFFFF, 0, 0x1000000000)
 */
static void emit_qword_memory(struct aml *aml)
{
	aml_res_qword_memory(aml, 0x8000000000ULL, 0x8fffffffffULL,
			     AML_MEM_READ_WRITE | AML_MEM_CACHEABLE);
}

START_TEST(test_qword_memory)
{
	static const uint8_t want[] = {
		0x8a, 0x2b, 0x00,	/* QWord Address Space, 43 bytes follow */
		0x00, 0x0c,
		0x03,			/* read-write, cacheable */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00,
		0xff, 0xff, 0xff, 0xff, 0x8f, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00,
	};

	check_encoding(emit_qword_memory, want, sizeof(want));
}
END_TEST

/* Memory32Fixed (ReadWrite, 0xC0000000, 0x01000000), then ReadOnly. */
static void emit_memory32_fixed(struct aml *aml)
{
	aml_res_memory32_fixed(aml, 0xc0000000, 0x1000000, true);
	aml_res_memory32_fixed(aml, 0xfed00000, 0x400, false);
}

START_TEST(test_memory32_fixed)
{
	static const uint8_t want[] = {
		0x86, 0x09, 0x00, 0x01,
		0x00, 0x00, 0x00, 0xc0, 0x00, 0x00, 0x00, 0x01,
		0x86, 0x09, 0x00, 0x00,
		0x00, 0x00, 0xd0, 0xfe, 0x00, 0x04, 0x00, 0x00,
	};

	check_encoding(emit_memory32_fixed, want, sizeof(want));
}
END_TEST

/*
 * Name (_CRS, ResourceTemplate () { IO (Decode16, 0x3F8, 0x3F8, 1, 8)
 * IRQNoFlags () {4} }): the buffer's size and PkgLength are written when
 * it ends.
 */
static void emit_crs(struct aml *aml)
{
	aml_name_begin(aml, "_CRS");
	aml_buffer_begin(aml);
	aml_res_io(aml, 0x3f8, 8);
	aml_res_irq(aml, 4);
	aml_res_end(aml);
	aml_end(aml);
}

START_TEST(test_resource_template)
{
	static const uint8_t want[] = {
		0x08, '_', 'C', 'R', 'S',
		0x11, 0x10,		/* Buffer, PkgLength 16 */
		0x0a, 0x0d,		/* BufferSize 13 */
		0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x01, 0x08,
		0x22, 0x10, 0x00, 0x79, 0x00,
	};

	check_encoding(emit_crs, want, sizeof(want));
}
END_TEST

/* 300 bytes: a WordConst size and a two-byte PkgLength (3 + 300 + 2). */
START_TEST(test_long_buffer)
{
	uint8_t data[300], buf[400];
	struct aml aml;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = i;
	aml_init(&aml, buf, sizeof(buf));
	aml_name_buffer(&aml, "BUF0", data, sizeof(data));
	ck_assert_int_eq(aml_finish(&aml), 5 + 1 + 2 + 3 + 300);
	ck_assert_uint_eq(buf[5], 0x11);
	ck_assert_uint_eq(buf[6], 0x40 | (305 & 0xf));
	ck_assert_uint_eq(buf[7], 305 >> 4);
	ck_assert_uint_eq(buf[8], 0x0b);
	ck_assert_uint_eq(buf[9], 300 & 0xff);
	ck_assert_uint_eq(buf[10], 300 >> 8);
	ck_assert_int_eq(memcmp(buf + 11, data, sizeof(data)), 0);
}
END_TEST

/* Buffers inside a device inside a scope: every length lands right. */
START_TEST(test_nested_buffer)
{
	static const uint8_t want[] = {
		0x10, 0x18, '\\', '_', 'S', 'B', '_',
		0x5b, 0x82, 0x10, 'D', 'E', 'V', '0',
		0x08, '_', 'C', 'R', 'S', 0x11, 0x05, 0x0a, 0x02, 0x79, 0x00,
	};
	uint8_t buf[64];
	struct aml aml;

	aml_init(&aml, buf, sizeof(buf));
	aml_scope_begin(&aml, "\\_SB_");
	aml_device_begin(&aml, "DEV0");
	aml_name_begin(&aml, "_CRS");
	aml_buffer_begin(&aml);
	aml_res_end(&aml);
	aml_end(&aml);
	aml_end(&aml);
	aml_end(&aml);
	ck_assert_int_eq(aml_finish(&aml), sizeof(want));
	ck_assert_int_eq(memcmp(buf, want, sizeof(want)), 0);
}
END_TEST

/*
 * Name (_HID, EisaId ("PNP0A08")) Name (_CID, EisaId ("PNP0A03"))
 * Name (_HID, "QEMU0002")
 */
static void emit_ids(struct aml *aml)
{
	aml_name_eisaid(aml, "_HID", "PNP0A08");
	aml_name_eisaid(aml, "_CID", "PNP0A03");
	aml_name_eisaid(aml, "_HID", "PNP0C02");
	aml_name_string(aml, "_HID", "QEMU0002");
}

START_TEST(test_ids)
{
	static const uint8_t want[] = {
		0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x0a, 0x08,
		0x08, '_', 'C', 'I', 'D', 0x0c, 0x41, 0xd0, 0x0a, 0x03,
		0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x0c, 0x02,
		0x08, '_', 'H', 'I', 'D', 0x0d,
		'Q', 'E', 'M', 'U', '0', '0', '0', '2', 0x00,
	};

	check_encoding(emit_ids, want, sizeof(want));
}
END_TEST

/* NameStrings: root alone, two segments (DualNamePrefix), three (MultiNamePrefix). */
static void emit_paths(struct aml *aml)
{
	aml_scope_begin(aml, "\\");
	aml_end(aml);
	aml_name_integer(aml, "\\_SB_.PCI0", 0);
	aml_name_integer(aml, "\\_SB.PCI0.S1", 0);
}

START_TEST(test_paths)
{
	static const uint8_t want[] = {
		0x10, 0x03, '\\', 0x00,
		0x08, '\\', 0x2e, '_', 'S', 'B', '_', 'P', 'C', 'I', '0', 0x00,
		0x08, '\\', 0x2f, 0x03, '_', 'S', 'B', '_', 'P', 'C', 'I', '0',
		'S', '1', '_', '_', 0x00,
	};

	check_encoding(emit_paths, want, sizeof(want));
}
END_TEST

START_TEST(test_bad_arguments)
{
	uint8_t buf[128];
	struct aml aml;

	aml_init(&aml, buf, sizeof(buf));
	aml_res_dword_memory(&aml, 0x2000, 0x1fff, AML_MEM_READ_WRITE);	/* min > max */
	ck_assert_int_eq(aml_finish(&aml), -EINVAL);

	aml_init(&aml, buf, sizeof(buf));
	aml_res_qword_memory(&aml, 0, 1, 0x10);		/* not a _RW/_MEM flag */
	ck_assert_int_eq(aml_finish(&aml), -EINVAL);

	aml_init(&aml, buf, sizeof(buf));
	aml_res_word_bus(&aml, 1, 0);
	ck_assert_int_eq(aml_finish(&aml), -EINVAL);

	aml_init(&aml, buf, sizeof(buf));
	aml_res_irq(&aml, 16);				/* IRQ descriptors stop at 15 */
	ck_assert_int_eq(aml_finish(&aml), -EINVAL);

	aml_init(&aml, buf, sizeof(buf));
	aml_name_eisaid(&aml, "_HID", "pnp0a08");	/* IDs are upper case */
	ck_assert_int_eq(aml_finish(&aml), -EINVAL);

	aml_init(&aml, buf, sizeof(buf));
	aml_name_integer(&aml, "PCI00", 0);		/* five characters */
	ck_assert_int_eq(aml_finish(&aml), -EINVAL);

	aml_init(&aml, buf, sizeof(buf));
	aml_name_integer(&aml, "pci0", 0);		/* lower case */
	ck_assert_int_eq(aml_finish(&aml), -EINVAL);

	aml_init(&aml, buf, sizeof(buf));
	aml_name_integer(&aml, "0PCI", 0);		/* leading digit */
	ck_assert_int_eq(aml_finish(&aml), -EINVAL);

	aml_init(&aml, buf, sizeof(buf));
	aml_name_integer(&aml, "\\_SB_..PCI0", 0);	/* empty segment */
	ck_assert_int_eq(aml_finish(&aml), -EINVAL);

	/* Room for the bytes but not for the size and PkgLength inserted at the end. */
	aml_init(&aml, buf, 5);
	aml_buffer_begin(&aml);
	aml_res_end(&aml);
	aml_res_end(&aml);
	aml_end(&aml);
	ck_assert_int_eq(aml_finish(&aml), -ENOSPC);
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
	tcase_add_test(tc, test_word_bus);
	tcase_add_test(tc, test_word_io);
	tcase_add_test(tc, test_dword_memory);
	tcase_add_test(tc, test_qword_memory);
	tcase_add_test(tc, test_memory32_fixed);
	tcase_add_test(tc, test_resource_template);
	tcase_add_test(tc, test_long_buffer);
	tcase_add_test(tc, test_nested_buffer);
	tcase_add_test(tc, test_ids);
	tcase_add_test(tc, test_paths);
	tcase_add_test(tc, test_bad_arguments);
	suite_add_tcase(s, tc);
	return s;
}
