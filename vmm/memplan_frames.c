// SPDX-License-Identifier: GPL-2.0
/*
 * Fixed regions and frames: the architecture's fixed layout, the MSI
 * doorbell frame on a host msi window, the other platform frames, the
 * windows above RAM, and BAR windows cut around host regions.
 */
#include <stdlib.h>
#include <string.h>

#include "vmm/hostres.h"
#include "vmm/memplan_internal.h"
#include "vmm/util.h"

static bool ranges_overlap(uint64_t a, uint64_t a_end, uint64_t b, uint64_t b_end)
{
	return a < b_end && b < a_end;
}

/*
 * 0 if [start, start + size) is free for a frame; otherwise the address
 * after the first obstacle, where the next candidate can start.
 */
static uint64_t frame_obstacle(const struct planner *p, uint64_t start,
			       uint64_t size, bool dma_target)
{
	uint64_t end = start + size;
	const struct span *s;
	size_t i;

	if (end < start || end > p->limit)
		return UINT64_MAX;
	for (i = 0; i < p->nr_placed; i++) {
		const struct plan_region *r = &p->placed[i];

		if (ranges_overlap(start, end, r->start, r->start + r->size))
			return r->start + r->size;
	}
	for (i = 0; i < p->cons->nr_required; i++) {
		const struct plan_required *q = &p->cons->required[i];

		if (ranges_overlap(start, end, q->start, q->end))
			return q->end;
	}
	/* Rule: BAR windows stay off host reserved regions, as RAM does. */
	if (dma_target && (s = span_find_overlap(&p->hard, start, end)))
		return s->end;
	return 0;
}

static int planner_place(struct planner *p, const struct plan_frame *f,
			 uint64_t start)
{
	struct plan_region *r;

	if (p->nr_placed == ARRAY_SIZE(p->placed))
		return plan_invalid(p->err, "too many fixed regions and frames");
	r = &p->placed[p->nr_placed++];
	*r = (struct plan_region) { .start = start, .size = f->size, .kind = f->kind };
	snprintf(r->name, sizeof(r->name), "%s", f->name);
	snprintf(r->why, sizeof(r->why), "%s", f->why);
	return 0;
}

/* Lowest aligned free place in [lo, hi), or UINT64_MAX. */
static uint64_t frame_first_fit(const struct planner *p, const struct plan_frame *f,
				uint64_t lo, uint64_t hi)
{
	uint64_t start = ALIGN_UP(lo, f->align), next;

	while (start >= lo && start + f->size > start && start + f->size <= hi) {
		next = frame_obstacle(p, start, f->size, f->dma_target);
		if (!next)
			return start;
		if (next == UINT64_MAX || next > hi)
			break;
		start = ALIGN_UP(next, f->align);
	}
	return UINT64_MAX;
}

/*
 * Rule: on arm64 the vITS (or GICv2m) frame goes where a host msi window is,
 * when that fits the guest map, so the guest's doorbell and the host's
 * coincide as they do on x86. The frame may lie wholly in the window, or
 * just its doorbell page when the window is smaller than the frame.
 */
static bool doorbell_on_msi_window(struct planner *p, const struct plan_frame *f,
				   uint64_t *where)
{
	const struct host_facts *facts = p->facts;
	size_t *order, nr = 0, i;
	bool found = false;

	if (!facts || !facts->nr_regions) {
		snprintf(p->plan->doorbell.where, sizeof(p->plan->doorbell.where),
			 "in the platform MMIO area: the host reports no msi window");
		return false;
	}
	/* By address, so the doorbell's choice is deterministic. */
	order = hostres_sorted(facts);
	if (!order)
		return false;
	for (i = 0; i < facts->nr_regions; i++)
		if (facts->regions[order[i]].type == HOST_MSI)
			order[nr++] = order[i];
	for (i = 0; i < nr && !found; i++) {
		const struct host_region *w = &facts->regions[order[i]];
		uint64_t page = ALIGN_UP(w->start, f->align);
		uint64_t candidates[2] = { page, page - f->doorbell_offset };

		for (int c = 0; c < 2 && !found; c++) {
			uint64_t base = candidates[c];
			uint64_t bell = base + f->doorbell_offset;

			if (c == 1 && page < f->doorbell_offset)
				continue;
			if (bell < w->start || bell + f->doorbell_size - 1 > w->end ||
			    bell + f->doorbell_size < bell)
				continue;
			if (frame_obstacle(p, base, f->size, false))
				continue;
			*where = base;
			snprintf(p->plan->doorbell.where, sizeof(p->plan->doorbell.where),
				 "on %s's msi window 0x%llx-0x%llx",
				 host_name(facts, w->host),
				 (unsigned long long)w->start, (unsigned long long)w->end);
			found = true;
		}
	}
	if (!found)
		snprintf(p->plan->doorbell.where, sizeof(p->plan->doorbell.where),
			 nr ? "in the platform MMIO area: no host msi window can hold the %s frame's doorbell page"
			    : "in the platform MMIO area: the host reports no msi window",
			 f->name);
	free(order);
	return found;
}

