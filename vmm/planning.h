/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Gathering host facts and making or loading a plan: the I/O around the
 * pure planner, shared by "run", "plan" and "host-facts". Messages are
 * printed here, once, where the file or device is known.
 */
#ifndef SHAPEVM_PLANNING_H
#define SHAPEVM_PLANNING_H

#include <stdbool.h>
#include <stddef.h>

#include "vmm/hostres.h"
#include "vmm/memplan.h"

struct planning_input {
	const char *arch;
	const char *const *host_files;
	size_t nr_host_files;
	const char *const *vfio;
	size_t nr_vfio;
	const char *sysfs_root;
	int kvm_fd;		/* this host's KVM, or -1 */
	bool this_host;		/* describe this host too (KVM width, groups) */
	bool verbose;
};

/*
 * Fills facts: one host per file, and "this host" when asked (KVM's width
 * when the arch matches, the --vfio devices' groups, VFIO's IOVA ranges).
 * *addr_bits gets KVM's width for the constraints (0 when unknown).
 */
int planning_gather(const struct planning_input *in, struct host_facts *facts,
		    unsigned int *addr_bits);
/* The request's PCI windows sized from the assigned devices' BARs. */
void planning_size_windows(const struct host_facts *facts, struct plan_request *req);
/* Builds the plan; prints the planner's explanation when there is none. */
int planning_build(const char *arch, struct plan_request *req,
		   unsigned int addr_bits, const struct host_facts *facts,
		   struct vm_plan *plan);
/* Loads a saved plan (JSON); what names the flag for messages. */
int planning_load(const char *what, const char *path, struct vm_plan *plan);
/*
 * Checks a saved plan against facts and a KVM width; prints each problem
 * prefixed by the plan's file name. Returns the number of problems.
 */
int planning_check(const char *path, const struct vm_plan *plan,
		   const struct host_facts *facts, unsigned int addr_bits);

#endif
