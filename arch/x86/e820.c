// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

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

/*
 * The zero page holds 128 entries; a plan cut by many host regions needs
 * more, and Linux takes the rest from a SETUP_E820_EXT setup_data blob.
 * Returns the bytes of ext used (0 when the zero page was enough),
 * -ENOSPC when even ext cannot hold them, -ENOMEM.
 */
int e820_write_boot(const struct vm_plan *plan, struct boot_params *bp,
		    struct setup_data *ext, size_t ext_size)
{
	size_t max = plan->nr_regions ? plan->nr_regions : 1, extra, len;
	struct boot_e820_entry *all = calloc(max, sizeof(*all));
	unsigned int zero;
	int n;

	if (!all)
		return -ENOMEM;
	n = e820_from_plan(plan, all, max);
	if (n < 0) {
		free(all);
		return n;
	}
	zero = MIN((unsigned int)n, (unsigned int)E820_MAX_ENTRIES_ZEROPAGE);
	memcpy(bp->e820_table, all, zero * sizeof(all[0]));
	bp->e820_entries = zero;
	extra = n - zero;
	len = extra ? sizeof(*ext) + extra * sizeof(all[0]) : 0;
	if (len > ext_size) {
		free(all);
		return -ENOSPC;
	}
	if (extra) {
		ext->next = 0;
		ext->type = SETUP_E820_EXT;
		ext->len = extra * sizeof(all[0]);
		memcpy(ext->data, all + zero, extra * sizeof(all[0]));
	}
	free(all);
	return len;
}
