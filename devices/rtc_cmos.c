// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
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

static uint8_t rtc_read(struct rtc_cmos *rtc, uint8_t reg)
{
	time_t now = rtc->clock();
	struct tm tm;

	if (reg > RTC_YEAR && reg != RTC_CENTURY)
		return rtc->ram[reg];
	gmtime_r(&now, &tm);
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
	/* One per VM; it lives as long as the process. */
	static struct rtc_cmos rtc;

	rtc_cmos_init(&rtc, NULL);
	return bus_register(&vm->pio_bus, port_base, 2, rtc_cmos_access, &rtc, "rtc");
}
