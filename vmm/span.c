// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>

#include "vmm/span.h"
#include "vmm/util.h"

int span_add(struct span_list *list, uint64_t start, uint64_t end, size_t tag)
{
	end = MIN(end, SPAN_ADDR_MAX);
	if (start >= end)
		return 0;
	if (list->nr == list->cap) {
		size_t cap = list->cap ? list->cap * 2 : 16;
		struct span *spans = realloc(list->spans, cap * sizeof(*spans));

		if (!spans)
			return -ENOMEM;
		list->spans = spans;
		list->cap = cap;
	}
	list->spans[list->nr++] = (struct span) { start, end, tag };
	return 0;
}

int span_add_inclusive(struct span_list *list, uint64_t start, uint64_t last,
		       size_t tag)
{
	if (last >= SPAN_ADDR_MAX)
		return span_add(list, start, SPAN_ADDR_MAX, tag);
	return span_add(list, start, last + 1, tag);
}

void span_free(struct span_list *list)
{
	free(list->spans);
	*list = (struct span_list) { 0 };
}

/* Ties broken by end then tag, so sorting is deterministic whatever qsort does. */
static int span_compare(const void *a, const void *b)
{
	const struct span *sa = a, *sb = b;

	if (sa->start != sb->start)
		return sa->start < sb->start ? -1 : 1;
	if (sa->end != sb->end)
		return sa->end < sb->end ? -1 : 1;
	if (sa->tag != sb->tag)
		return sa->tag < sb->tag ? -1 : 1;
	return 0;
}

void span_normalize(struct span_list *list)
{
	size_t i, n = 0;

	if (!list->nr)
		return;
	qsort(list->spans, list->nr, sizeof(list->spans[0]), span_compare);
	for (i = 1; i < list->nr; i++) {
		struct span *last = &list->spans[n];

		if (list->spans[i].start <= last->end)
			last->end = MAX(last->end, list->spans[i].end);
		else
			list->spans[++n] = list->spans[i];
	}
	list->nr = n + 1;
}

int span_intersect(const struct span_list *a, const struct span_list *b,
		   struct span_list *out)
{
	size_t i = 0, j = 0;
	int ret;

	while (i < a->nr && j < b->nr) {
		uint64_t start = MAX(a->spans[i].start, b->spans[j].start);
		uint64_t end = MIN(a->spans[i].end, b->spans[j].end);

		if (start < end) {
			ret = span_add(out, start, end, a->spans[i].tag);
			if (ret)
				return ret;
		}
		if (a->spans[i].end < b->spans[j].end)
			i++;
		else
			j++;
	}
	return 0;
}

int span_complement(const struct span_list *list, uint64_t lo, uint64_t hi,
		    struct span_list *out)
{
	uint64_t cursor = lo;
	size_t i;
	int ret;

	for (i = span_first_after(list, lo); i < list->nr && cursor < hi; i++) {
		const struct span *s = &list->spans[i];

		if (s->start > cursor) {
			ret = span_add(out, cursor, MIN(s->start, hi), SPAN_NO_TAG);
			if (ret)
				return ret;
		}
		cursor = MAX(cursor, s->end);
	}
	if (cursor < hi)
		return span_add(out, cursor, hi, SPAN_NO_TAG);
	return 0;
}

size_t span_first_after(const struct span_list *list, uint64_t addr)
{
	size_t lo = 0, hi = list->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (list->spans[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct span *span_find_overlap(const struct span_list *list,
				     uint64_t start, uint64_t end)
{
	size_t i = span_first_after(list, start);

	if (i < list->nr && list->spans[i].start < end)
		return &list->spans[i];
	return NULL;
}

uint64_t span_covered(const struct span_list *list, uint64_t start, uint64_t end)
{
	uint64_t total = 0;
	size_t i;

	for (i = span_first_after(list, start); i < list->nr; i++) {
		const struct span *s = &list->spans[i];

		if (s->start >= end)
			break;
		total += MIN(s->end, end) - MAX(s->start, start);
	}
	return total;
}
