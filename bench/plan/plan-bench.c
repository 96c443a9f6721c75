// SPDX-License-Identifier: GPL-2.0
/*
 * How long the planner takes as host facts grow: N reserved regions spread
 * over 8 hosts, a 1 TiB x86 guest, 48-bit hosts. Prints one line per N with
 * the median of several runs, and the target line the issue set (10,000
 * regions in under 10 ms). No KVM, no I/O: the planner is pure.
 *
 *   plan-bench [RUNS]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vmm/hostres.h"
#include "vmm/memplan.h"

#define NR_HOSTS	8

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng_next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

/*
 * Regions land all over the first 2 TiB, where a 1 TiB guest's RAM goes,
 * so every one of them cuts a bank: the worst case for the planner.
 */
static void make_facts(struct host_facts *facts, size_t nr)
{
	static const enum host_region_type types[] = {
		HOST_DIRECT, HOST_RESERVED, HOST_DIRECT_RELAXABLE, HOST_PEER_BAR, HOST_MSI,
	};

	facts->nr_hosts = NR_HOSTS;
	facts->hosts = calloc(NR_HOSTS, sizeof(*facts->hosts));
	facts->regions = calloc(nr + NR_HOSTS, sizeof(*facts->regions));
	if (!facts->hosts || !facts->regions) {
		perror("plan-bench");
		exit(1);
	}
	for (unsigned int h = 0; h < NR_HOSTS; h++) {
		snprintf(facts->hosts[h].name, sizeof(facts->hosts[h].name), "host%u", h);
		facts->hosts[h].phys_bits = 48;
		facts->regions[facts->nr_regions++] = (struct host_region) {
			0xfee00000, 0xfeefffff, HOST_MSI, h, "" };
	}
	for (size_t i = 0; i < nr; i++) {
		uint64_t start = (rng_next() % (2ULL << 40)) & ~0xfffULL;
		uint64_t size = 0x1000 + (rng_next() % 0x200000);

		facts->regions[facts->nr_regions++] = (struct host_region) {
			start, start + size - 1, types[rng_next() % 5], i % NR_HOSTS, "" };
	}
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median wall time of one memplan_build, in ms; banks in the plan. */
static double time_plan(size_t nr, int runs, size_t *banks)
{
	struct plan_request req = { .ram_size = 1ULL << 40, .nr_cpus = 8 };
	struct host_facts facts = { 0 };
	struct plan_constraints cons;
	struct plan_error err;
	double times[64];

	make_facts(&facts, nr);
	if (memplan_arch_constraints("x86_64", &req, 48, &cons, &err)) {
		fprintf(stderr, "plan-bench: %s\n", err.msg);
		exit(1);
	}
	for (int r = 0; r < runs; r++) {
		struct vm_plan plan;
		double start = now_ms();

		if (memplan_build(&req, &cons, &facts, &plan, &err)) {
			fprintf(stderr, "plan-bench: %zu regions: %s\n", nr, err.msg);
			exit(1);
		}
		times[r] = now_ms() - start;
		*banks = 0;
		for (size_t i = 0; i < plan.nr_regions; i++)
			*banks += plan.regions[i].kind == PLAN_RAM;
		memplan_free(&plan);
	}
	free(facts.hosts);
	free(facts.regions);
	qsort(times, runs, sizeof(times[0]), compare_double);
	return times[runs / 2];
}

int main(int argc, char **argv)
{
	static const size_t sizes[] = { 10, 100, 1000, 10000, 100000 };
	int runs = argc > 1 ? atoi(argv[1]) : 15;
	double previous = 0, at_10k = 0;

	if (runs < 1 || runs > 64) {
		fprintf(stderr, "usage: plan-bench [RUNS (1-64)]\n");
		return 2;
	}
	printf("memplan_build: 1 TiB x86 guest, 8 hosts, 48-bit; median of %d runs\n", runs);
	printf("%10s %10s %10s %12s\n", "regions", "RAM banks", "ms", "x previous");
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t banks;
		double ms = time_plan(sizes[i], runs, &banks);

		if (previous > 0)
			printf("%10zu %10zu %10.3f %12.1f\n", sizes[i], banks, ms, ms / previous);
		else
			printf("%10zu %10zu %10.3f %12s\n", sizes[i], banks, ms, "-");
		if (sizes[i] == 10000)
			at_10k = ms;
		previous = ms;
	}
	printf("10,000 regions over 8 hosts, 1 TiB: %.3f ms (target: under 10 ms): %s\n",
	       at_10k, at_10k < 10 ? "met" : "MISSED");
	return at_10k < 10 ? 0 : 1;
}
