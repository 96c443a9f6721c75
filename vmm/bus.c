// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/bus.h"

void bus_init(struct bus *bus, const char *name)
{
	memset(bus, 0, sizeof(*bus));
	bus->name = name;
}

void bus_destroy(struct bus *bus)
{
	free(bus->ranges);
	bus->ranges = NULL;
	bus->nr_ranges = bus->capacity = 0;
}

int bus_register(struct bus *bus, uint64_t base, uint64_t len,
		 bus_access_fn access, void *opaque, const char *name)
{
	size_t i;

	if (!len || base + len - 1 < base)
		return -EINVAL;
	/* Inclusive ends: a range may end at the very top of the space. */
	for (i = 0; i < bus->nr_ranges; i++) {
		const struct bus_range *r = &bus->ranges[i];

		if (base <= r->base + (r->len - 1) && r->base <= base + (len - 1))
			return -EEXIST;
	}
	if (bus->nr_ranges == bus->capacity) {
		size_t cap = bus->capacity ? bus->capacity * 2 : 16;
		struct bus_range *grown = realloc(bus->ranges, cap * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		bus->ranges = grown;
		bus->capacity = cap;
	}
	/* Keep the array sorted so lookups can bisect. */
	for (i = bus->nr_ranges; i > 0 && bus->ranges[i - 1].base > base; i--)
		bus->ranges[i] = bus->ranges[i - 1];
	bus->ranges[i] = (struct bus_range) {
		.base = base, .len = len, .access = access,
		.opaque = opaque, .name = name,
	};
	bus->nr_ranges++;
	return 0;
}

const struct bus_range *bus_find(const struct bus *bus, uint64_t addr)
{
	size_t lo = 0, hi = bus->nr_ranges;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct bus_range *r = &bus->ranges[mid];

		if (addr < r->base)
			hi = mid;
		else if (addr - r->base >= r->len)
			lo = mid + 1;
		else
			return r;
	}
	return NULL;
}

/*
 * Returns false when nothing claims the address: reads then see all-ones,
 * as on a real bus where nobody answers.
 */
bool bus_access(const struct bus *bus, uint64_t addr, uint8_t *data,
		unsigned int size, bool is_write)
{
	const struct bus_range *r = bus_find(bus, addr);

	if (!r || addr - r->base + size > r->len) {
		if (!is_write)
			memset(data, 0xff, size);
		return false;
	}
	r->access(r->opaque, addr - r->base, data, size, is_write);
	return true;
}
