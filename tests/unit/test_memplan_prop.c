// SPDX-License-Identifier: GPL-2.0
/*
 * vmm/memplan over 100,000 random host-fact sets: whatever the hosts say,
 * a plan keeps every rule, or there is no plan and a message says why.
 * The generator is seeded, so a failure names an iteration that replays.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/suites.h"
#include "vmm/hostres.h"
#include "vmm/memplan.h"

#define PROP_ITERATIONS	100000
#define MAX_HOSTS	3
#define MAX_REGIONS	12
#define MAX_IOVA	4

struct rng {
	uint64_t state;
};

static uint64_t rng_next(struct rng *rng)
{
	/* xorshift64*: good enough spread, and the same on every machine. */
	rng->state ^= rng->state >> 12;
	rng->state ^= rng->state << 25;
	rng->state ^= rng->state >> 27;
	return rng->state * 0x2545f4914f6cdd1dULL;
}

static uint64_t rng_below(struct rng *rng, uint64_t n)
{
	return n ? rng_next(rng) % n : 0;
}

struct case_facts {
	struct host_info hosts[MAX_HOSTS];
	struct host_region regions[MAX_HOSTS * MAX_REGIONS];
	struct host_iova_range iova[MAX_HOSTS * MAX_IOVA];
	struct host_facts facts;
};

/* Addresses real hosts reserve, and random ones, at 4K or odd offsets. */
static uint64_t random_address(struct rng *rng)
{
	static const uint64_t anchors[] = {
		0, 0x8000000, 0x9000000, 0x40000000, 0xbdf6e000, 0xc0000000,
		0xfee00000, 0x100000000ULL, 0xfd00000000ULL, 0xc6010000,
	};
	uint64_t addr;

	switch (rng_below(rng, 3)) {
	case 0:
		addr = anchors[rng_below(rng, sizeof(anchors) / sizeof(anchors[0]))];
		break;
	case 1:
		addr = rng_below(rng, 1ULL << 33);
		break;
	default:
		addr = rng_below(rng, 1ULL << 41);
		break;
	}
	return rng_below(rng, 2) ? addr & ~0xfffULL : addr;
}

static void random_facts(struct rng *rng, struct case_facts *c)
{
	unsigned int nr_hosts = 1 + rng_below(rng, MAX_HOSTS);

	memset(c, 0, sizeof(*c));
	c->facts.hosts = c->hosts;
	c->facts.regions = c->regions;
	c->facts.iova = c->iova;
	c->facts.nr_hosts = nr_hosts;
	for (unsigned int h = 0; h < nr_hosts; h++) {
		unsigned int nr_regions = rng_below(rng, MAX_REGIONS + 1);

		snprintf(c->hosts[h].name, sizeof(c->hosts[h].name), "host%u", h);
		if (rng_below(rng, 3) == 0)
			c->hosts[h].phys_bits = 36 + rng_below(rng, 13);
		for (unsigned int i = 0; i < nr_regions; i++) {
			struct host_region *r = &c->regions[c->facts.nr_regions++];
			uint64_t size = 1 + rng_below(rng, rng_below(rng, 2) ? 0x100000 : 1ULL << 32);

			r->start = random_address(rng);
			r->end = r->start + size - 1;
			r->type = rng_below(rng, 5);
			r->host = h;
		}
		if (rng_below(rng, 2)) {
			/* An aperture, maybe with a gap around the x86 MSI window. */
			uint64_t top = (1ULL << (36 + rng_below(rng, 13))) - 1;

			c->hosts[h].has_iova_ranges = true;
			if (rng_below(rng, 2)) {
				c->iova[c->facts.nr_iova++] = (struct host_iova_range) { 0, 0xfedfffff, h };
				c->iova[c->facts.nr_iova++] = (struct host_iova_range) { 0xfef00000, top, h };
			} else {
				c->iova[c->facts.nr_iova++] = (struct host_iova_range) { 0, top, h };
			}
		}
	}
}

static bool is_hard(const struct host_region *r, bool relaxable)
{
	return r->type != HOST_DIRECT_RELAXABLE || !relaxable;
}

static bool inside_iova(const struct case_facts *c, unsigned int host,
			uint64_t start, uint64_t end)
{
	/* Ranges here are disjoint, so one must hold the whole bank. */
	for (size_t i = 0; i < c->facts.nr_iova; i++) {
		const struct host_iova_range *r = &c->iova[i];

		if (r->host == host && r->start <= start && end - 1 <= r->end)
			return true;
	}
	return false;
}

