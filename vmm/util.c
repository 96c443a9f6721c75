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
