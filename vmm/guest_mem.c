// SPDX-License-Identifier: GPL-2.0
#include "vmm/guest_mem.h"

void *guest_mem_ptr(const struct guest_mem *mem, uint64_t gpa, uint64_t len)
{
	size_t i;

	for (i = 0; i < mem->nr_slots; i++) {
		const struct guest_slot *s = &mem->slots[i];

		/* Subtractions only: no sum here can wrap. */
		if (gpa >= s->gpa && gpa - s->gpa < s->size &&
		    len <= s->size - (gpa - s->gpa))
			return s->host + (gpa - s->gpa);
	}
	return NULL;
}
