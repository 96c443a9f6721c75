// SPDX-License-Identifier: GPL-2.0
/*
 * arch/arm64/gicv2m: the registers Linux's driver reads, SETSPI raising
 * exactly the INTID written, and guest writes that must never raise
 * anything outside the frame's range.
 */
#include <errno.h>
#include <string.h>

#include "arch/arm64/gicv2m.h"
#include "tests/unit/suites.h"
#include "vmm/bus.h"
#include "vmm/le.h"

#define FRAME_BASE	0x08080000ULL
#define SPI_BASE	80		/* INTIDs 112 .. 175 */
#define NR_SPIS		64
#define FIRST_INTID	(32 + SPI_BASE)

struct raised {
	unsigned int count;
	uint32_t last;
	unsigned int out_of_range;
};

static struct gicv2m v2m;
static struct raised raised;

static void record_raise(void *opaque, uint32_t intid)
{
	struct raised *r = opaque;

	r->count++;
	r->last = intid;
	if (intid < FIRST_INTID || intid >= FIRST_INTID + NR_SPIS)
		r->out_of_range++;
}

static void frame_setup(void)
{
	memset(&raised, 0, sizeof(raised));
	ck_assert_int_eq(gicv2m_init(&v2m, FRAME_BASE, SPI_BASE, NR_SPIS, record_raise, &raised), 0);
}

static uint32_t read32(uint64_t offset)
{
	uint8_t data[4];

	memset(data, 0xee, sizeof(data));
	gicv2m_access(&v2m, offset, data, 4, false);
	return get_le32(data);
}

static void write_sized(uint64_t offset, uint64_t value, unsigned int size)
{
	uint8_t data[8];

	put_le64(data, value);
	gicv2m_access(&v2m, offset, data, size, true);
}

START_TEST(test_init_checks)
{
	struct gicv2m f;

	ck_assert_int_eq(gicv2m_init(&f, FRAME_BASE, 0, 0, record_raise, NULL), -EINVAL);
	ck_assert_int_eq(gicv2m_init(&f, FRAME_BASE, 0, 1, NULL, NULL), -EINVAL);
	ck_assert_int_eq(gicv2m_init(&f, FRAME_BASE + 0x800, 0, 1, record_raise, NULL), -EINVAL);
	/* The last INTID is 1019: SPI index 987. */
	ck_assert_int_eq(gicv2m_init(&f, FRAME_BASE, 900, 88, record_raise, NULL), 0);
	ck_assert_int_eq(gicv2m_init(&f, FRAME_BASE, 900, 89, record_raise, NULL), -EINVAL);
	ck_assert_int_eq(gicv2m_init(&f, FRAME_BASE, UINT32_MAX, 1, record_raise, NULL), -EINVAL);
	ck_assert_int_eq(gicv2m_init(&f, FRAME_BASE, 0, UINT32_MAX, record_raise, NULL), -EINVAL);
	ck_assert_int_eq(gicv2m_init(&f, FRAME_BASE, 0, 988, record_raise, NULL), 0);
	ck_assert_uint_eq(gicv2m_first_intid(&f), 32);
}
END_TEST

START_TEST(test_typer)
{
	uint8_t byte;

	/* Base INTID 112 in bits 25:16, 64 SPIs in bits 9:0. */
	ck_assert_uint_eq(read32(GICV2M_MSI_TYPER), 0x00700040);
	ck_assert_uint_eq(gicv2m_first_intid(&v2m), 112);
	/* Byte reads see the same register. */
	gicv2m_access(&v2m, GICV2M_MSI_TYPER + 2, &byte, 1, false);
	ck_assert_uint_eq(byte, 0x70);
	gicv2m_access(&v2m, GICV2M_MSI_TYPER, &byte, 1, false);
	ck_assert_uint_eq(byte, 0x40);
}
END_TEST

