// SPDX-License-Identifier: GPL-2.0
/*
 * RAM is laid into the gaps the fixed regions leave, lowest address first,
 * so a plan is deterministic and low memory (which every boot protocol
 * needs) is filled before high memory.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/memplan.h"
#include "vmm/util.h"

static int plan_fail_with(int ret, struct plan_error *err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* -EINVAL for malformed input, -ENOSPC when the request does not fit. */
static int plan_fail_with(int ret, struct plan_error *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return ret;
}

#define plan_fail(err, ...)	plan_fail_with(-ENOSPC, err, __VA_ARGS__)
#define plan_invalid(err, ...)	plan_fail_with(-EINVAL, err, __VA_ARGS__)

const char *memplan_kind_name(enum plan_kind kind)
{
	switch (kind) {
	case PLAN_RAM:		return "ram";
	case PLAN_FIRMWARE:	return "firmware";
	case PLAN_MMIO_WINDOW:	return "mmio-window";
	case PLAN_DEVICE:	return "device";
	case PLAN_MSI:		return "msi";
	case PLAN_RESERVED:	return "reserved";
	case PLAN_LEGACY:	return "legacy";
	}
	return "?";
}

/*
 * Regions the VMM backs with host memory. Legacy holes are backed too: a
 * guest scans them (Linux reads the x86 option ROM area in 2 KiB steps),
 * and zeroed memory answers without a VM exit per read.
 */
bool memplan_kind_is_backed(enum plan_kind kind)
{
	return kind == PLAN_RAM || kind == PLAN_FIRMWARE || kind == PLAN_LEGACY;
}

static int region_compare(const void *a, const void *b)
{
	const struct plan_region *ra = a, *rb = b;

	if (ra->start != rb->start)
		return ra->start < rb->start ? -1 : 1;
	return 0;
}

static int plan_add(struct vm_plan *plan, const struct plan_region *region,
		    struct plan_error *err)
{
	if (plan->nr_regions == PLAN_MAX_REGIONS)
		return plan_fail(err, "the plan needs more than %d regions",
				 PLAN_MAX_REGIONS);
	plan->regions[plan->nr_regions++] = *region;
	return 0;
}

static int plan_add_ram(struct vm_plan *plan, uint64_t start, uint64_t size,
			struct plan_error *err)
{
	struct plan_region ram = { .start = start, .size = size, .kind = PLAN_RAM };
	unsigned int bank = 0;
	size_t i;

	for (i = 0; i < plan->nr_regions; i++)
		bank += plan->regions[i].kind == PLAN_RAM;
	snprintf(ram.name, sizeof(ram.name), "ram%u", bank);
	snprintf(ram.why, sizeof(ram.why), "guest RAM bank %u", bank);
	return plan_add(plan, &ram, err);
}

static int check_fixed(const struct plan_constraints *cons,
		       const struct plan_region *sorted, struct plan_error *err)
{
	size_t i;

	for (i = 0; i < cons->nr_fixed; i++) {
		const struct plan_region *r = &sorted[i];

		if (!r->size || r->start + r->size < r->start)
			return plan_invalid(err, "%s: fixed region has a bad size", r->name);
		if (i && sorted[i - 1].start + sorted[i - 1].size > r->start)
			return plan_invalid(err, "%s overlaps %s in the %s layout",
					 r->name, sorted[i - 1].name, cons->arch);
	}
	return 0;
}

int memplan_build(const struct plan_request *req,
		  const struct plan_constraints *cons,
		  struct vm_plan *plan, struct plan_error *err)
{
	struct plan_region *fixed;
	uint64_t left, cursor;
	size_t i;
	int ret;

	memset(plan, 0, sizeof(*plan));
	plan->arch = cons->arch;
	if (!req->ram_size || req->ram_size % SZ_4K)
		return plan_invalid(err, "RAM size must be a non-zero multiple of 4K");
	if (cons->nr_fixed > PLAN_MAX_REGIONS)
		return plan_invalid(err, "too many fixed regions");

	fixed = calloc(cons->nr_fixed ? cons->nr_fixed : 1, sizeof(*fixed));
	if (!fixed)
		return -ENOMEM;
	if (cons->nr_fixed)
		memcpy(fixed, cons->fixed, cons->nr_fixed * sizeof(*fixed));
	qsort(fixed, cons->nr_fixed, sizeof(*fixed), region_compare);
	ret = check_fixed(cons, fixed, err);
	if (ret)
		goto out;

	left = req->ram_size;
	cursor = cons->ram_base;
	for (i = 0; i <= cons->nr_fixed && left; i++) {
		uint64_t gap_end = i < cons->nr_fixed ? fixed[i].start : cons->addr_limit;
		uint64_t start, size;

		gap_end = MIN(gap_end, cons->addr_limit);
		if (gap_end > cursor) {
			/*
			 * Banks start and end on 4K pages; where the fixed
			 * regions are 2M aligned, so are the banks.
			 */
			start = ALIGN_UP(cursor, SZ_4K);
			if (start >= gap_end)
				goto next;
			size = ALIGN_DOWN(gap_end - start, SZ_4K);
			size = MIN(size, left);
			if (size) {
				ret = plan_add_ram(plan, start, size, err);
				if (ret)
					goto out;
				left -= size;
			}
		}
next:
		if (i < cons->nr_fixed)
			cursor = MAX(cursor, fixed[i].start + fixed[i].size);
	}
	if (left) {
		char want[32], limit[32];

		size_format(req->ram_size, want, sizeof(want));
		size_format(req->ram_size - left, limit, sizeof(limit));
		ret = plan_fail(err, "%s of RAM does not fit below the guest's address limit 0x%llx: only %s fits (ask for less RAM)",
				want, (unsigned long long)cons->addr_limit, limit);
		goto out;
	}
	plan->ram_size = req->ram_size;
	for (i = 0; i < cons->nr_fixed; i++) {
		ret = plan_add(plan, &fixed[i], err);
		if (ret)
			goto out;
	}
	qsort(plan->regions, plan->nr_regions, sizeof(plan->regions[0]),
	      region_compare);
out:
	free(fixed);
	return ret;
}

const struct plan_region *memplan_find(const struct vm_plan *plan,
				       const char *name)
{
	size_t i;

	for (i = 0; i < plan->nr_regions; i++)
		if (!strcmp(plan->regions[i].name, name))
			return &plan->regions[i];
	return NULL;
}

void memplan_print(const struct vm_plan *plan, FILE *out)
{
	size_t i;

	fprintf(out, "%-18s %-18s %8s  %-11s %-14s %s\n", "start", "end",
		"size", "kind", "name", "why");
	for (i = 0; i < plan->nr_regions; i++) {
		const struct plan_region *r = &plan->regions[i];
		char size[32];

		size_format(r->size, size, sizeof(size));
		fprintf(out, "0x%016llx 0x%016llx %8s  %-11s %-14s %s\n",
			(unsigned long long)r->start,
			(unsigned long long)(r->start + r->size - 1), size,
			memplan_kind_name(r->kind), r->name, r->why);
	}
}
