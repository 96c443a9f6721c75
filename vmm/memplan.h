/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The memory planner: a pure function from a request, the architecture's
 * fixed layout and the host's limits to the guest's physical map. No I/O and
 * no ioctl here; every later stage reads the plan and none changes it.
 * docs/planner.md states the rules.
 */
#ifndef SHAPEVM_MEMPLAN_H
#define SHAPEVM_MEMPLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define PLAN_MAX_REGIONS	64
#define PLAN_NAME_LEN		24
#define PLAN_WHY_LEN		64

enum plan_kind {
	PLAN_RAM,		/* guest RAM */
	PLAN_FIRMWARE,		/* backed by memory, reserved: tables the VMM writes */
	PLAN_MMIO_WINDOW,	/* where the guest may place PCI BARs */
	PLAN_DEVICE,		/* a device's register frame */
	PLAN_MSI,		/* the MSI doorbell window */
	PLAN_RESERVED,		/* nothing the guest may use */
	PLAN_LEGACY,		/* historic hole the guest knows by itself */
};

struct plan_region {
	uint64_t start;
	uint64_t size;
	enum plan_kind kind;
	char name[PLAN_NAME_LEN];
	char why[PLAN_WHY_LEN];
};

/* What the architecture fixes, and what the host allows. */
struct plan_constraints {
	const char *arch;
	uint64_t ram_base;	/* lowest address RAM may use */
	uint64_t addr_limit;	/* first address the guest cannot use */
	const struct plan_region *fixed;
	size_t nr_fixed;
};

struct plan_request {
	uint64_t ram_size;
	unsigned int nr_cpus;
};

struct vm_plan {
	const char *arch;
	uint64_t ram_size;
	size_t nr_regions;
	struct plan_region regions[PLAN_MAX_REGIONS];	/* sorted by start */
};

struct plan_error {
	char msg[256];
};

int memplan_build(const struct plan_request *req,
		  const struct plan_constraints *cons,
		  struct vm_plan *plan, struct plan_error *err);
const struct plan_region *memplan_find(const struct vm_plan *plan,
				       const char *name);
const char *memplan_kind_name(enum plan_kind kind);
bool memplan_kind_is_backed(enum plan_kind kind);
void memplan_print(const struct vm_plan *plan, FILE *out);

#endif