START_TEST(test_iidr_and_other_reads)
{
	uint8_t data[8];

	ck_assert_uint_eq(read32(GICV2M_MSI_IIDR), 0x0530043b);
	ck_assert_uint_eq(read32(GICV2M_MSI_IIDR), GICV2M_IIDR_VALUE);
	ck_assert_uint_eq(read32(0x000), 0);
	ck_assert_uint_eq(read32(0x004), 0);
	ck_assert_uint_eq(read32(GICV2M_MSI_SETSPI_NS), 0);
	ck_assert_uint_eq(read32(0x044), 0);
	ck_assert_uint_eq(read32(0xffc), 0);
	/* Past the frame, and wrapping around the address space. */
	ck_assert_uint_eq(read32(0x1000), 0);
	ck_assert_uint_eq(read32(UINT64_MAX - 1), 0);
	/* A 64-bit read over TYPER: TYPER, then the register at 0xc (0). */
	memset(data, 0xee, sizeof(data));
	gicv2m_access(&v2m, GICV2M_MSI_TYPER, data, 8, false);
	ck_assert_uint_eq(get_le64(data), 0x00700040);
	ck_assert_uint_eq(raised.count, 0);
}
END_TEST

START_TEST(test_setspi_raises_once)
{
	write_sized(GICV2M_MSI_SETSPI_NS, 112, 4);
	ck_assert_uint_eq(raised.count, 1);
	ck_assert_uint_eq(raised.last, 112);
	write_sized(GICV2M_MSI_SETSPI_NS, 175, 4);
	ck_assert_uint_eq(raised.count, 2);
	ck_assert_uint_eq(raised.last, 175);
	write_sized(GICV2M_MSI_SETSPI_NS, 130, 4);
	ck_assert_uint_eq(raised.count, 3);
	ck_assert_uint_eq(raised.last, 130);
	ck_assert_uint_eq(raised.out_of_range, 0);
}
END_TEST

START_TEST(test_setspi_ignored)
{
	static const uint64_t bad_values[] = {
		0, 31, 32, 111, 176, 1019, 1020, 0x10070, 0x80000070, UINT32_MAX,
	};

	for (size_t i = 0; i < sizeof(bad_values) / sizeof(bad_values[0]); i++)
		write_sized(GICV2M_MSI_SETSPI_NS, bad_values[i], 4);
	/* A good INTID, but not a 32-bit write of SETSPI_NS. */
	write_sized(GICV2M_MSI_SETSPI_NS, 112, 1);
	write_sized(GICV2M_MSI_SETSPI_NS, 112, 2);
	write_sized(GICV2M_MSI_SETSPI_NS, 112, 8);
	write_sized(GICV2M_MSI_SETSPI_NS, 112, 0);
	write_sized(GICV2M_MSI_SETSPI_NS + 1, 112, 4);
	write_sized(GICV2M_MSI_SETSPI_NS - 4, 112, 4);
	write_sized(0x044, 112, 4);		/* CLRSPI_NS */
	write_sized(0x048, 112, 4);		/* SETSPI_S */
	write_sized(GICV2M_MSI_TYPER, 112, 4);
	write_sized(GICV2M_MSI_SETSPI_NS + 0x1000, 112, 4);
	ck_assert_uint_eq(raised.count, 0);
	/* Writes change no register. */
	ck_assert_uint_eq(read32(GICV2M_MSI_TYPER), 0x00700040);
}
END_TEST

START_TEST(test_msi_to_intid)
{
	uint32_t intid = 0;

	ck_assert(gicv2m_msi_to_intid(&v2m, FRAME_BASE + 0x40, 120, &intid));
	ck_assert_uint_eq(intid, 120);
	intid = 7;
	ck_assert(!gicv2m_msi_to_intid(&v2m, FRAME_BASE + 0x44, 120, &intid));
	ck_assert(!gicv2m_msi_to_intid(&v2m, FRAME_BASE, 120, &intid));
	ck_assert(!gicv2m_msi_to_intid(&v2m, 0xfee00000, 120, &intid));
	ck_assert(!gicv2m_msi_to_intid(&v2m, FRAME_BASE + 0x40, 111, &intid));
	ck_assert(!gicv2m_msi_to_intid(&v2m, FRAME_BASE + 0x40, 176, &intid));
	ck_assert_uint_eq(intid, 7);
	/* Both ends of the range. */
	ck_assert(gicv2m_msi_to_intid(&v2m, FRAME_BASE + 0x40, 112, &intid));
	ck_assert_uint_eq(intid, 112);
	ck_assert(gicv2m_msi_to_intid(&v2m, FRAME_BASE + 0x40, 175, &intid));
	ck_assert_uint_eq(intid, 175);
}
END_TEST

