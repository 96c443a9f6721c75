/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal MC146818 RTC and CMOS RAM: the host's time in BCD, never
 * "update in progress". Guests without ACPI read the time and poll the
 * update flag through it; without one, Linux polls unclaimed ports for
 * seconds.
 */
#ifndef SHAPEVM_RTC_CMOS_H
#define SHAPEVM_RTC_CMOS_H

#include <stdint.h>
#include <time.h>

struct vm;

#define RTC_CMOS_SIZE	128

struct rtc_cmos {
	uint8_t index;
	uint8_t ram[RTC_CMOS_SIZE];
	time_t (*clock)(void);	/* host time source; time() by default */
};

int rtc_cmos_setup(struct vm *vm, uint64_t port_base);
void rtc_cmos_init(struct rtc_cmos *rtc, time_t (*clock)(void));
void rtc_cmos_access(void *opaque, uint64_t offset, uint8_t *data,
		     unsigned int size, bool is_write);

#endif
