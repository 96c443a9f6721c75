// SPDX-License-Identifier: GPL-2.0
/*
 * The planner. In order: the address limit (KVM's and every host's width),
 * the host regions RAM and BAR windows must avoid, the IOVA ranges RAM must
 * stay in, the MSI doorbell frame, the other platform frames, RAM lowest
 * address first, the windows above RAM, and finally the holes the guest is
 * told about. Every step is a sorted-span sweep, so 100,000 host regions
 * plan in milliseconds, and nothing depends on input order: the same facts
 * give the same plan byte for byte (rule: deterministic).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/hostres.h"
#include "vmm/memplan.h"
#include "vmm/memplan_internal.h"
#include "vmm/span.h"
#include "vmm/util.h"

/* -EINVAL for malformed input, -ENOSPC when the request does not fit. */
int plan_fail_with(int ret, struct plan_error *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return ret;
}

/* Rule: the guest's width is the smallest of KVM's and every host's. */
static void planner_limit(struct planner *p)
{
	const struct host_facts *facts = p->facts;
	size_t i;

	bool hosts_say = false;

	for (i = 0; facts && i < facts->nr_hosts; i++)
		hosts_say |= facts->hosts[i].phys_bits != 0;
	/* A default width is a guess: recorded hosts' phys-bits lines know better. */
	p->limit = p->cons->addr_is_default && hosts_say ? SPAN_ADDR_MAX :
		   MIN(p->cons->addr_limit, SPAN_ADDR_MAX);
	snprintf(p->limit_why, sizeof(p->limit_why), "%s", p->cons->addr_why);
	for (i = 0; facts && i < facts->nr_hosts; i++) {
		unsigned int bits = facts->hosts[i].phys_bits;
		uint64_t limit = bits >= 63 ? SPAN_ADDR_MAX : 1ULL << bits;

		if (bits && limit < p->limit) {
			p->limit = limit;
			snprintf(p->limit_why, sizeof(p->limit_why),
				 "%s's phys-bits %u", facts->hosts[i].name, bits);
		}
	}
}

/*
 * Rules: RAM never on msi, reserved or direct regions nor peer BARs;
 * direct-relaxable kept out unless allowed. A relaxable region overlapping
 * a direct one needs nothing special: the direct one is hard either way,
 * so only the relaxable part outside it is ever given to RAM.
 */
static int planner_hard_regions(struct planner *p)
{
	const struct host_facts *facts = p->facts;
	struct span_list all = { 0 };
	size_t i;
	int ret = 0;

	for (i = 0; facts && i < facts->nr_regions && !ret; i++) {
		const struct host_region *r = &facts->regions[i];

		if (r->end < r->start) {
			span_free(&all);
			return plan_invalid(p->err, "host region 0x%llx-0x%llx ends before it starts",
					    (unsigned long long)r->start,
					    (unsigned long long)r->end);
		}
		ret = span_add_inclusive(&all, r->start, r->end, i);
	}
	/* Sorted once; the lists below are filtered from it in order. */
	if (!ret)
		ret = span_sort(all.spans, all.nr);
	for (i = 0; i < all.nr && !ret; i++) {
		const struct span *s = &all.spans[i];
		enum host_region_type type = facts->regions[s->tag].type;

		if (type != HOST_DIRECT_RELAXABLE) {
			ret = span_add(&p->hard, s->start, s->end, s->tag);
			if (!ret)
				ret = span_add(&p->strict, s->start, s->end, s->tag);
		} else if (!p->req->allow_relaxable) {
			ret = span_add(&p->hard, s->start, s->end, s->tag);
			if (!ret)
				ret = span_add(&p->relaxable, s->start, s->end, s->tag);
		}
	}
	span_free(&all);
	span_normalize(&p->relaxable);
	span_normalize(&p->strict);
	span_normalize(&p->hard);
	return ret;
}

/* Rule: RAM lies inside every host's IOVA ranges (their intersection). */
static int planner_iova(struct planner *p)
{
	const struct host_facts *facts = p->facts;
	size_t h, i;
	int ret;

	p->iova_end = SPAN_ADDR_MAX;
	p->iova_host = -1;
	ret = span_add(&p->iova, 0, SPAN_ADDR_MAX, SPAN_NO_TAG);
	for (h = 0; facts && h < facts->nr_hosts && !ret; h++) {
		struct span_list mine = { 0 }, both = { 0 };

		if (!facts->hosts[h].has_iova_ranges)
			continue;
		for (i = 0; i < facts->nr_iova && !ret; i++)
			if (facts->iova[i].host == h)
				ret = span_add_inclusive(&mine, facts->iova[i].start,
							 facts->iova[i].end, SPAN_NO_TAG);
		span_normalize(&mine);
		if (!ret && mine.nr && mine.spans[mine.nr - 1].end < p->iova_end) {
			p->iova_end = mine.spans[mine.nr - 1].end;
			p->iova_host = h;
		}
		if (!ret)
			ret = span_intersect(&p->iova, &mine, &both);
		if (!mine.nr && !ret)
			p->iova_end = 0;
		span_free(&mine);
		span_free(&p->iova);
		p->iova = both;
	}
	return ret;
}

