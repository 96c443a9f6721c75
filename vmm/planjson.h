/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A plan saved as JSON: the regions, the RAM banks, the doorbell, and the
 * host reserved regions it was planned against. One key order, 2-space
 * indentation, one region per line, numbers as decimal integers: the same
 * plan gives the same bytes, so saved plans diff and compare.
 *
 *   {
 *     "version": 1,
 *     "arch": "x86_64",                     (or "arm64")
 *     "ram_size": N,
 *     "addr_limit": N,
 *     "allow_relaxable": false,
 *     "ram": [{"start": N, "size": N}, ...],          RAM banks, address order
 *     "regions": [{"kind": "ram", "name": "ram0", "start": N, "size": N,
 *                  "why": "..."}, ...],               every region, RAM too
 *     "doorbell": {"start": N, "size": N, "where": "..."},
 *     "host_reserved": [{"start": N, "end": N, "type": "msi",
 *                        "host": "hostA.txt", "what": "..."}, ...]
 *   }
 *
 * host_reserved ends are inclusive (as sysfs writes them), sorted by start,
 * end, type, host name and what. Keys starting with "x-" are extensions the
 * reader ignores; any other unknown key is an error. "why", "where",
 * "what", "doorbell", "host_reserved" and "host" may be left out.
 */
#ifndef SHAPEVM_PLANJSON_H
#define SHAPEVM_PLANJSON_H

#include <stddef.h>
#include <stdio.h>

#include "vmm/memplan.h"

struct host_facts;

#define PLANJSON_VERSION	1

/*
 * The plan (and the host regions it was planned against; facts may be
 * NULL) as JSON. Deterministic: byte-identical for the same plan. Returns
 * 0, -ENOMEM, or -EIO when out reports a write error.
 */
int planjson_write(const struct vm_plan *plan, const struct host_facts *facts,
		   FILE *out);

/*
 * Reads a saved plan from @len bytes of @text. The recorded host_reserved
 * regions go into facts when facts is not NULL: one host per distinct
 * "host" name, in order of first appearance (@name for entries without
 * one). Returns 0, -EINVAL with err->msg "NAME: PATH: ..." or
 * "NAME:LINE:COLUMN: ...", or -ENOMEM. On error the plan is freed and
 * facts are as they were.
 */
int planjson_read(const char *name, const char *text, size_t len,
		  struct vm_plan *plan, struct host_facts *facts,
		  struct plan_error *err);

#endif
