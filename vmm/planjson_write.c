// SPDX-License-Identifier: GPL-2.0
/*
 * Saved plans, written: fprintf in one fixed order, so the same plan gives
 * the same bytes (planjson_read.c reads them back).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/hostres.h"
#include "vmm/json.h"
#include "vmm/planjson.h"
#include "vmm/util.h"

/* The name of host @index, or "?" for an index past the list. */
static const char *host_name(const struct host_facts *facts, unsigned int index)
{
	return index < facts->nr_hosts ? facts->hosts[index].name : "?";
}

/* Items of a list one per line, 4 spaces in; an empty list stays "[]". */
static void list_item(FILE *out, size_t index)
{
	fputs(index ? ",\n    " : "\n    ", out);
}

static void list_end(FILE *out, size_t nr)
{
	fputs(nr ? "\n  ]" : "]", out);
}

static void write_ram(const struct vm_plan *plan, FILE *out)
{
	size_t i, nr = 0;

	fputs("  \"ram\": [", out);
	for (i = 0; i < plan->nr_regions; i++) {
		const struct plan_region *r = &plan->regions[i];

		if (r->kind != PLAN_RAM)
			continue;
		list_item(out, nr++);
		fprintf(out, "{\"start\": %llu, \"size\": %llu}",
			(unsigned long long)r->start, (unsigned long long)r->size);
	}
	list_end(out, nr);
	fputs(",\n", out);
}

static void write_regions(const struct vm_plan *plan, FILE *out)
{
	size_t i;

	fputs("  \"regions\": [", out);
	for (i = 0; i < plan->nr_regions; i++) {
		const struct plan_region *r = &plan->regions[i];

		list_item(out, i);
		fputs("{\"kind\": ", out);
		json_write_string(out, memplan_kind_name(r->kind));
		fputs(", \"name\": ", out);
		json_write_string(out, r->name);
		fprintf(out, ", \"start\": %llu, \"size\": %llu, \"why\": ",
			(unsigned long long)r->start, (unsigned long long)r->size);
		json_write_string(out, r->why);
		fputc('}', out);
	}
	list_end(out, plan->nr_regions);
	fputs(",\n", out);
}

static int write_host_reserved(const struct host_facts *facts, FILE *out)
{
	size_t nr = facts ? facts->nr_regions : 0, *order = NULL, i;

	if (nr) {
		order = hostres_sorted(facts);
		if (!order)
			return -ENOMEM;
	}
	fputs("  \"host_reserved\": [", out);
	for (i = 0; i < nr; i++) {
		const struct host_region *h = &facts->regions[order[i]];

		list_item(out, i);
		fprintf(out, "{\"start\": %llu, \"end\": %llu, \"type\": ",
			(unsigned long long)h->start, (unsigned long long)h->end);
		json_write_string(out, hostres_type_name(h->type));
		fputs(", \"host\": ", out);
		json_write_string(out, host_name(facts, h->host));
		fputs(", \"what\": ", out);
		json_write_string(out, h->what);
		fputc('}', out);
	}
	list_end(out, nr);
	fputc('\n', out);
	free(order);
	return 0;
}

int planjson_write(const struct vm_plan *plan, const struct host_facts *facts,
		   FILE *out)
{
	int ret;

	fprintf(out, "{\n  \"version\": %d,\n  \"arch\": ", PLANJSON_VERSION);
	json_write_string(out, plan->arch);
	fprintf(out, ",\n  \"ram_size\": %llu,\n  \"addr_limit\": %llu,\n"
		"  \"allow_relaxable\": %s,\n",
		(unsigned long long)plan->ram_size,
		(unsigned long long)plan->addr_limit,
		plan->allow_relaxable ? "true" : "false");
	write_ram(plan, out);
	write_regions(plan, out);
	fprintf(out, "  \"doorbell\": {\"start\": %llu, \"size\": %llu, \"where\": ",
		(unsigned long long)plan->doorbell.start,
		(unsigned long long)plan->doorbell.size);
	json_write_string(out, plan->doorbell.where);
	fputs("},\n", out);
	ret = write_host_reserved(facts, out);
	if (ret)
		return ret;
	fputs("}\n", out);
	return ferror(out) ? -EIO : 0;
}
