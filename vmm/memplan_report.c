// SPDX-License-Identifier: GPL-2.0
/*
 * What a plan says to people and to later stages: names, the printed map,
 * how each host region was avoided, and whether a saved plan still keeps
 * the rules on this host (plan --check, run --plan).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/hostres.h"
#include "vmm/memplan.h"
#include "vmm/span.h"
#include "vmm/util.h"

static const char *const kind_names[PLAN_NR_KINDS] = {
	[PLAN_RAM] = "ram",
	[PLAN_FIRMWARE] = "firmware",
	[PLAN_MMIO_WINDOW] = "mmio-window",
	[PLAN_DEVICE] = "device",
	[PLAN_MSI] = "msi",
	[PLAN_RESERVED] = "reserved",
	[PLAN_LEGACY] = "legacy",
	[PLAN_HOLE] = "hole",
};

const char *memplan_kind_name(enum plan_kind kind)
{
	if ((unsigned int)kind < PLAN_NR_KINDS)
		return kind_names[kind];
	return "?";
}

int memplan_kind_parse(const char *name, enum plan_kind *kind)
{
	for (unsigned int i = 0; i < PLAN_NR_KINDS; i++) {
		if (!strcmp(name, kind_names[i])) {
			*kind = i;
			return 0;
		}
	}
	return -EINVAL;
}

static const char *const irqchip_names[] = {
	[PLAN_IRQCHIP_GICV3_ITS] = "gicv3-its",
	[PLAN_IRQCHIP_GICV3] = "gicv3",
	[PLAN_IRQCHIP_GICV2M] = "gicv2m",
	[PLAN_IRQCHIP_GICV2] = "gicv2",
	[PLAN_IRQCHIP_GICV3_V2M] = "gicv3-v2m",
};

const char *memplan_irqchip_name(enum plan_irqchip irqchip)
{
	if ((unsigned int)irqchip < ARRAY_SIZE(irqchip_names))
		return irqchip_names[irqchip];
	return "?";
}

int memplan_irqchip_parse(const char *name, enum plan_irqchip *irqchip)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(irqchip_names); i++) {
		if (!strcmp(name, irqchip_names[i])) {
			*irqchip = i;
			return 0;
		}
	}
	return -EINVAL;
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

uint64_t memplan_ram_total(const struct vm_plan *plan)
{
	uint64_t total = 0;

	for (size_t i = 0; i < plan->nr_regions; i++)
		if (plan->regions[i].kind == PLAN_RAM)
			total += plan->regions[i].size;
	return total;
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

		/* Start and end are exact; the size is for reading. */
		size_human(r->size, size, sizeof(size));
		fprintf(out, "0x%016llx 0x%016llx %8s  %-11s %-14s %s\n",
			(unsigned long long)r->start,
			(unsigned long long)(r->start + r->size - 1), size,
			memplan_kind_name(r->kind), r->name, r->why);
	}
}

