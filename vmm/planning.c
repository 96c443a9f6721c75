// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/arch.h"
#include "vmm/loader.h"
#include "vmm/log.h"
#include "vmm/planjson.h"
#include "vmm/planning.h"
#include "vmm/util.h"

/* Saved plans are small; a 100,000-region plan is about 10 MiB. */
#define PLAN_FILE_MAX	(256ULL << 20)

static int gather_this_host(const struct planning_input *in,
			    struct host_facts *facts, unsigned int bits)
{
	struct hostres_error err;
	int host, group;
	size_t i;

	host = hostres_add_host(facts, "this host");
	if (host < 0)
		return host;
	facts->hosts[host].phys_bits = bits;
	for (i = 0; i < in->nr_vfio; i++) {
		group = hostres_read_group(facts, host, in->sysfs_root, in->vfio[i],
					   in->vfio, in->nr_vfio, &err);
		if (group < 0) {
			log_error("%s", err.msg);
			return group;
		}
		if (in->verbose)
			log_info("%s: IOMMU group %d", in->vfio[i], group);
		/* Without VFIO the group's reserved regions still hold. */
		if (hostres_read_vfio(facts, host, in->sysfs_root, in->vfio[i], group, &err) &&
		    in->verbose)
			log_info("%s: no IOVA ranges from VFIO: %s", in->vfio[i], err.msg);
	}
	return 0;
}

int planning_gather(const struct planning_input *in, struct host_facts *facts,
		    unsigned int *addr_bits)
{
	struct hostres_error err;
	unsigned int bits = 0;
	size_t i;
	int ret;

	for (i = 0; i < in->nr_host_files; i++) {
		ret = hostres_read_file(facts, in->host_files[i], &err);
		if (ret) {
			log_error("%s", err.msg);
			return ret;
		}
	}
	/* KVM's width speaks for guests of this shapevm's own arch only. */
	if (in->kvm_fd >= 0 && !strcmp(in->arch, arch_name()))
		bits = arch_host_addr_bits(in->kvm_fd);
	*addr_bits = bits;
	if (in->this_host)
		return gather_this_host(in, facts, bits);
	return 0;
}

static uint64_t pow2_at_least(uint64_t v)
{
	uint64_t p = SZ_4K;

	while (p < v && p < (1ULL << 62))
		p <<= 1;
	return p;
}

/*
 * BARs are naturally aligned powers of two: summing them largest first in
 * a window aligned to the largest packs them without gaps.
 */
void planning_size_windows(const struct host_facts *facts, struct plan_request *req)
{
	for (size_t i = 0; i < facts->nr_bars; i++) {
		const struct host_bar *bar = &facts->bars[i];
		uint64_t size = pow2_at_least(bar->size);

		if (bar->is_64bit)
			req->pci64_size += size;
		else
			req->pci32_size += size;
	}
}

int planning_build(const char *arch, struct plan_request *req,
		   unsigned int addr_bits, const struct host_facts *facts,
		   struct vm_plan *plan)
{
	struct plan_constraints cons;
	struct plan_error err;
	int ret;

	ret = memplan_arch_constraints(arch, req, addr_bits, &cons, &err);
	if (!ret)
		ret = memplan_build(req, &cons, facts, plan, &err);
	if (ret)
		log_error("no memory plan: %s", err.msg);
	return ret;
}

int planning_load(const char *what, const char *path, struct vm_plan *plan)
{
	struct plan_error err;
	uint64_t size;
	uint8_t *text;
	int ret;

	ret = loader_read_whole(what, path, PLAN_FILE_MAX, &text, &size);
	if (ret)
		return ret;
	ret = planjson_read(path, (const char *)text, size, plan, NULL, &err);
	if (ret)
		log_error("%s", err.msg);
	free(text);
	return ret;
}

int planning_check(const char *path, const struct vm_plan *plan,
		   const struct host_facts *facts, unsigned int addr_bits)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	int problems;

	if (!out)
		return -ENOMEM;
	problems = memplan_check(plan, facts, out);
	if (addr_bits && addr_bits < 63) {
		for (size_t i = 0; i < plan->nr_regions; i++) {
			const struct plan_region *r = &plan->regions[i];

			if (r->start + r->size > (1ULL << addr_bits)) {
				fprintf(out, "%s 0x%llx-0x%llx: above this host's KVM phys-bits %u\n",
					r->name, (unsigned long long)r->start,
					(unsigned long long)(r->start + r->size - 1), addr_bits);
				problems++;
			}
		}
	}
	fclose(out);
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
		log_error("%s: %s", path, line);
	free(text);
	return problems;
}