int planner_platform_frames(struct planner *p)
{
	const struct plan_constraints *cons = p->cons;
	size_t i;
	int ret;

	for (i = 0; i < cons->nr_frames; i++) {
		const struct plan_frame *f = &cons->frames[i];
		uint64_t start = UINT64_MAX;
		bool on_window = false;

		if (f->area != PLAN_AREA_PLATFORM)
			continue;
		if (!f->size || !f->align || (f->align & (f->align - 1)))
			return plan_invalid(p->err, "%s: frame has a bad size or alignment", f->name);
		if (f->doorbell)
			on_window = doorbell_on_msi_window(p, f, &start);
		if (!on_window && f->preferred && f->preferred >= cons->platform_start &&
		    f->preferred + f->size <= cons->platform_end &&
		    !frame_obstacle(p, f->preferred, f->size, f->dma_target))
			start = f->preferred;
		if (start == UINT64_MAX)
			start = frame_first_fit(p, f, cons->platform_start,
						MIN(cons->platform_end, p->limit));
		if (start == UINT64_MAX) {
			char size[32];

			size_format(f->size, size, sizeof(size));
			return plan_fail(p->err, "the %s frame (%s, %s) finds no room in the platform MMIO area 0x%llx-0x%llx%s",
					 f->name, f->why, size,
					 (unsigned long long)cons->platform_start,
					 (unsigned long long)cons->platform_end - 1,
					 f->dma_target ? " outside the host's reserved regions (plan for fewer devices, or smaller BARs)" :
					 " (fewer vCPUs would make the GIC redistributors smaller)");
		}
		if (f->doorbell) {
			p->plan->doorbell.start = start + f->doorbell_offset;
			p->plan->doorbell.size = f->doorbell_size;
		}
		ret = planner_place(p, f, start);
		if (ret)
			return ret;
	}
	return 0;
}

int planner_above_ram_frames(struct planner *p)
{
	size_t i;
	int ret;

	for (i = 0; i < p->cons->nr_frames; i++) {
		const struct plan_frame *f = &p->cons->frames[i];
		uint64_t start;

		if (f->area != PLAN_AREA_ABOVE_RAM)
			continue;
		if (!f->size || !f->align || (f->align & (f->align - 1)))
			return plan_invalid(p->err, "%s: frame has a bad size or alignment", f->name);
		start = frame_first_fit(p, f, plan_top(p), p->limit);
		if (start == UINT64_MAX) {
			char size[32];

			size_human(f->size, size, sizeof(size));
			return plan_fail(p->err, "the %s (%s, %s) does not fit above RAM below 0x%llx, %s. Ask for less RAM, or assign devices with smaller BARs",
					 f->name, f->why, size,
					 (unsigned long long)p->limit, p->limit_why);
		}
		/* RAM is already placed: no need to keep it in p->placed order. */
		ret = planner_place(p, f, start);
		if (ret)
			return ret;
	}
	return 0;
}

