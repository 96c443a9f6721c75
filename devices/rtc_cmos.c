// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "devices/rtc_cmos.h"
#include "vmm/bus.h"
#include "vmm/vm.h"

enum {
	RTC_SECONDS = 0x00, RTC_MINUTES = 0x02, RTC_HOURS = 0x04,
	RTC_DAY_OF_WEEK = 0x06, RTC_DAY_OF_MONTH = 0x07, RTC_MONTH = 0x08,
	RTC_YEAR = 0x09, RTC_REG_A = 0x0a, RTC_REG_B = 0x0b, RTC_REG_C = 0x0c,
	RTC_REG_D = 0x0d, RTC_CENTURY = 0x32,
};

#define RTC_REG_A_DEFAULT	0x26	/* 32.768 kHz base, 1024 Hz; UIP clear */
#define RTC_REG_B_24H		0x02	/* 24-hour mode, BCD */
#define RTC_REG_D_VRT		0x80	/* the battery is fine */
#define RTC_INDEX_MASK		0x7f	/* bit 7 of the index masks NMIs */

static uint8_t to_bcd(unsigned int v)
{
	return ((v / 10) << 4) | (v % 10);
}

/*
 * UTC calendar fields from seconds since the epoch, by arithmetic alone:
 * gmtime_r would open the timezone file on first use, which the syscall
 * filter forbids once the guest runs. Days are counted in 400-year eras
 * starting on 1 March, so leap days fall at the end of each year.
 */
static void rtc_civil_time(time_t now, struct tm *tm)
{
	int64_t days = now / 86400, secs = now % 86400;
	int64_t era, doe, yoe, doy, mp, year;

	if (secs < 0) {
		secs += 86400;
		days--;
	}
	tm->tm_hour = secs / 3600;
	tm->tm_min = secs / 60 % 60;
	tm->tm_sec = secs % 60;
	tm->tm_wday = (int)(((days % 7) + 11) % 7);	/* 1970-01-01 was a Thursday */
	days += 719468;					/* from 0000-03-01 */
	era = (days >= 0 ? days : days - 146096) / 146097;
	doe = days - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	tm->tm_mday = doy - (153 * mp + 2) / 5 + 1;
	tm->tm_mon = mp < 10 ? mp + 2 : mp - 10;
	year = yoe + era * 400 + (tm->tm_mon < 2);
	tm->tm_year = year - 1900;
}

static uint8_t rtc_read(struct rtc_cmos *rtc, uint8_t reg)
{
	struct tm tm;

	if (reg > RTC_YEAR && reg != RTC_CENTURY)
		return rtc->ram[reg];
	rtc_civil_time(rtc->clock(), &tm);
	switch (reg) {
	case RTC_SECONDS:	return to_bcd(tm.tm_sec);
	case RTC_MINUTES:	return to_bcd(tm.tm_min);
	case RTC_HOURS:		return to_bcd(tm.tm_hour);
	case RTC_DAY_OF_WEEK:	return to_bcd(tm.tm_wday + 1);
	case RTC_DAY_OF_MONTH:	return to_bcd(tm.tm_mday);
	case RTC_MONTH:		return to_bcd(tm.tm_mon + 1);
	case RTC_YEAR:		return to_bcd(tm.tm_year % 100);
	case RTC_CENTURY:	return to_bcd((tm.tm_year + 1900) / 100);
	default:		return rtc->ram[reg];	/* alarm registers */
	}
}

static void rtc_write(struct rtc_cmos *rtc, uint8_t reg, uint8_t value)
{
	/* The clock follows the host; status registers C and D are read-only. */
	if (reg == RTC_REG_C || reg == RTC_REG_D || reg == RTC_REG_A)
		return;
	if (reg <= RTC_YEAR && !(reg & 1))
		return;
	if (reg == RTC_CENTURY)
		return;
	rtc->ram[reg] = value;
}

void rtc_cmos_access(void *opaque, uint64_t offset, uint8_t *data,
		     unsigned int size, bool is_write)
{
	struct rtc_cmos *rtc = opaque;

	if (size != 1) {
		if (!is_write)
			memset(data, 0xff, size);
		return;
	}
	if (offset == 0) {
		if (is_write)
			rtc->index = data[0] & RTC_INDEX_MASK;
		else
			data[0] = 0xff;	/* the index port is write-only */
		return;
	}
	if (is_write)
		rtc_write(rtc, rtc->index, data[0]);
	else
		data[0] = rtc_read(rtc, rtc->index);
}

static time_t rtc_host_time(void)
{
	return time(NULL);
}

void rtc_cmos_init(struct rtc_cmos *rtc, time_t (*clock)(void))
{
	memset(rtc, 0, sizeof(*rtc));
	rtc->clock = clock ? clock : rtc_host_time;
	rtc->ram[RTC_REG_A] = RTC_REG_A_DEFAULT;
	rtc->ram[RTC_REG_B] = RTC_REG_B_24H;
	rtc->ram[RTC_REG_D] = RTC_REG_D_VRT;
}

int rtc_cmos_setup(struct vm *vm, uint64_t port_base)
{
	struct rtc_cmos *rtc = vm_alloc(vm, sizeof(*rtc));

	if (!rtc)
		return -ENOMEM;
	rtc_cmos_init(rtc, NULL);
	return bus_register(&vm->pio_bus, port_base, 2, rtc_cmos_access, rtc, "rtc");
}