static int region_compare(const void *a, const void *b)
{
	const struct plan_region *ra = a, *rb = b;

	if (ra->start != rb->start)
		return ra->start < rb->start ? -1 : 1;
	if (ra->size != rb->size)
		return ra->size < rb->size ? -1 : 1;
	return 0;
}

/*
 * Everything RAM may not use below the limit, as one normalized list:
 * placed regions, hard host regions, and what lies outside the IOVA ranges.
 */
static int planner_forbidden(struct planner *p, bool with_relaxable,
			     struct span_list *out)
{
	const struct span_list *hard = with_relaxable ? &p->strict : &p->hard;
	struct span_list outside = { 0 };
	size_t i;
	int ret;

	ret = span_add(out, 0, p->cons->ram_base, SPAN_NO_TAG);
	for (i = 0; i < p->nr_placed && !ret; i++)
		ret = span_add(out, p->placed[i].start,
			       p->placed[i].start + p->placed[i].size, SPAN_NO_TAG);
	for (i = 0; i < hard->nr && !ret; i++)
		ret = span_add(out, hard->spans[i].start, hard->spans[i].end,
			       hard->spans[i].tag);
	if (!ret)
		ret = span_complement(&p->iova, 0, p->limit, &outside);
	for (i = 0; i < outside.nr && !ret; i++)
		ret = span_add(out, outside.spans[i].start, outside.spans[i].end,
			       TAG_OUTSIDE_IOVA);
	span_free(&outside);
	span_normalize(out);
	return ret;
}

/* How much RAM the free space holds, in whole pages. */
static uint64_t ram_capacity(const struct span_list *free_space)
{
	uint64_t total = 0;
	size_t i;

	for (i = 0; i < free_space->nr; i++) {
		uint64_t start = ALIGN_UP(free_space->spans[i].start, SZ_4K);
		uint64_t end = ALIGN_DOWN(free_space->spans[i].end, SZ_4K);

		if (end > start)
			total += end - start;
	}
	return total;
}

static int planner_free_space(struct planner *p, bool with_relaxable,
			      struct span_list *free_space)
{
	struct span_list forbidden = { 0 };
	int ret;

	ret = planner_forbidden(p, with_relaxable, &forbidden);
	if (!ret)
		ret = span_complement(&forbidden, 0, p->limit, free_space);
	span_free(&forbidden);
	return ret;
}

/* Rule: when no plan exists, say which constraint and what would fix it. */
static int planner_explain_no_room(struct planner *p, uint64_t placed)
{
	const struct plan_request *req = p->req;
	char want[32], fits[32], taken[32], why[160], fix[160] = "";
	uint64_t bound = MIN(p->limit, p->iova_end);
	uint64_t holes = span_covered(&p->hard, p->cons->ram_base, bound);
	char relax[160] = "";

	size_human(req->ram_size, want, sizeof(want));
	size_human(placed, fits, sizeof(fits));
	if (p->iova_end < p->limit && p->iova_host >= 0) {
		snprintf(why, sizeof(why), "the end of %s's IOVA ranges (the IOMMU's address width)",
			 host_name(p->facts, p->iova_host));
		snprintf(fix, sizeof(fix), ", or plan for a host whose IOMMU is wider");
	} else {
		snprintf(why, sizeof(why), "%s", p->limit_why);
		snprintf(fix, sizeof(fix), ", or use a host (and KVM) with more physical address bits");
	}
	if (p->relaxable.nr) {
		struct span_list free_space = { 0 };

		if (!planner_free_space(p, true, &free_space) &&
		    ram_capacity(&free_space) >= req->ram_size)
			snprintf(relax, sizeof(relax),
				 "; --allow-relaxable would make it fit (the kernel does not enforce direct-relaxable regions)");
		span_free(&free_space);
	}
	size_human(holes, taken, sizeof(taken));
	return plan_fail(p->err, "%s of RAM does not fit: only %s fits below 0x%llx, %s%s%s%s. Ask for at most %s%s",
			 want, fits, (unsigned long long)bound, why,
			 holes ? "; host reserved regions take " : "", holes ? taken : "",
			 relax, fits, fix);
}