/* Every rule the property covers; returns a reason, or NULL. */
static const char *check_plan(const struct vm_plan *plan, const struct case_facts *c,
			      uint64_t ram, bool relaxable)
{
	uint64_t total = 0;

	for (size_t i = 0; i < plan->nr_regions; i++) {
		const struct plan_region *r = &plan->regions[i];
		uint64_t end = r->start + r->size;

		if (!r->size || end < r->start)
			return "empty or wrapping region";
		if (i && plan->regions[i - 1].start + plan->regions[i - 1].size > r->start)
			return "regions overlap or are out of order";
		if (r->kind != PLAN_RAM)
			continue;
		total += r->size;
		if (r->start % 4096 || r->size % 4096)
			return "RAM bank not page aligned";
		if (end > plan->addr_limit)
			return "RAM above the address limit";
		for (size_t j = 0; j < c->facts.nr_regions; j++) {
			const struct host_region *h = &c->regions[j];

			if (is_hard(h, relaxable) && r->start <= h->end && h->start < end)
				return "RAM on a hard host region";
		}
		for (unsigned int h = 0; h < c->facts.nr_hosts; h++) {
			unsigned int bits = c->hosts[h].phys_bits;

			if (bits && end > (1ULL << bits))
				return "RAM above a host's phys-bits";
			if (c->hosts[h].has_iova_ranges && !inside_iova(c, h, r->start, end))
				return "RAM outside a host's IOVA ranges";
		}
	}
	if (total != ram)
		return "RAM total differs from the request";
	if (memplan_check(plan, &c->facts, NULL))
		return "memplan_check disagrees";
	return NULL;
}

static bool plans_equal(const struct vm_plan *a, const struct vm_plan *b)
{
	return a->nr_regions == b->nr_regions && a->ram_size == b->ram_size &&
	       !memcmp(&a->doorbell, &b->doorbell, sizeof(a->doorbell)) &&
	       !memcmp(a->regions, b->regions, a->nr_regions * sizeof(a->regions[0]));
}

START_TEST(test_random_host_facts)
{
	struct rng rng = { 0x5eed5eed12345678ULL };
	struct case_facts *c = malloc(sizeof(*c));
	unsigned int planned = 0, refused = 0;

	ck_assert_ptr_nonnull(c);
	for (unsigned int iter = 0; iter < PROP_ITERATIONS; iter++) {
		const char *arch = rng_below(&rng, 2) ? "x86_64" : "arm64";
		struct plan_request req = {
			.ram_size = (1 + rng_below(&rng, 1ULL << (rng_below(&rng, 2) ? 12 : 24))) << 12,
			.nr_cpus = 1 + rng_below(&rng, 8),
			.allow_relaxable = rng_below(&rng, 4) == 0,
			.irqchip = rng_below(&rng, 4),
		};
		struct vm_plan a = { 0 }, b = { 0 };
		struct plan_constraints cons;
		struct plan_error err;
		const char *why;
		int ret, again;

		random_facts(&rng, c);
		if (memplan_arch_constraints(arch, &req, 40 + rng_below(&rng, 9), &cons, &err))
			ck_abort_msg("iteration %u: constraints: %s", iter, err.msg);
		ret = memplan_build(&req, &cons, &c->facts, &a, &err);
		again = memplan_build(&req, &cons, &c->facts, &b, &err);
		if (ret != again)
			ck_abort_msg("iteration %u: %d then %d", iter, ret, again);
		if (ret) {
			if (ret != -ENOSPC || !err.msg[0])
				ck_abort_msg("iteration %u: %d \"%s\"", iter, ret, err.msg);
			refused++;
			continue;
		}
		why = check_plan(&a, c, req.ram_size, req.allow_relaxable);
		if (why)
			ck_abort_msg("iteration %u (%s, %llu bytes): %s", iter, arch,
				     (unsigned long long)req.ram_size, why);
		if (!plans_equal(&a, &b))
			ck_abort_msg("iteration %u: same input, different plans", iter);
		planned++;
		memplan_free(&a);
		memplan_free(&b);
	}
	free(c);
	/* Both outcomes must be exercised, or the generator is too tame. */
	ck_assert_uint_gt(planned, PROP_ITERATIONS / 4);
	ck_assert_uint_gt(refused, 100);
}
END_TEST

Suite *memplan_prop_suite(void)
{
	Suite *s = suite_create("memplan_prop");
	TCase *tc = tcase_create("random");

	/* Seconds, and several times that under the sanitizers. */
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, test_random_host_facts);
	suite_add_tcase(s, tc);
	return s;
}