static int plan_add_named(struct vm_plan *plan, const struct plan_region *r,
			  const char *name, const char *why)
{
	struct plan_region copy = *r;

	snprintf(copy.name, sizeof(copy.name), "%.*s", (int)sizeof(copy.name) - 1, name);
	snprintf(copy.why, sizeof(copy.why), "%.*s", (int)sizeof(copy.why) - 1, why);
	return memplan_add_region(plan, &copy);
}

/*
 * Rule: holes are removed from the windows the guest may put BARs in. A
 * window that a host region cuts becomes its pieces: "pci-mmio32",
 * "pci-mmio32.1", ...
 */
int planner_windows_and_frames(struct planner *p)
{
	size_t i, j;
	int ret = 0;

	for (i = 0; i < p->nr_placed && !ret; i++) {
		const struct plan_region *r = &p->placed[i];
		struct span_list hard_here = { 0 }, pieces = { 0 };

		if (r->kind != PLAN_MMIO_WINDOW || !span_find_overlap(&p->hard, r->start, r->start + r->size)) {
			ret = memplan_add_region(p->plan, r);
			continue;
		}
		for (j = span_first_after(&p->hard, r->start); j < p->hard.nr && !ret; j++) {
			if (p->hard.spans[j].start >= r->start + r->size)
				break;
			ret = span_add(&hard_here, p->hard.spans[j].start, p->hard.spans[j].end, 0);
		}
		if (!ret)
			ret = span_complement(&hard_here, r->start, r->start + r->size, &pieces);
		for (j = 0; j < pieces.nr && !ret; j++) {
			char name[PLAN_NAME_LEN + 24];
			struct plan_region piece = *r;

			if (j)
				snprintf(name, sizeof(name), "%s.%zu", r->name, j);
			else
				snprintf(name, sizeof(name), "%s", r->name);
			piece.start = pieces.spans[j].start;
			piece.size = pieces.spans[j].end - pieces.spans[j].start;
			ret = plan_add_named(p->plan, &piece, name, r->why);
		}
		span_free(&hard_here);
		span_free(&pieces);
	}
	return ret;
}

int planner_fixed(struct planner *p)
{
	const struct plan_constraints *cons = p->cons;
	size_t i, j;

	if (cons->nr_fixed > ARRAY_SIZE(p->placed) - PLAN_MAX_FRAMES)
		return plan_invalid(p->err, "too many fixed regions");
	for (i = 0; i < cons->nr_fixed; i++) {
		const struct plan_region *r = &cons->fixed[i];

		if (!r->size || r->start + r->size < r->start)
			return plan_invalid(p->err, "%s: fixed region has a bad size", r->name);
		for (j = 0; j < p->nr_placed; j++)
			if (ranges_overlap(r->start, r->start + r->size, p->placed[j].start,
					   p->placed[j].start + p->placed[j].size))
				return plan_invalid(p->err, "%s overlaps %s in the %s layout",
						    r->name, p->placed[j].name, cons->arch);
		p->placed[p->nr_placed++] = *r;
	}
	if (cons->doorbell_size) {
		p->plan->doorbell.start = cons->doorbell_start;
		p->plan->doorbell.size = cons->doorbell_size;
		snprintf(p->plan->doorbell.where, sizeof(p->plan->doorbell.where), "%s",
			 cons->doorbell_where ? cons->doorbell_where : "fixed by the architecture");
	}
	return 0;
}

/* Rule (x86 windows): the devices' 32-bit BARs must fit one window piece. */
int planner_check_windows(struct planner *p)
{
	uint64_t largest = 0;
	size_t i;

	if (!p->req->pci32_size)
		return 0;
	for (i = 0; i < p->plan->nr_regions; i++) {
		const struct plan_region *r = &p->plan->regions[i];

		if (r->kind == PLAN_MMIO_WINDOW && !strncmp(r->name, "pci-mmio32", 10))
			largest = MAX(largest, r->size);
	}
	if (largest < p->req->pci32_size) {
		char need[32], have[32];

		size_human(p->req->pci32_size, need, sizeof(need));
		size_human(largest, have, sizeof(have));
		return plan_fail(p->err, "the devices' 32-bit BARs need %s but the largest 32-bit PCI window left by the host's reserved regions is %s: assign fewer devices",
				 need, have);
	}
	return 0;
}
