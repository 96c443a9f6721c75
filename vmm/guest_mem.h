/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest memory as devices see it: host pointers for guest-physical ranges,
 * only when a range lies wholly in one slot. Every address a guest hands a
 * device goes through guest_mem_ptr; a range outside RAM, straddling a
 * hole, or wrapping past 2^64 gets NULL, never a pointer.
 */
#ifndef SHAPEVM_GUEST_MEM_H
#define SHAPEVM_GUEST_MEM_H

#include <stddef.h>
#include <stdint.h>

struct guest_slot {
	uint64_t gpa;
	uint64_t size;
	uint8_t *host;
	unsigned int slot;
};

struct guest_mem {
	const struct guest_slot *slots;
	size_t nr_slots;
};

/* NULL unless [gpa, gpa + len) lies in one slot; len 0 needs gpa in a slot. */
void *guest_mem_ptr(const struct guest_mem *mem, uint64_t gpa, uint64_t len);

#endif
