// SPDX-License-Identifier: GPL-2.0
/*
 * Host facts in the --host-reserved format, for recording a host and for
 * --check: sorted and without duplicates, so the same facts always give the
 * same bytes, and what it writes hostres_parse_text reads back unchanged.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/hostres.h"

/* Writes text from the facts, which may come from a file, on one line. */
static void write_printable(FILE *out, const char *text)
{
	for (; *text; text++)
		fputc((unsigned char)*text < 0x20 || *text == 0x7f ? '?' : *text, out);
}

static int region_cmp(const void *a, const void *b)
{
	const struct host_region *x = *(const struct host_region *const *)a;
	const struct host_region *y = *(const struct host_region *const *)b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	/* Last, so equal regions with different names still sort one way. */
	return strcmp(x->what, y->what);
}

static int iova_cmp(const void *a, const void *b)
{
	const struct host_iova_range *x = *(const struct host_iova_range *const *)a;
	const struct host_iova_range *y = *(const struct host_iova_range *const *)b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	return 0;
}

/*
 * Pointers to the entries of @host, sorted. NULL when there are none or
 * memory is short: the caller then writes them in stored order, which
 * re-parses to the same facts, only not canonically.
 */
static const void **sorted_entries(const void *array, size_t nr, size_t size,
				   size_t host_offset, unsigned int host,
				   int (*cmp)(const void *, const void *),
				   size_t *nr_sorted)
{
	const char *base = array;
	const void **list;
	size_t n = 0;

	*nr_sorted = 0;
	if (!nr)
		return NULL;
	list = calloc(nr, sizeof(*list));
	if (!list)
		return NULL;
	for (size_t i = 0; i < nr; i++) {
		unsigned int entry_host;

		memcpy(&entry_host, base + i * size + host_offset, sizeof(entry_host));
		if (entry_host == host)
			list[n++] = base + i * size;
	}
	qsort(list, n, sizeof(*list), cmp);
	*nr_sorted = n;
	return list;
}

static void write_region(FILE *out, const struct host_region *r)
{
	fprintf(out, "0x%016llx 0x%016llx %s", (unsigned long long)r->start,
		(unsigned long long)r->end, hostres_type_name(r->type));
	if (r->what[0]) {
		fputs("  # ", out);
		write_printable(out, r->what);
	}
	fputc('\n', out);
}

static void write_regions(const struct host_facts *facts, unsigned int host,
			  FILE *out)
{
	const struct host_region *prev = NULL, *r;
	const void **list;
	size_t n;

	list = sorted_entries(facts->regions, facts->nr_regions,
			      sizeof(*facts->regions),
			      offsetof(struct host_region, host), host,
			      region_cmp, &n);
	if (!list) {
		for (size_t i = 0; i < facts->nr_regions; i++)
			if (facts->regions[i].host == host)
				write_region(out, &facts->regions[i]);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		r = list[i];
		if (prev && prev->start == r->start && prev->end == r->end &&
		    prev->type == r->type)
			continue;
		write_region(out, r);
		prev = r;
	}
	free(list);
}

static void write_iova_ranges(const struct host_facts *facts,
			      unsigned int host, FILE *out)
{
	const struct host_iova_range *prev = NULL, *r;
	const void **list;
	size_t n;

	list = sorted_entries(facts->iova, facts->nr_iova, sizeof(*facts->iova),
			      offsetof(struct host_iova_range, host), host,
			      iova_cmp, &n);
	for (size_t i = 0; i < (list ? n : facts->nr_iova); i++) {
		r = list ? list[i] : &facts->iova[i];
		if (r->host != host)
			continue;
		if (list && prev && !iova_cmp(&prev, &r))
			continue;
		fprintf(out, "iova-range 0x%016llx 0x%016llx\n",
			(unsigned long long)r->start, (unsigned long long)r->end);
		prev = r;
	}
	free(list);
}

void hostres_write(const struct host_facts *facts, unsigned int host, FILE *out)
{
	const struct host_info *h;

	if (host >= facts->nr_hosts)
		return;
	h = &facts->hosts[host];
	fputs("# shapevm host facts: ", out);
	write_printable(out, h->name);
	fputc('\n', out);
	if (h->phys_bits)
		fprintf(out, "phys-bits %u\n", h->phys_bits);
	if (h->pgsize_bitmap)
		fprintf(out, "pgsize-bitmap 0x%llx\n",
			(unsigned long long)h->pgsize_bitmap);
	if (h->dma_avail)
		fprintf(out, "dma-avail %u\n", h->dma_avail);
	write_regions(facts, host, out);
	write_iova_ranges(facts, host, out);
}