/* @s, a span of the hard set, is a host region that --allow-relaxable would lift. */
static bool span_is_relaxable(const struct planner *p, const struct span *s)
{
	return s && s->tag != SPAN_NO_TAG && s->tag != TAG_OUTSIDE_IOVA && p->facts &&
	       s->tag < p->facts->nr_regions &&
	       p->facts->regions[s->tag].type == HOST_DIRECT_RELAXABLE;
}

static int planner_check_required(struct planner *p, const struct span_list *forbidden)
{
	size_t i;

	for (i = 0; i < p->cons->nr_required; i++) {
		const struct plan_required *q = &p->cons->required[i];
		const struct span *s = span_find_overlap(&p->hard, q->start, q->end);
		char what[200];

		if (!s && !span_find_overlap(forbidden, q->start, q->end))
			continue;
		if (s)
			describe_span(p, s, what, sizeof(what));
		else
			snprintf(what, sizeof(what), "the hosts' IOVA ranges or address width");
		return plan_fail(p->err, "%s lies in 0x%llx-0x%llx, which %s needs as RAM (%s): no %s plan can avoid it; assign another device%s",
				 what, (unsigned long long)q->start,
				 (unsigned long long)q->end - 1, p->cons->arch, q->why,
				 p->cons->arch,
				 span_is_relaxable(p, s) ? ", or pass --allow-relaxable" :
				 p->relaxable.nr ? ", or pass --allow-relaxable if it is direct-relaxable" : "");
	}
	return 0;
}

/* Rule: as few banks as possible: each is a maximal free gap, 4K inward. */
static int planner_ram(struct planner *p)
{
	struct span_list forbidden = { 0 }, free_space = { 0 };
	uint64_t left = p->req->ram_size;
	size_t i;
	int ret;

	ret = planner_forbidden(p, false, &forbidden);
	if (!ret)
		ret = planner_check_required(p, &forbidden);
	if (!ret)
		ret = span_complement(&forbidden, 0, p->limit, &free_space);
	for (i = 0; i < free_space.nr && left && !ret; i++) {
		uint64_t start = ALIGN_UP(free_space.spans[i].start, SZ_4K);
		uint64_t end = ALIGN_DOWN(free_space.spans[i].end, SZ_4K);
		struct plan_region bank = { .kind = PLAN_RAM };

		if (end <= start)
			continue;
		bank.start = start;
		bank.size = MIN(end - start, left);
		left -= bank.size;
		ret = memplan_add_region(p->plan, &bank);
	}
	if (!ret && left)
		ret = planner_explain_no_room(p, p->req->ram_size - left);
	span_free(&forbidden);
	span_free(&free_space);
	return ret;
}

uint64_t plan_top(const struct planner *p)
{
	uint64_t top = 0;
	size_t i;

	for (i = 0; i < p->plan->nr_regions; i++)
		top = MAX(top, p->plan->regions[i].start + p->plan->regions[i].size);
	for (i = 0; i < p->nr_placed; i++)
		top = MAX(top, p->placed[i].start + p->placed[i].size);
	return top;
}

/*
 * Rule: holes are advertised to the guest. A hole is a host region (or a
 * stretch outside the IOVA ranges) below the top of the guest's map that no
 * other region already covers.
 */
static int planner_holes(struct planner *p)
{
	struct span_list covered = { 0 }, candidates = { 0 }, outside = { 0 };
	uint64_t top = plan_top(p);
	size_t i, j;
	int ret = 0;

	for (i = 0; i < p->plan->nr_regions && !ret; i++) {
		const struct plan_region *r = &p->plan->regions[i];

		if (r->kind != PLAN_MMIO_WINDOW)
			ret = span_add(&covered, r->start, r->start + r->size, 0);
	}
	span_normalize(&covered);
	for (i = 0; i < p->hard.nr && !ret; i++)
		ret = span_add(&candidates, p->hard.spans[i].start,
			       MIN(p->hard.spans[i].end, top), p->hard.spans[i].tag);
	if (!ret)
		ret = span_complement(&p->iova, 0, top, &outside);
	for (i = 0; i < outside.nr && !ret; i++)
		ret = span_add(&candidates, outside.spans[i].start, outside.spans[i].end,
			       TAG_OUTSIDE_IOVA);
	span_normalize(&candidates);
	for (i = 0; i < candidates.nr && !ret; i++) {
		struct span_list pieces = { 0 };

		ret = span_complement(&covered, candidates.spans[i].start,
				      candidates.spans[i].end, &pieces);
		for (j = 0; j < pieces.nr && !ret; j++) {
			struct plan_region hole = {
				.start = pieces.spans[j].start,
				.size = pieces.spans[j].end - pieces.spans[j].start,
				.kind = PLAN_HOLE,
			};
			describe_span(p, &candidates.spans[i], hole.why, sizeof(hole.why));
			ret = memplan_add_region(p->plan, &hole);
		}
		span_free(&pieces);
	}
	span_free(&covered);
	span_free(&candidates);
	span_free(&outside);
	return ret;
}

