/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Port I/O and MMIO dispatch. Devices register address ranges before the
 * vCPUs start; lookups afterwards are lock-free reads of a sorted array.
 */
#ifndef SHAPEVM_BUS_H
#define SHAPEVM_BUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* data holds size bytes, little endian; offset is from the range's base. */
typedef void (*bus_access_fn)(void *opaque, uint64_t offset, uint8_t *data,
			      unsigned int size, bool is_write);

struct bus_range {
	uint64_t base;
	uint64_t len;
	bus_access_fn access;
	void *opaque;
	const char *name;
};

struct bus {
	const char *name;
	struct bus_range *ranges;
	size_t nr_ranges;
	size_t capacity;
};

void bus_init(struct bus *bus, const char *name);
void bus_destroy(struct bus *bus);
int bus_register(struct bus *bus, uint64_t base, uint64_t len,
		 bus_access_fn access, void *opaque, const char *name);
const struct bus_range *bus_find(const struct bus *bus, uint64_t addr);
bool bus_access(const struct bus *bus, uint64_t addr, uint8_t *data,
		unsigned int size, bool is_write);

#endif
