// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

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

static bool span_less(const struct span *a, const struct span *b)
{
	if (a->start != b->start)
		return a->start < b->start;
	if (a->end != b->end)
		return a->end < b->end;
	return a->tag < b->tag;
}

/*
 * A bottom-up merge sort that first finds the runs already in order: host
 * facts mostly come sorted per host, and plans are built from sorted runs.
 * Ties are broken by end then tag, so the result never depends on the
 * input's order. Inline comparisons made it several times faster than
 * qsort on the planner's 10,000-region benchmark.
 */
int span_sort(struct span *spans, size_t nr)
{
	struct span *tmp, *src = spans, *dst, *swap;
	size_t *runs, nr_runs = 0, i;

	if (nr < 2)
		return 0;
	tmp = malloc(nr * sizeof(*tmp));
	runs = malloc((nr + 1) * sizeof(*runs));
	if (!tmp || !runs) {
		free(tmp);
		free(runs);
		return -ENOMEM;
	}
	runs[nr_runs++] = 0;
	for (i = 1; i < nr; i++)
		if (span_less(&spans[i], &spans[i - 1]))
			runs[nr_runs++] = i;
	runs[nr_runs] = nr;
	dst = tmp;
	while (nr_runs > 1) {
		size_t out = 0, r;

		for (r = 0; r + 1 < nr_runs; r += 2) {
			size_t a = runs[r], a_end = runs[r + 1], b = a_end;
			size_t b_end = runs[r + 2 <= nr_runs ? r + 2 : nr_runs], k = a;

			while (a < a_end && b < b_end)
				dst[k++] = span_less(&src[b], &src[a]) ? src[b++] : src[a++];
			while (a < a_end)
				dst[k++] = src[a++];
			while (b < b_end)
				dst[k++] = src[b++];
			runs[out++] = runs[r];
		}
		if (r < nr_runs) {
			/* An odd run out: carried over as it is. */
			for (i = runs[r]; i < runs[r + 1]; i++)
				dst[i] = src[i];
			runs[out++] = runs[r];
		}
		runs[out] = nr;
		nr_runs = out;
		swap = src;
		src = dst;
		dst = swap;
	}
	if (src != spans)
		memcpy(spans, src, nr * sizeof(*spans));
	free(tmp);
	free(runs);
	return 0;
}

static int span_compare(const void *a, const void *b)
{
	const struct span *sa = a, *sb = b;

	if (span_less(sa, sb))
		return -1;
	return span_less(sb, sa);
}

void span_normalize(struct span_list *list)
{
	size_t i, n = 0;

	if (!list->nr)
		return;
	if (span_sort(list->spans, list->nr))
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
