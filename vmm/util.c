// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>

#include "vmm/util.h"

/* Prints the largest unit that divides the size exactly, so "1536M" not "1.5G". */
void size_format(uint64_t bytes, char *buf, size_t len)
{
	static const char units[] = "KMGTPE";
	int unit = -1;

	while (bytes && (bytes & 1023) == 0 && unit < 5) {
		bytes >>= 10;
		unit++;
	}
	if (unit < 0)
		snprintf(buf, len, "%llu", (unsigned long long)bytes);
	else
		snprintf(buf, len, "%llu%c", (unsigned long long)bytes, units[unit]);
}

/* For messages: "47.5G", by magnitude, rounded down to a tenth. */
void size_human(uint64_t bytes, char *buf, size_t len)
{
	static const char units[] = "KMGTPE";
	int unit = -1;
	uint64_t scale = 1;

	while (unit < 5 && bytes / scale >= 1024) {
		scale <<= 10;
		unit++;
	}
	if (unit < 0)
		snprintf(buf, len, "%llu", (unsigned long long)bytes);
	else if (bytes % scale == 0)
		snprintf(buf, len, "%llu%c", (unsigned long long)(bytes / scale), units[unit]);
	else
		snprintf(buf, len, "%llu.%llu%c", (unsigned long long)(bytes / scale),
			 (unsigned long long)((unsigned __int128)(bytes % scale) * 10 / scale),
			 units[unit]);
}