START_TEST(test_on_the_bus)
{
	struct bus bus;
	uint8_t data[4];

	bus_init(&bus, "mmio");
	ck_assert_int_eq(bus_register(&bus, FRAME_BASE, GICV2M_FRAME_SIZE, gicv2m_access,
				      &v2m, "gicv2m"), 0);
	put_le32(data, 150);
	ck_assert(bus_access(&bus, FRAME_BASE + GICV2M_MSI_SETSPI_NS, data, 4, true));
	ck_assert_uint_eq(raised.count, 1);
	ck_assert_uint_eq(raised.last, 150);
	ck_assert(bus_access(&bus, FRAME_BASE + GICV2M_MSI_TYPER, data, 4, false));
	ck_assert_uint_eq(get_le32(data), 0x00700040);
	bus_destroy(&bus);
}
END_TEST

static uint64_t xorshift64(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*state = x;
	return x;
}

START_TEST(test_hostile_writes)
{
	static const unsigned int sizes[10] = { 4, 4, 4, 4, 4, 0, 1, 2, 3, 8 };
	uint64_t seed = 0x5eed2024cafef00dULL;
	unsigned int expected = 0;

	for (int i = 0; i < 5000; i++) {
		uint64_t r = xorshift64(&seed), offset;
		unsigned int size = sizes[(r >> 8) % 10];
		bool is_write = (r >> 4) & 1 || (r & 3) == 2;
		uint8_t data[16];
		uint32_t value;

		/* Mostly near SETSPI_NS, sometimes anywhere. */
		switch (r & 3) {
		case 0:
			offset = xorshift64(&seed);
			break;
		case 1:
			offset = xorshift64(&seed) % GICV2M_FRAME_SIZE;
			break;
		case 2:
			offset = GICV2M_MSI_SETSPI_NS;
			break;
		default:
			offset = GICV2M_MSI_SETSPI_NS + (int)(xorshift64(&seed) % 9) - 4;
			break;
		}
		/* Values near the range half the time. */
		value = (r >> 16) & 1 ? (uint32_t)xorshift64(&seed)
				      : FIRST_INTID - 8 + (uint32_t)(xorshift64(&seed) % (NR_SPIS + 16));
		memset(data, 0, sizeof(data));
		put_le64(data, value | xorshift64(&seed) << 32);
		if (is_write && offset == GICV2M_MSI_SETSPI_NS && size == 4 &&
		    value >= FIRST_INTID && value < FIRST_INTID + NR_SPIS)
			expected++;
		gicv2m_access(&v2m, offset, data, size, is_write);
	}
	ck_assert_uint_eq(raised.out_of_range, 0);
	ck_assert_uint_eq(raised.count, expected);
	/* The seed really exercised the raising path. */
	ck_assert_uint_gt(expected, 100);
}
END_TEST

Suite *gicv2m_suite(void)
{
	Suite *s = suite_create("gicv2m");
	TCase *tc = tcase_create("frame");

	tcase_add_checked_fixture(tc, frame_setup, NULL);
	tcase_add_test(tc, test_init_checks);
	tcase_add_test(tc, test_typer);
	tcase_add_test(tc, test_iidr_and_other_reads);
	tcase_add_test(tc, test_setspi_raises_once);
	tcase_add_test(tc, test_setspi_ignored);
	tcase_add_test(tc, test_msi_to_intid);
	tcase_add_test(tc, test_on_the_bus);
	tcase_add_test(tc, test_hostile_writes);
	suite_add_tcase(s, tc);
	return s;
}
