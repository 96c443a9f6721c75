// SPDX-License-Identifier: GPL-2.0
#include <stdbool.h>

#include "devices/rtc_cmos.h"
#include "tests/unit/suites.h"

/* 2026-11-21 20:41:54 UTC, a Saturday */
static time_t fixed_clock(void)
{
	return 1795293714;
}

static uint8_t rtc_get(struct rtc_cmos *rtc, uint8_t reg)
{
	uint8_t v = reg;

	rtc_cmos_access(rtc, 0, &v, 1, true);
	rtc_cmos_access(rtc, 1, &v, 1, false);
	return v;
}

static void rtc_set(struct rtc_cmos *rtc, uint8_t reg, uint8_t value)
{
	uint8_t v = reg;

	rtc_cmos_access(rtc, 0, &v, 1, true);
	rtc_cmos_access(rtc, 1, &value, 1, true);
}

START_TEST(test_time_in_bcd)
{
	struct rtc_cmos rtc;

	rtc_cmos_init(&rtc, fixed_clock);
	ck_assert_uint_eq(rtc_get(&rtc, 0x00), 0x54);
	ck_assert_uint_eq(rtc_get(&rtc, 0x02), 0x41);
	ck_assert_uint_eq(rtc_get(&rtc, 0x04), 0x20);
	ck_assert_uint_eq(rtc_get(&rtc, 0x06), 0x07);	/* Saturday = 7 */
	ck_assert_uint_eq(rtc_get(&rtc, 0x07), 0x21);
	ck_assert_uint_eq(rtc_get(&rtc, 0x08), 0x11);
	ck_assert_uint_eq(rtc_get(&rtc, 0x09), 0x26);
	ck_assert_uint_eq(rtc_get(&rtc, 0x32), 0x20);
}
END_TEST

START_TEST(test_status_registers)
{
	struct rtc_cmos rtc;

	rtc_cmos_init(&rtc, fixed_clock);
	/* Never "update in progress": a guest polling UIP goes on at once. */
	ck_assert_uint_eq(rtc_get(&rtc, 0x0a) & 0x80, 0);
	ck_assert_uint_eq(rtc_get(&rtc, 0x0b), 0x02);
	ck_assert_uint_eq(rtc_get(&rtc, 0x0d), 0x80);
	rtc_set(&rtc, 0x0a, 0xff);
	rtc_set(&rtc, 0x0d, 0x00);
	ck_assert_uint_eq(rtc_get(&rtc, 0x0a) & 0x80, 0);
	ck_assert_uint_eq(rtc_get(&rtc, 0x0d), 0x80);
	/* The clock follows the host: writes to the time are ignored. */
	rtc_set(&rtc, 0x00, 0x11);
	ck_assert_uint_eq(rtc_get(&rtc, 0x00), 0x54);
}
END_TEST

START_TEST(test_cmos_ram_and_index)
{
	struct rtc_cmos rtc;
	uint8_t v;

	rtc_cmos_init(&rtc, fixed_clock);
	rtc_set(&rtc, 0x40, 0xa5);
	rtc_set(&rtc, 0x01, 0x33);		/* alarm seconds are plain RAM */
	ck_assert_uint_eq(rtc_get(&rtc, 0x40), 0xa5);
	ck_assert_uint_eq(rtc_get(&rtc, 0x01), 0x33);
	/* Bit 7 of the index is the NMI mask, not part of the address. */
	ck_assert_uint_eq(rtc_get(&rtc, 0x80 | 0x40), 0xa5);
	v = 0;
	rtc_cmos_access(&rtc, 0, &v, 1, false);
	ck_assert_uint_eq(v, 0xff);
	/* Wide accesses are not decoded. */
	{
		uint8_t wide[2] = { 0, 0 };

		rtc_cmos_access(&rtc, 1, wide, 2, false);
		ck_assert_uint_eq(wide[0], 0xff);
		ck_assert_uint_eq(wide[1], 0xff);
	}
}
END_TEST

static time_t sweep_now;

static time_t sweep_clock(void)
{
	return sweep_now;
}

static int from_bcd(uint8_t v)
{
	return (v >> 4) * 10 + (v & 0xf);
}

/* The arithmetic calendar agrees with libc over five centuries. */
START_TEST(test_calendar_matches_libc)
{
	struct rtc_cmos rtc;
	struct tm tm;

	rtc_cmos_init(&rtc, sweep_clock);
	for (sweep_now = 0; sweep_now < 16000000000LL; sweep_now += 7 * 86400 + 3599) {
		gmtime_r(&sweep_now, &tm);
		ck_assert_int_eq(from_bcd(rtc_get(&rtc, 0x00)), tm.tm_sec);
		ck_assert_int_eq(from_bcd(rtc_get(&rtc, 0x02)), tm.tm_min);
		ck_assert_int_eq(from_bcd(rtc_get(&rtc, 0x04)), tm.tm_hour);
		ck_assert_int_eq(from_bcd(rtc_get(&rtc, 0x06)), tm.tm_wday + 1);
		ck_assert_int_eq(from_bcd(rtc_get(&rtc, 0x07)), tm.tm_mday);
		ck_assert_int_eq(from_bcd(rtc_get(&rtc, 0x08)), tm.tm_mon + 1);
		ck_assert_int_eq(from_bcd(rtc_get(&rtc, 0x09)), tm.tm_year % 100);
		ck_assert_int_eq(from_bcd(rtc_get(&rtc, 0x32)), (tm.tm_year + 1900) / 100);
	}
}
END_TEST

Suite *rtc_suite(void)
{
	Suite *s = suite_create("rtc");
	TCase *tc = tcase_create("cmos");

	tcase_add_test(tc, test_time_in_bcd);
	tcase_add_test(tc, test_status_registers);
	tcase_add_test(tc, test_cmos_ram_and_index);
	tcase_add_test(tc, test_calendar_matches_libc);
	suite_add_tcase(s, tc);
	return s;
}