/* Index of the first region ending after addr (regions are sorted, disjoint). */
static size_t region_first_after(const struct vm_plan *plan, uint64_t addr)
{
	size_t lo = 0, hi = plan->nr_regions;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct plan_region *r = &plan->regions[mid];

		if (r->start + r->size <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static uint64_t plan_top(const struct vm_plan *plan)
{
	uint64_t top = 0;

	for (size_t i = 0; i < plan->nr_regions; i++)
		top = MAX(top, plan->regions[i].start + plan->regions[i].size);
	return top;
}

/* "kept out of RAM: hole3", "inside lapic-msi", "above the guest's map". */
static void explain_host_region(const struct vm_plan *plan, uint64_t top,
				const struct host_region *h, char *buf, size_t len)
{
	uint64_t last = h->end;
	size_t i, n = 0, used = 0;
	bool on_ram = false, on_bell;

	buf[0] = 0;
	if (h->start >= top) {
		snprintf(buf, len, "above the guest's map (it ends at 0x%llx)",
			 (unsigned long long)top - 1);
		return;
	}
	on_bell = plan->doorbell.size && h->start <= plan->doorbell.start &&
		  plan->doorbell.start + plan->doorbell.size - 1 <= h->end;
	for (i = region_first_after(plan, h->start); i < plan->nr_regions; i++) {
		const struct plan_region *r = &plan->regions[i];

		if (r->start > last)
			break;
		if (r->kind == PLAN_RAM) {
			on_ram = true;
			continue;
		}
		if (n < 3 && used < len)
			used += snprintf(buf + used, len - used, "%s%s", n ? ", " : "", r->name);
		n++;
	}
	if (n > 3 && used < len)
		used += snprintf(buf + used, len - used, " and %zu more", n - 3);
	if (on_ram) {
		char names[128];

		snprintf(names, sizeof(names), "%s", buf);
		snprintf(buf, len, h->type == HOST_DIRECT_RELAXABLE && plan->allow_relaxable ?
			 "RAM placed on it (--allow-relaxable)%s%s" :
			 "CONFLICT: guest RAM overlaps it%s%s", n ? "; also " : "", names);
		return;
	}
	if (on_bell) {
		char names[128];

		snprintf(names, sizeof(names), "%s", buf);
		snprintf(buf, len, "the guest's MSI doorbell sits on it (%s)", names);
		used = strlen(buf);
	} else if (n) {
		char names[128];

		snprintf(names, sizeof(names), "%s", buf);
		snprintf(buf, len, "kept out of RAM: %s", names);
		used = strlen(buf);
	}
	if (h->end >= top && used < len)
		snprintf(buf + used, len - used, "%sreaches above the guest's map",
			 used ? "; " : "");
}

void memplan_print_host(const struct vm_plan *plan,
			const struct host_facts *facts, FILE *out)
{
	uint64_t top = plan_top(plan);
	size_t *order, i, j;

	if (!facts || !facts->nr_regions)
		return;
	order = hostres_sorted(facts);
	if (!order)
		return;
	fprintf(out, "%-18s %-18s %-16s %-20s %s\n", "host start", "end", "type",
		"host", "how the plan avoids it");
	for (i = 0; i < facts->nr_regions; i = j) {
		const struct host_region *h = &facts->regions[order[i]];
		char hosts[64], how[256];
		size_t nr_hosts = 0;

		/* One line for the same region reported by several hosts. */
		for (j = i; j < facts->nr_regions; j++) {
			const struct host_region *o = &facts->regions[order[j]];

			if (o->start != h->start || o->end != h->end || o->type != h->type)
				break;
			if (j == i || o->host != facts->regions[order[j - 1]].host)
				nr_hosts++;
		}
		if (nr_hosts > 1)
			snprintf(hosts, sizeof(hosts), "%zu hosts", nr_hosts);
		else
			snprintf(hosts, sizeof(hosts), "%s",
				 h->host < facts->nr_hosts ? facts->hosts[h->host].name : "?");
		explain_host_region(plan, top, h, how, sizeof(how));
		fprintf(out, "0x%016llx 0x%016llx %-16s %-20s %s\n",
			(unsigned long long)h->start, (unsigned long long)h->end,
			hostres_type_name(h->type), hosts, how);
	}
	free(order);
}

static bool is_hard(const struct vm_plan *plan, const struct host_region *h)
{
	return h->type != HOST_DIRECT_RELAXABLE || !plan->allow_relaxable;
}

static int check_problem(FILE *out, int problems, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int check_problem(FILE *out, int problems, const char *fmt, ...)
{
	va_list ap;

	if (out) {
		va_start(ap, fmt);
		vfprintf(out, fmt, ap);
		va_end(ap);
		fputc('\n', out);
	}
	return problems + 1;
}

/* RAM and windows of the plan against one host's regions and ranges. */
static int check_against_host(const struct vm_plan *plan,
			      const struct host_facts *facts, unsigned int host,
			      FILE *out, int problems)
{
	const struct host_info *info = &facts->hosts[host];
	uint64_t limit = info->phys_bits && info->phys_bits < 63 ?
			 1ULL << info->phys_bits : SPAN_ADDR_MAX;
	struct span_list hard = { 0 }, iova = { 0 };
	size_t i;

	for (i = 0; i < facts->nr_regions; i++) {
		const struct host_region *h = &facts->regions[i];

		if (h->host == host && is_hard(plan, h))
			span_add_inclusive(&hard, h->start, h->end, i);
	}
	for (i = 0; i < facts->nr_iova; i++)
		if (facts->iova[i].host == host)
			span_add_inclusive(&iova, facts->iova[i].start, facts->iova[i].end, 0);
	span_normalize(&hard);
	span_normalize(&iova);
	for (i = 0; i < plan->nr_regions; i++) {
		const struct plan_region *r = &plan->regions[i];
		uint64_t end = r->start + r->size;
		const struct span *s;

		if (r->kind != PLAN_RAM && r->kind != PLAN_MMIO_WINDOW)
			continue;
		if (end > limit)
			problems = check_problem(out, problems,
				"%s 0x%llx-0x%llx: above %s's phys-bits %u",
				r->name, (unsigned long long)r->start,
				(unsigned long long)end - 1, info->name, info->phys_bits);
		s = span_find_overlap(&hard, r->start, end);
		if (s) {
			const struct host_region *h = &facts->regions[s->tag];

			problems = check_problem(out, problems,
				"%s 0x%llx-0x%llx: overlaps %s's %s region 0x%llx-0x%llx%s%s",
				r->name, (unsigned long long)r->start,
				(unsigned long long)end - 1, info->name,
				hostres_type_name(h->type), (unsigned long long)h->start,
				(unsigned long long)h->end, h->what[0] ? " " : "", h->what);
		}
		if (r->kind == PLAN_RAM && info->has_iova_ranges &&
		    span_covered(&iova, r->start, end) != r->size)
			problems = check_problem(out, problems,
				"%s 0x%llx-0x%llx: not inside %s's IOVA ranges",
				r->name, (unsigned long long)r->start,
				(unsigned long long)end - 1, info->name);
	}
	span_free(&hard);
	span_free(&iova);
	return problems;
}

int memplan_check(const struct vm_plan *plan, const struct host_facts *facts,
		  FILE *out)
{
	int problems = 0;
	size_t i;

	for (i = 0; i < plan->nr_regions; i++) {
		const struct plan_region *r = &plan->regions[i];

		if (!r->size || r->start + r->size < r->start)
			problems = check_problem(out, problems, "%s: bad size", r->name);
		else if (i && plan->regions[i - 1].start + plan->regions[i - 1].size > r->start)
			problems = check_problem(out, problems, "%s overlaps %s (or is out of order)",
						 r->name, plan->regions[i - 1].name);
		if (plan->addr_limit && r->start + r->size > plan->addr_limit)
			problems = check_problem(out, problems, "%s: above the plan's address limit 0x%llx",
						 r->name, (unsigned long long)plan->addr_limit);
	}
	if (memplan_ram_total(plan) != plan->ram_size)
		problems = check_problem(out, problems, "RAM banks total %llu bytes, not the %llu the plan says",
					 (unsigned long long)memplan_ram_total(plan),
					 (unsigned long long)plan->ram_size);
	for (i = 0; facts && i < facts->nr_hosts; i++)
		problems = check_against_host(plan, facts, i, out, problems);
	return problems;
}
