// SPDX-License-Identifier: GPL-2.0
/*
 * "shapevm plan" and "shapevm host-facts": the planner from the command
 * line. Exit status 0 with a plan (or a valid saved one), 1 when there is
 * none (the message says why), 2 for a usage error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vmm/arch.h"
#include "vmm/config.h"
#include "vmm/exitcode.h"
#include "vmm/hostres.h"
#include "vmm/log.h"
#include "vmm/plan_cmd.h"
#include "vmm/planjson.h"
#include "vmm/planning.h"
#include "vmm/util.h"

/* This host's KVM, when there is one: only its address width is asked. */
static int open_kvm(const char *path)
{
	return open(path, O_RDWR | O_CLOEXEC);
}

static void print_hosts(const struct host_facts *facts, FILE *out)
{
	for (size_t i = 0; i < facts->nr_hosts; i++) {
		const struct host_info *h = &facts->hosts[i];
		size_t regions = 0, ranges = 0;

		for (size_t j = 0; j < facts->nr_regions; j++)
			regions += facts->regions[j].host == i;
		for (size_t j = 0; j < facts->nr_iova; j++)
			ranges += facts->iova[j].host == i;
		fprintf(out, "host %s: %zu reserved region%s", h->name, regions,
			regions == 1 ? "" : "s");
		if (h->phys_bits)
			fprintf(out, ", phys-bits %u", h->phys_bits);
		if (h->has_iova_ranges)
			fprintf(out, ", %zu IOVA range%s", ranges, ranges == 1 ? "" : "s");
		fputc('\n', out);
	}
}

static void print_plan(const struct vm_plan *plan, const struct host_facts *facts,
		       FILE *out)
{
	char ram[32];

	size_format(plan->ram_size, ram, sizeof(ram));
	fprintf(out, "%s guest, %s of RAM, addresses below 0x%llx\n", plan->arch,
		ram, (unsigned long long)plan->addr_limit);
	print_hosts(facts, out);
	fputc('\n', out);
	memplan_print(plan, out);
	fputc('\n', out);
	if (plan->doorbell.size)
		fprintf(out, "MSI doorbell: 0x%llx-0x%llx, %s\n",
			(unsigned long long)plan->doorbell.start,
			(unsigned long long)(plan->doorbell.start + plan->doorbell.size - 1),
			plan->doorbell.where);
	else
		fprintf(out, "MSI doorbell: none (the interrupt controller takes no MSIs)\n");
	if (facts->nr_regions) {
		fputc('\n', out);
		memplan_print_host(plan, facts, out);
	}
}

static int check_saved_plan(const struct plan_config *cfg,
			    const struct host_facts *facts, unsigned int bits)
{
	struct vm_plan plan;
	int problems;

	memplan_init(&plan);
	if (planning_load("--check", cfg->check_path, &plan))
		return EXIT_VMM_ERROR;
	problems = planning_check(cfg->check_path, &plan, facts, bits);
	if (!problems)
		printf("%s: valid for %s (%zu host%s checked)\n", cfg->check_path,
		       plan.arch, facts->nr_hosts, facts->nr_hosts == 1 ? "" : "s");
	else
		log_error("%s: not valid here: %d problem%s", cfg->check_path,
			  problems, problems == 1 ? "" : "s");
	memplan_free(&plan);
	return problems ? EXIT_VMM_ERROR : 0;
}

static int plan_parse(int argc, char **argv, bool host_facts, struct plan_config *cfg)
{
	struct config_error err;
	int ret = config_parse_plan(argc, argv, host_facts, cfg, &err);

	if (ret == 1) {
		config_print_plan_usage(stdout, host_facts);
		return 0;
	}
	if (ret) {
		log_error("%s", err.msg);
		return EXIT_USAGE;
	}
	if (cfg->verbose)
		log_set_level(LOG_INFO);
	return -1;
}

int plan_command(int argc, char **argv)
{
	struct plan_request req = { 0 };
	struct host_facts facts = { 0 };
	struct planning_input in;
	struct plan_config cfg;
	struct vm_plan plan;
	unsigned int bits;
	int status, kvm_fd;

	status = plan_parse(argc, argv, false, &cfg);
	if (status >= 0)
		return status;
	in = (struct planning_input) {
		.arch = cfg.arch ? cfg.arch : arch_name(),
		.host_files = cfg.host_files, .nr_host_files = cfg.nr_host_files,
		.vfio = cfg.vfio, .nr_vfio = cfg.nr_vfio,
		.sysfs_root = cfg.sysfs_root, .verbose = cfg.verbose,
		/* Recorded hosts only, unless this host's devices are named. */
		.this_host = cfg.nr_vfio || !cfg.nr_host_files,
	};
	kvm_fd = in.this_host ? open_kvm(cfg.kvm_path) : -1;
	in.kvm_fd = kvm_fd;
	status = EXIT_VMM_ERROR;
	if (planning_gather(&in, &facts, &bits))
		goto out;
	if (cfg.check_path) {
		status = check_saved_plan(&cfg, &facts, bits);
		goto out;
	}
	req.ram_size = cfg.ram_size;
	req.nr_cpus = cfg.nr_cpus;
	req.allow_relaxable = cfg.allow_relaxable;
	if (cfg.irqchip)
		memplan_irqchip_parse(cfg.irqchip, &req.irqchip);
	planning_size_windows(&facts, &req);
	memplan_init(&plan);
	if (planning_build(in.arch, &req, bits, &facts, &plan))
		goto out;
	if (cfg.json)
		planjson_write(&plan, &facts, stdout);
	else
		print_plan(&plan, &facts, stdout);
	memplan_free(&plan);
	status = fflush(stdout) ? EXIT_VMM_ERROR : 0;
out:
	if (kvm_fd >= 0)
		close(kvm_fd);
	hostres_free(&facts);
	return status;
}

int host_facts_command(int argc, char **argv)
{
	struct host_facts facts = { 0 };
	struct hostres_error err;
	struct plan_config cfg;
	struct planning_input in;
	unsigned int bits;
	int status, kvm_fd;

	status = plan_parse(argc, argv, true, &cfg);
	if (status >= 0)
		return status;
	kvm_fd = open_kvm(cfg.kvm_path);
	in = (struct planning_input) {
		.arch = arch_name(), .vfio = cfg.vfio, .nr_vfio = cfg.nr_vfio,
		.sysfs_root = cfg.sysfs_root, .kvm_fd = kvm_fd, .this_host = true,
		.verbose = cfg.verbose,
	};
	status = EXIT_VMM_ERROR;
	if (planning_gather(&in, &facts, &bits))
		goto out;
	/* Without devices named, every group: any of them may be assigned. */
	if (!cfg.nr_vfio && hostres_read_all_groups(&facts, 0, cfg.sysfs_root, &err)) {
		log_error("%s", err.msg);
		goto out;
	}
	if (!cfg.nr_vfio && !facts.nr_regions)
		log_warn("no IOMMU groups under %s/kernel/iommu_groups: this host has no IOMMU enabled, so nothing is reserved",
			 cfg.sysfs_root);
	hostres_write(&facts, 0, stdout);
	status = fflush(stdout) ? EXIT_VMM_ERROR : 0;
out:
	if (kvm_fd >= 0)
		close(kvm_fd);
	hostres_free(&facts);
	return status;
}
