// SPDX-License-Identifier: GPL-2.0
#include <errno.h>

#include "arch/x86/e820.h"

/*
 * RAM is usable; firmware tables, device frames, the MSI window, reserved
 * ranges and the holes host regions cut are "reserved" (rule: holes are
 * advertised to the guest, so it puts no BAR there either). PCI windows and the legacy VGA hole are
 * left out: Linux places BARs in gaps of the map, and knows the VGA hole.
 * Adjacent entries of one type merge, as firmware reports them.
 */
int e820_from_plan(const struct vm_plan *plan, struct boot_e820_entry *table,
		   unsigned int max)
{
	unsigned int n = 0;
	size_t i;

	for (i = 0; i < plan->nr_regions; i++) {
		const struct plan_region *r = &plan->regions[i];
		uint32_t type;

		switch (r->kind) {
		case PLAN_RAM:
			type = E820_TYPE_RAM;
			break;
		case PLAN_FIRMWARE:
		case PLAN_DEVICE:
		case PLAN_MSI:
		case PLAN_RESERVED:
		case PLAN_HOLE:
			type = E820_TYPE_RESERVED;
			break;
		default:
			continue;
		}
		if (n && table[n - 1].type == type &&
		    table[n - 1].addr + table[n - 1].size == r->start) {
			table[n - 1].size += r->size;
			continue;
		}
		if (n == max)
			return -ENOSPC;
		table[n].addr = r->start;
		table[n].size = r->size;
		table[n].type = type;
		n++;
	}
	return n;
}
