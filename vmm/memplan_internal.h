/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the planner's files (memplan.c: limits, host regions, RAM, holes;
 * memplan_frames.c: fixed regions, frames, windows; memplan_text.c: names
 * and descriptions) share. Not for use outside vmm/memplan*.c.
 */
#ifndef SHAPEVM_MEMPLAN_INTERNAL_H
#define SHAPEVM_MEMPLAN_INTERNAL_H

#include <errno.h>

#include "vmm/memplan.h"
#include "vmm/span.h"

/* Tag of a span that lies outside a host's IOVA ranges. */
#define TAG_OUTSIDE_IOVA	(SPAN_NO_TAG - 1)

struct planner {
	const struct plan_request *req;
	const struct plan_constraints *cons;
	const struct host_facts *facts;
	struct vm_plan *plan;
	struct plan_error *err;
	uint64_t limit;
	char limit_why[96];
	struct span_list hard;		/* RAM and BAR windows keep off these */
	struct span_list strict;	/* hard, minus direct-relaxable regions */
	struct span_list relaxable;	/* direct-relaxable, when kept out */
	struct span_list iova;		/* where every host's IOMMU can map */
	uint64_t iova_end;		/* end of the last common IOVA range */
	int iova_host;			/* host whose IOVA ranges end first, or -1 */
	struct plan_region placed[PLAN_MAX_FRAMES + 64];
	size_t nr_placed;
};

int plan_fail_with(int ret, struct plan_error *err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#define plan_fail(err, ...)	plan_fail_with(-ENOSPC, err, __VA_ARGS__)
#define plan_invalid(err, ...)	plan_fail_with(-EINVAL, err, __VA_ARGS__)

/* The first address above every region placed so far. */
uint64_t plan_top(const struct planner *p);

/* memplan_frames.c, in the order memplan_build calls them. */
int planner_fixed(struct planner *p);
int planner_platform_frames(struct planner *p);
int planner_above_ram_frames(struct planner *p);
int planner_windows_and_frames(struct planner *p);
int planner_check_windows(struct planner *p);

/* memplan_text.c */
const char *host_name(const struct host_facts *facts, unsigned int host);
void describe_span(const struct planner *p, const struct span *s,
		   char *buf, size_t len);
void plan_name_regions(struct vm_plan *plan);

#endif