int memplan_build(const struct plan_request *req,
		  const struct plan_constraints *cons,
		  const struct host_facts *facts,
		  struct vm_plan *plan, struct plan_error *err)
{
	struct planner p = { .req = req, .cons = cons, .facts = facts,
			     .plan = plan, .err = err };
	int ret;

	memplan_init(plan);
	snprintf(plan->arch, sizeof(plan->arch), "%s", cons->arch);
	plan->allow_relaxable = req->allow_relaxable;
	if (!req->ram_size || req->ram_size % SZ_4K)
		return plan_invalid(err, "RAM size must be a non-zero multiple of 4K");
	if (cons->nr_fixed && !cons->fixed)
		return plan_invalid(err, "fixed regions missing");
	planner_limit(&p);
	plan->addr_limit = p.limit;
	ret = planner_hard_regions(&p);
	if (!ret)
		ret = planner_iova(&p);
	if (!ret)
		ret = planner_fixed(&p);
	if (!ret)
		ret = planner_platform_frames(&p);
	if (!ret)
		ret = planner_ram(&p);
	if (!ret)
		ret = planner_above_ram_frames(&p);
	if (!ret)
		ret = planner_windows_and_frames(&p);
	if (!ret)
		ret = planner_holes(&p);
	if (!ret) {
		memplan_sort(plan);
		plan_name_regions(plan);
		plan->ram_size = req->ram_size;
		ret = planner_check_windows(&p);
	}
	if (ret == -ENOMEM)
		plan_fail_with(ret, err, "out of memory while planning");
	if (ret)
		memplan_free(plan);
	span_free(&p.hard);
	span_free(&p.strict);
	span_free(&p.relaxable);
	span_free(&p.iova);
	return ret;
}

void memplan_init(struct vm_plan *plan)
{
	memset(plan, 0, sizeof(*plan));
}

void memplan_free(struct vm_plan *plan)
{
	char arch[PLAN_ARCH_LEN];

	/* The arch stays: a failed plan still says which arch it was for. */
	memcpy(arch, plan->arch, sizeof(arch));
	free(plan->regions);
	memset(plan, 0, sizeof(*plan));
	memcpy(plan->arch, arch, sizeof(arch));
}

int memplan_add_region(struct vm_plan *plan, const struct plan_region *region)
{
	if (plan->nr_regions == plan->cap_regions) {
		size_t cap = plan->cap_regions ? plan->cap_regions * 2 : 32;
		struct plan_region *regions = realloc(plan->regions, cap * sizeof(*regions));

		if (!regions)
			return -ENOMEM;
		plan->regions = regions;
		plan->cap_regions = cap;
	}
	plan->regions[plan->nr_regions++] = *region;
	return 0;
}

/*
 * Sorts small keys (start, size, index as a span), then moves each region
 * once: regions are large, and glibc's qsort copies elements.
 */
void memplan_sort(struct vm_plan *plan)
{
	struct span *keys;
	struct plan_region *sorted;
	size_t i, n = plan->nr_regions;

	if (n < 2)
		return;
	keys = malloc(n * sizeof(*keys));
	sorted = malloc(plan->cap_regions * sizeof(*sorted));
	for (i = 0; keys && i < n; i++)
		keys[i] = (struct span) { plan->regions[i].start, plan->regions[i].size, i };
	if (!keys || !sorted || span_sort(keys, n)) {
		/* Slower, but sorted all the same. */
		free(keys);
		free(sorted);
		qsort(plan->regions, n, sizeof(plan->regions[0]), region_compare);
		return;
	}
	for (i = 0; i < n; i++)
		sorted[i] = plan->regions[keys[i].tag];
	free(plan->regions);
	plan->regions = sorted;
	free(keys);
}
