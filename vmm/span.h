/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sorted lists of half-open address spans [start, end), the planner's
 * working material. Each span keeps a tag (an index into whatever list it
 * came from) so a message can name the host region behind a hole.
 */
#ifndef SHAPEVM_SPAN_H
#define SHAPEVM_SPAN_H

#include <stddef.h>
#include <stdint.h>

/* Ends past this are clamped: no guest address width reaches 2^63. */
#define SPAN_ADDR_MAX	(1ULL << 63)
#define SPAN_NO_TAG	((size_t)-1)

struct span {
	uint64_t start;
	uint64_t end;		/* exclusive */
	size_t tag;
};

struct span_list {
	struct span *spans;
	size_t nr;
	size_t cap;
};

int span_add(struct span_list *list, uint64_t start, uint64_t end, size_t tag);
/* An inclusive end, as sysfs writes them, clamped to SPAN_ADDR_MAX. */
int span_add_inclusive(struct span_list *list, uint64_t start, uint64_t last,
		       size_t tag);
void span_free(struct span_list *list);
/* Sorts by start, end, tag (stable for equal keys); -ENOMEM leaves it as is. */
int span_sort(struct span *spans, size_t nr);
/* Sorts by start and merges overlapping or touching spans (first tag wins). */
void span_normalize(struct span_list *list);
/* out = a ∩ b, both normalized; out is normalized. */
int span_intersect(const struct span_list *a, const struct span_list *b,
		   struct span_list *out);
/* out = [lo, hi) minus list (normalized). */
int span_complement(const struct span_list *list, uint64_t lo, uint64_t hi,
		    struct span_list *out);
/* Index of the first span of a normalized list ending after addr (nr if none). */
size_t span_first_after(const struct span_list *list, uint64_t addr);
/* The first span of a normalized list overlapping [start, end), or NULL. */
const struct span *span_find_overlap(const struct span_list *list,
				     uint64_t start, uint64_t end);
/* Bytes of [start, end) covered by a normalized list. */
uint64_t span_covered(const struct span_list *list, uint64_t start, uint64_t end);

#endif
