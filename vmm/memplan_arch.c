// SPDX-License-Identifier: GPL-2.0
/*
 * Every build knows every architecture's layout, so "shapevm plan --arch
 * arm64" works on an x86 workstation and the other way round.
 */
#include <errno.h>
#include <string.h>

#include "vmm/memplan.h"

int memplan_arch_constraints(const char *arch, const struct plan_request *req,
			     unsigned int addr_bits, struct plan_constraints *cons,
			     struct plan_error *err)
{
	if (addr_bits && (addr_bits < 32 || addr_bits > 52)) {
		snprintf(err->msg, sizeof(err->msg),
			 "%u physical address bits: not a width a guest can have (32-52)",
			 addr_bits);
		return -EINVAL;
	}
	if (!strcmp(arch, "x86_64"))
		return x86_plan_constraints(req, addr_bits, cons);
	if (!strcmp(arch, "arm64") || !strcmp(arch, "aarch64"))
		return arm64_plan_constraints(req, addr_bits, cons);
	snprintf(err->msg, sizeof(err->msg), "%s: unknown architecture (x86_64 or arm64)", arch);
	return -EINVAL;
}
