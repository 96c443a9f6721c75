/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The memory planner: a pure function from a request, the architecture's
 * layout and the host's facts (vmm/hostres) to the guest's physical map.
 * No I/O and no ioctl here; every later stage reads the plan and none
 * changes it. docs/planner.md states the rules; each is cited where
 * memplan.c enforces it.
 */
#ifndef SHAPEVM_MEMPLAN_H
#define SHAPEVM_MEMPLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct host_facts;

#define PLAN_NAME_LEN		24
#define PLAN_WHY_LEN		112
#define PLAN_ARCH_LEN		16
#define PLAN_MAX_FRAMES		16
#define PLAN_MAX_REQUIRED	4

enum plan_kind {
	PLAN_RAM,		/* guest RAM */
	PLAN_FIRMWARE,		/* backed by memory, reserved: tables the VMM writes */
	PLAN_MMIO_WINDOW,	/* where the guest may place PCI BARs */
	PLAN_DEVICE,		/* a device's register frame */
	PLAN_MSI,		/* the MSI doorbell window */
	PLAN_RESERVED,		/* nothing the guest may use */
	PLAN_LEGACY,		/* historic hole the guest knows by itself */
	PLAN_HOLE,		/* a host reserved region kept out of RAM and windows */
};
#define PLAN_NR_KINDS	(PLAN_HOLE + 1)

struct plan_region {
	uint64_t start;
	uint64_t size;
	enum plan_kind kind;
	char name[PLAN_NAME_LEN];
	char why[PLAN_WHY_LEN];
};

/* Which interrupt controller frames an arm64 guest gets (x86 ignores it). */
enum plan_irqchip {
	PLAN_IRQCHIP_GICV3_ITS,
	PLAN_IRQCHIP_GICV3,
	PLAN_IRQCHIP_GICV2M,
	PLAN_IRQCHIP_GICV2,
	/* A GICv2m frame beside a GICv3 distributor: MSIs without an ITS. */
	PLAN_IRQCHIP_GICV3_V2M,
};

struct plan_request {
	uint64_t ram_size;
	unsigned int nr_cpus;
	uint64_t pci32_size;	/* 32-bit BAR space the devices need; 0: arch default */
	uint64_t pci64_size;	/* 64-bit BAR space; 0: no 64-bit window */
	enum plan_irqchip irqchip;
	bool allow_relaxable;	/* RAM may use direct-relaxable regions */
};

enum plan_frame_area {
	PLAN_AREA_PLATFORM,	/* the arch's platform MMIO area */
	PLAN_AREA_ABOVE_RAM,	/* above the highest RAM bank (64-bit windows) */
};

/* A region the planner places, as opposed to a fixed one. */
struct plan_frame {
	const char *name;
	const char *why;
	enum plan_kind kind;
	enum plan_frame_area area;
	uint64_t size;
	uint64_t align;
	uint64_t preferred;	/* tried first when not 0 */
	bool dma_target;	/* BAR windows: kept off host reserved regions */
	bool doorbell;		/* put on a host msi window when one fits */
	uint64_t doorbell_offset;	/* the page guests' MSIs write, in the frame */
	uint64_t doorbell_size;
};

/* An address range the boot protocol needs to be RAM. */
struct plan_required {
	uint64_t start;
	uint64_t end;		/* exclusive */
	const char *why;
};

/* What the architecture fixes and what KVM allows; see memplan_arch.c. */
struct plan_constraints {
	char arch[PLAN_ARCH_LEN];
	uint64_t ram_base;	/* lowest address RAM may use */
	uint64_t addr_limit;	/* first address the guest cannot use */
	char addr_why[96];	/* where addr_limit comes from, for messages */
	bool addr_is_default;	/* nobody said: hosts' phys-bits lines win */
	const struct plan_region *fixed;
	size_t nr_fixed;
	struct plan_frame frames[PLAN_MAX_FRAMES];
	size_t nr_frames;
	uint64_t platform_start, platform_end;
	/* A fixed doorbell (x86's 0xfee00000); size 0 when a frame is one. */
	uint64_t doorbell_start, doorbell_size;
	const char *doorbell_where;
	struct plan_required required[PLAN_MAX_REQUIRED];
	size_t nr_required;
};

struct plan_doorbell {
	uint64_t start;
	uint64_t size;
	char where[160];	/* why it is there: which host window, or why not */
};

struct vm_plan {
	char arch[PLAN_ARCH_LEN];
	uint64_t ram_size;
	uint64_t addr_limit;
	bool allow_relaxable;
	struct plan_doorbell doorbell;
	struct plan_region *regions;	/* sorted by start, disjoint */
	size_t nr_regions;
	size_t cap_regions;
};

struct plan_error {
	char msg[640];
};

/* The constraints of arch "x86_64" or "arm64" (any build knows both). */
int memplan_arch_constraints(const char *arch, const struct plan_request *req,
			     unsigned int addr_bits, struct plan_constraints *cons,
			     struct plan_error *err);
int x86_plan_constraints(const struct plan_request *req, unsigned int addr_bits,
			 struct plan_constraints *cons);
int arm64_plan_constraints(const struct plan_request *req, unsigned int addr_bits,
			   struct plan_constraints *cons);

/*
 * Builds the plan; facts may be NULL (no host facts). Returns 0, -EINVAL for
 * malformed input, -ENOSPC when no plan exists (err says which constraint
 * and what would fix it), -ENOMEM.
 */
int memplan_build(const struct plan_request *req,
		  const struct plan_constraints *cons,
		  const struct host_facts *facts,
		  struct vm_plan *plan, struct plan_error *err);
void memplan_init(struct vm_plan *plan);
void memplan_free(struct vm_plan *plan);
/* For readers of saved plans: appends a region (then memplan_sort). */
int memplan_add_region(struct vm_plan *plan, const struct plan_region *region);
void memplan_sort(struct vm_plan *plan);

/*
 * Is a saved plan valid with these host facts? Checks that regions are
 * sorted and disjoint, RAM totals ram_size, and RAM and BAR windows keep
 * the planner's rules. Writes one line per problem to out (may be NULL);
 * returns the number of problems.
 */
int memplan_check(const struct vm_plan *plan, const struct host_facts *facts,
		  FILE *out);

const struct plan_region *memplan_find(const struct vm_plan *plan,
				       const char *name);
const char *memplan_kind_name(enum plan_kind kind);
int memplan_kind_parse(const char *name, enum plan_kind *kind);
const char *memplan_irqchip_name(enum plan_irqchip irqchip);
int memplan_irqchip_parse(const char *name, enum plan_irqchip *irqchip);
bool memplan_kind_is_backed(enum plan_kind kind);
uint64_t memplan_ram_total(const struct vm_plan *plan);

/* One line per region: start, end, size, kind, name, why. */
void memplan_print(const struct vm_plan *plan, FILE *out);
/* For each host region (merged over hosts), how the plan avoided it. */
void memplan_print_host(const struct vm_plan *plan,
			const struct host_facts *facts, FILE *out);

#endif
